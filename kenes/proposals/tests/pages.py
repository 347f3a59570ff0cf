"""The shared page-test helpers, where the proposal, sitting and accountability tests import them."""

from kenes.core.tests.pages import assert_escaped, page, png, signed_in, speaking

__all__ = ["assert_escaped", "page", "png", "signed_in", "speaking"]

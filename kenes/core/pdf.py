"""PDF documents from HTML, with WeasyPrint and the fonts bundled in `kenes/core/fonts/`.

The bundled DejaVu Sans carries every Kazakh letter (ә ғ қ ң ө ұ ү һ і), so a document looks the
same whatever fonts the server has. Documents name the family `Kenes Sans` in their CSS.

WeasyPrint is imported only when a document is made: the site starts (and every other page
works) on a server without its system libraries (pango); making a PDF there is refused with
`pdf_unavailable` (503).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from kenes.core.errors import DomainError

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Kenes Sans"


def font_face_css() -> str:
    """@font-face rules for the bundled fonts, by file URL."""
    faces = [("DejaVuSans.ttf", "normal"), ("DejaVuSans-Bold.ttf", "bold")]
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: normal; '
        f'src: url("{(FONTS / name).as_uri()}"); }}'
        for name, weight in faces
    )


def _unavailable() -> DomainError:
    return DomainError(
        _("PDF documents cannot be made on this server: the WeasyPrint system libraries are missing."),
        code="pdf_unavailable",
        status=503,
    )


def _local_fetcher(weasyprint: Any) -> Any:
    """A fetcher that reads only the bundled fonts and data: URLs: a document never reaches the
    network or another file on the server, whatever its HTML says."""

    class LocalFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                requested = Path(url2pathname(urlsplit(url).path)).resolve()
                if requested.parent == FONTS:
                    return super().fetch(url, headers)
            raise ValueError(f"Documents may not load {url}")

    return LocalFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def render_pdf(*, html: str, base_url: str | None = None, stylesheets: Sequence[str] = ()) -> bytes:
    """The PDF for `html`, styled by the bundled fonts' @font-face rules and then `stylesheets`
    (CSS text). Raises DomainError `pdf_unavailable` when WeasyPrint cannot load."""
    try:
        import weasyprint
        import weasyprint.urls
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as error:
        raise _unavailable() from error

    fetcher = _local_fetcher(weasyprint)
    font_config = FontConfiguration()
    css = [
        weasyprint.CSS(string=text, font_config=font_config, url_fetcher=fetcher)
        for text in (font_face_css(), render_to_string("core/pdf_base.css"), *stylesheets)
    ]
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=css, font_config=font_config)
    return pdf

"""PDF documents: the bundled fonts carry the Kazakh letters, and nothing else is ever fetched."""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from kenes.core.errors import DomainError
from kenes.core.pdf import FONT_FAMILY, render_pdf

KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"
STYLE = f'body {{ font-family: "{FONT_FAMILY}"; }} h1 {{ font-weight: bold; }}'


def pdf_text(pdf: bytes) -> str:
    """The text layer, with line breaks and no-break spaces folded into single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def embedded_font_families(pdf: bytes) -> set[str]:
    """The family names written inside the embedded font programs (not the PDF's labels for them)."""
    families = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            families.add(program["name"].getDebugName(1))
    return families


def test_it_embeds_the_bundled_dejavu_fonts_and_keeps_the_kazakh_letters_in_the_text_layer():
    pdf = render_pdf(html=f"<h1>Ереже</h1><p>{KAZAKH_LETTERS}</p>", stylesheets=[STYLE])

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Ереже" in text
    assert KAZAKH_LETTERS in text
    assert embedded_font_families(pdf) == {"DejaVu Sans"}


def test_it_loads_no_file_or_address_named_in_the_document(tmp_path):
    stylesheet = tmp_path / "leak.css"
    stylesheet.write_text('body::after { content: "LEAKED"; }', encoding="utf-8")
    html = (
        f'<link rel="stylesheet" href="{stylesheet.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/leak.css">'
        "<p>Кеңес</p>"
    )

    text = pdf_text(render_pdf(html=html, stylesheets=[STYLE]))

    assert "Кеңес" in text
    assert "LEAKED" not in text


def test_it_refuses_with_pdf_unavailable_when_weasyprint_cannot_load(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import now raises ImportError

    with pytest.raises(DomainError) as refused:
        render_pdf(html="<p>Кеңес</p>")

    assert (refused.value.code, refused.value.status) == ("pdf_unavailable", 503)
    assert "WeasyPrint" in str(refused.value)

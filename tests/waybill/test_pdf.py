"""The PDF: a page per label at the exact stock size, the font embedded, text extractable, masking kept,
and the pages render (pdfium, Chrome's PDF engine) into barcodes that scan."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, PdfObject

from tests.waybill.labels import TEMPLATES, decoded_code128, labels_of, long_order, sample_orders
from waybill.render.pdf import PdfWriter

POINTS_PER_MM = 72 / 25.4


def _pdf(template: str, *, mask: bool = True, dpi: int = 203) -> bytes:
    buffer = io.BytesIO()
    with PdfWriter(buffer) as writer:
        for order in sample_orders():
            for label in labels_of(order, template, dpi, mask=mask):
                writer.add(label)
    return buffer.getvalue()


@pytest.mark.parametrize("template", TEMPLATES)
def test_one_page_per_label_each_exactly_the_stock_size(template: str) -> None:
    reader = PdfReader(io.BytesIO(_pdf(template)))
    labels = sum(len(labels_of(order, template)) for order in sample_orders())
    assert len(reader.pages) == labels
    width_mm, height_mm = (float(v) for v in template.split("x"))
    for page in reader.pages:
        assert float(page.mediabox.width) / POINTS_PER_MM == pytest.approx(width_mm, abs=0.001)
        assert float(page.mediabox.height) / POINTS_PER_MM == pytest.approx(height_mm, abs=0.001)


def test_text_is_extractable_and_the_full_phone_appears_nowhere() -> None:
    data = _pdf("100x180")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    order = sample_orders()[0]
    assert order.recipient.phone == "13812341234"
    assert "138****1234" in text
    assert "张*" in text
    assert order.recipient.phone not in text
    assert order.recipient.address in text.replace("\n", "")
    assert b"13812341234" not in data


def test_without_masking_the_full_phone_is_printed() -> None:
    reader = PdfReader(io.BytesIO(_pdf("100x180", mask=False)))
    assert "13812341234" in reader.pages[0].extract_text()


def _dictionary(entry: PdfObject) -> DictionaryObject:
    """A PDF dictionary entry, through its reference: pypdf types every entry as a bare PdfObject."""
    resolved = entry.get_object()
    assert isinstance(resolved, DictionaryObject)
    return resolved


def test_the_chinese_font_is_embedded_as_a_subset() -> None:
    reader = PdfReader(io.BytesIO(_pdf("76x130")))
    fonts = _dictionary(_dictionary(reader.pages[0]["/Resources"])["/Font"])
    for ref in fonts.values():
        font = _dictionary(ref)
        assert str(font["/Subtype"]) == "/TrueType"
        assert "+" in str(font["/BaseFont"])  # a subset, named XXXXXX+Font
        assert "/FontFile2" in _dictionary(font["/FontDescriptor"])


def test_same_labels_give_the_same_pdf_bytes() -> None:
    assert _pdf("100x150") == _pdf("100x150")


def test_pdf_pages_render_and_every_barcode_scans(tmp_path: Path) -> None:
    order = long_order()
    path = tmp_path / "long.pdf"
    with PdfWriter(path) as writer:
        for label in labels_of(order, "100x180"):
            writer.add(label)
    document = pypdfium2.PdfDocument(path)
    assert len(document) == 2
    for index, expected in enumerate((2, 1)):
        image = document[index].render(scale=2 * 203 / 72).to_pil()
        assert decoded_code128(image) == [order.waybill_no] * expected
    document.close()

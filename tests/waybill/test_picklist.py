"""Pick lists never lose an item: rows split over continuation labels with the header repeated, totals on
the first label, the waybill number and page counter on each continuation."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from tests.waybill.labels import TEMPLATES, decoded_code128, labels_of, sample_orders
from waybill.layout.label import TextRun
from waybill.layout.picklist import sort_items
from waybill.model import Item, Order
from waybill.render.pdf import PdfWriter
from waybill.render.raster import rasterize


def order_with_items(count: int) -> Order:
    items = tuple(
        Item(sku=f"SKU-{n:03d}", name=f"商品{n:03d}号", spec=f"规格{n}", qty=1 + n % 4, location=f"A-{count - n}-01")
        for n in range(count)
    )
    return dataclasses.replace(sample_orders()[0], items=items)


def page_texts(order: Order, template: str) -> list[str]:
    buffer = io.BytesIO()
    with PdfWriter(buffer) as writer:
        for label in labels_of(order, template):
            writer.add(label)
    return [page.extract_text() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_long_pick_list_continues_and_keeps_every_item(template: str) -> None:
    order = order_with_items(70)
    pages = page_texts(order, template)
    pages_count = len(pages)
    assert pages_count >= 3
    every_page = "\n".join(pages)
    for item in order.items:
        assert every_page.count(f"{item.name} {item.spec}") == 1, item.sku
    assert "共 70 种" in pages[0]
    assert f"{order.total_qty} 件" in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert "共 70 种" not in text
        assert "库位" in text and "数量" in text  # header repeated
        assert order.waybill_no in text
        assert order.order_id in text
        assert f"第 {number}/{pages_count} 张" in text


@pytest.mark.parametrize("template", TEMPLATES)
def test_continuation_labels_carry_a_scannable_waybill_barcode(template: str) -> None:
    labels = labels_of(order_with_items(40), template)
    assert len(labels) >= 2
    assert [label.page for label in labels] == list(range(1, len(labels) + 1))
    assert all(label.pages == len(labels) for label in labels)
    for label in labels[1:]:
        assert decoded_code128(rasterize(label)) == [label.waybill_no]


def test_rows_are_in_natural_location_order() -> None:
    items = [Item("a", "x", 1, location=loc) for loc in ("A-10-01", "", "A-2-01", "b-1-01", "A-2-10")]
    assert [item.location for _, item in sort_items(items)] == ["A-2-01", "A-2-10", "A-10-01", "b-1-01", ""]


def test_row_order_on_the_label_follows_locations() -> None:
    labels = labels_of(order_with_items(5), "100x180")
    locations = [m.text for m in labels[0].marks if isinstance(m, TextRun) and m.text.startswith("A-")]
    assert locations == ["A-1-01", "A-2-01", "A-3-01", "A-4-01", "A-5-01"]


def test_a_short_pick_list_stays_on_one_label_with_its_totals() -> None:
    order = sample_orders()[0]
    pages = page_texts(order, "76x130")
    assert len(pages) == 1
    assert f"共 {len(order.items)} 种  {order.total_qty} 件" in pages[0]


def test_a_phone_typed_into_an_item_is_masked_with_the_rest() -> None:
    base = sample_orders()[0]
    spec = f"请联系 {base.recipient.phone} 再发"
    order = dataclasses.replace(base, items=(Item("X", "定制杯", 1, spec=spec, location="A-1"),))
    text = page_texts(order, "100x180")[0]
    assert "请联系 138****1234 再发" in text
    assert base.recipient.phone not in text

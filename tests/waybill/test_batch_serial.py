"""The batch serial of a pool job (``{batch_serial}``): on every label of the built-in templates, in its own
free spot, and nothing at all when a label does not print through a pool."""

from __future__ import annotations

import pytest
from PIL import ImageChops

from tests.waybill.labels import NOW, TEMPLATES, long_order, sample_shop
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.render.raster import rasterize
from waybill.template import TextElement, load_template
from waybill.units import dots_per_mm


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("template_name", TEMPLATES)
def test_the_serial_prints_in_its_box_and_changes_nothing_else(template_name: str, dpi: int) -> None:
    order = long_order()
    template = load_template(template_name)
    plain = layout_order(order, template, load_font(), LayoutOptions(dpi=dpi, shop=sample_shop()), now=NOW)
    serials = {(order.order_id, page): f"261127-042-{page + 16:03d}" for page in range(1, len(plain.labels) + 1)}
    options = LayoutOptions(dpi=dpi, shop=sample_shop(), batch_serials=serials)
    serialled = layout_order(order, template, load_font(), options, now=NOW)
    assert len(plain.labels) > 1  # the first label and a continuation label are both checked
    assert serialled.warnings == plain.warnings  # the serial fits at its size: no shrink, no cut
    for before, after in zip(plain.labels, serialled.labels, strict=True):
        elements = template.elements if before.page == 1 else template.continuation
        box = next(e.box for e in elements if isinstance(e, TextElement) and e.id == "batch_serial")
        scale = dots_per_mm(dpi)
        x0, y0 = round(box.x * scale), round(box.y * scale)
        x1, y1 = round((box.x + box.w) * scale), round((box.y + box.h) * scale)
        changed = ImageChops.difference(rasterize(before).convert("L"), rasterize(after).convert("L")).getbbox()
        assert changed is not None, f"page {before.page}: the serial left no ink"
        left, top, right, bottom = changed
        assert x0 <= left and y0 <= top and right <= x1 and bottom <= y1, f"page {before.page}: ink outside the box"


def test_a_label_of_another_order_gets_no_serial() -> None:
    order = long_order()
    template = load_template("100x180")
    options = LayoutOptions(shop=sample_shop(), batch_serials={("SOMEONE-ELSE", 1): "261127-001-001"})
    with_map = layout_order(order, template, load_font(), options, now=NOW)
    without = layout_order(order, template, load_font(), LayoutOptions(shop=sample_shop()), now=NOW)
    assert [rasterize(label).tobytes() for label in with_map.labels] == [
        rasterize(label).tobytes() for label in without.labels
    ]

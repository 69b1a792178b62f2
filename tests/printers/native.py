"""Helpers for the printer-native label tests of every language: the resident font's cells, the sample
orders laid out in them, and dot-for-dot comparison."""

from __future__ import annotations

from PIL import Image, ImageChops

from tests.waybill.labels import NOW, sample_shop
from waybill.fonts import load_font
from waybill.fonts.cells import TSS24, CellFont, resident_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.label import Label
from waybill.model import Order
from waybill.template import load_template


def cells(name: str = TSS24) -> CellFont:
    return resident_font(name, load_font())


def native_labels(order: Order, template: str, *, mask: bool = True, font: str = TSS24) -> tuple[Label, ...]:
    options = LayoutOptions(mask=mask, shop=sample_shop())
    return layout_order(order, load_template(template), cells(font), options, now=NOW).labels


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None

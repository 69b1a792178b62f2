"""The pick list's `barcode` column: python-barcode's module strings painted at whole dots, decoded back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.waybill.labels import NOW, SAMPLE_ORDERS, SAMPLE_SHOP, barcode_template, sample_orders, sample_shop
from waybill.app.cli import main
from waybill.catalog import load_catalog
from waybill.errors import TemplateError
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.item_codes import ItemSymbol, fit_symbol, item_modules
from waybill.layout.label import Rect, TextRun
from waybill.layout.picklist import Table
from waybill.model import Item, Order
from waybill.product_codes import gtin_key
from waybill.render.raster import rasterize
from waybill.samples import sample_path
from waybill.template import load_template
from waybill.units import dots_per_mm

BARCODES = ("6901234567892", "036000291452", "X-77")  # EAN-13, UPC-A, Code128


def order_with_barcodes() -> Order:
    items = tuple(
        Item(f"SKU-{n}", f"商品{n}", 1 + n, location=f"A-{n}", barcode=code) for n, code in enumerate(BARCODES)
    )
    return dataclasses.replace(sample_orders()[0], items=(*items, Item("PLAIN", "无码商品", 1, location="A-9")))


def modules_from(rects: list[Rect], module: int) -> str:
    """Read the rectangles back as a module string; fails unless every edge sits on a whole module."""
    left = rects[0].x
    bits: list[str] = []
    for rect in rects:
        start, width = rect.x - left, rect.w
        assert start % module == 0 and width % module == 0, "a bar edge between module boundaries"
        bits.extend("0" * (start // module - len(bits)))
        bits.extend("1" * (width // module))
    return "".join(bits)


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("code", BARCODES)
def test_module_strings_paint_at_whole_dots(code: str, dpi: int) -> None:
    symbol = fit_symbol(code, 600, dots_per_mm(dpi))
    assert isinstance(symbol, ItemSymbol)
    assert symbol.module == {203: 3, 300: 4}[dpi]  # 0.33 mm rounded to whole dots
    rects = symbol.rects(0, 0, 600, 48)
    assert modules_from(rects, symbol.module) == item_modules(code).rstrip("0")
    assert all(rect.x >= symbol.quiet[0] * symbol.module for rect in rects)  # the left quiet zone is kept


@pytest.mark.parametrize("dpi", [203, 300])
def test_each_items_barcode_in_the_pick_list_decodes_to_that_barcode(tmp_path: Path, dpi: int) -> None:
    order = order_with_barcodes()
    template = load_template(str(barcode_template(tmp_path)))
    laid_out = layout_order(order, template, load_font(), LayoutOptions(dpi=dpi, shop=sample_shop()), now=NOW)

    assert laid_out.warnings == ()
    image = rasterize(laid_out.labels[0]).convert("L")
    products = zxingcpp.barcode_formats_from_str("EAN13,UPCA,Code128")
    read = sorted(gtin_key(r.text) for r in zxingcpp.read_barcodes(image, formats=products))
    assert read == sorted([*map(gtin_key, BARCODES), order.waybill_no, order.waybill_no])  # + waybill's two


def test_the_bars_sit_in_their_rows_cell_at_the_columns_bar_height(tmp_path: Path) -> None:
    template = load_template(str(barcode_template(tmp_path)))
    assert template.picklist is not None
    table = Table.at(template.picklist, load_font(), 8.0)
    rows = table.rows(order_with_barcodes().items)
    assert [row.symbol.code if row.symbol else None for row in rows] == [*BARCODES, None]
    assert all(row.height >= 48 for row in rows[:3])  # 6 mm bars
    assert rows[3].height < rows[0].height  # a row without a barcode keeps its text height


def test_a_barcode_too_wide_for_its_column_prints_as_text_with_a_warning(tmp_path: Path) -> None:
    order = dataclasses.replace(sample_orders()[0], items=(Item("LONG", "长码", 1, barcode="BOXL-CARTON-0006"),))
    template = load_template(str(barcode_template(tmp_path, width_mm=28)))
    laid_out = layout_order(order, template, load_font(), LayoutOptions(shop=sample_shop()), now=NOW)
    assert ("items[0].barcode", True) in [(w.field, "printed as text" in w.message) for w in laid_out.warnings]
    texts = [m.text for m in laid_out.labels[0].marks if isinstance(m, TextRun)]
    assert "BOXL-CARTON-0006" in texts


def test_height_belongs_to_the_barcode_column_only(tmp_path: Path) -> None:
    path = barcode_template(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'title = "数量", width = 11', 'title = "数量", width = 11, height = 5'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="height is for the barcode column only"):
        load_template(str(path))


def test_render_with_a_catalog_prints_each_items_catalog_barcode(tmp_path: Path) -> None:
    template = barcode_template(tmp_path)
    out = tmp_path / "png"
    args = ["render", str(SAMPLE_ORDERS), "-t", str(template), "--shop", str(SAMPLE_SHOP), "-o", str(out)]
    assert main([*args, "--catalog", str(sample_path("catalog.csv"))]) == 0

    first = sample_orders()[0]
    image = Image.open(out / f"{first.waybill_no}.png").convert("L")
    read = {r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.barcode_formats_from_str("EAN13"))}
    catalog = load_catalog(sample_path("catalog.csv"))
    expected = {catalog.barcodes[item.sku][0] for item in first.items if item.sku in catalog.barcodes}
    assert read == expected and len(expected) == 2  # TOWEL-70 has no barcode in the catalog

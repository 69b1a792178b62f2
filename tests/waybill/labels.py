"""Helpers for label tests: the bundled samples laid out with a fixed clock, and barcode decoding."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path

import zxingcpp
from PIL import Image

from waybill.database import open_database
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.label import Label
from waybill.model import Order
from waybill.order_codec import order_line
from waybill.orders import load_orders
from waybill.samples import numbered_sample_orders, sample_path
from waybill.shop import Shop, load_shop
from waybill.template import load_template
from waybill.times import BEIJING

TEMPLATES = ("76x130", "100x150", "100x180")
NOW = datetime(2026, 11, 27, 10, 30, tzinfo=BEIJING)
SAMPLE_SHOP = sample_path("shop.toml")


def _numbered_samples() -> Path:
    """The bundled orders as the demo numbers them (some come without a number), written to a file."""
    folder = Path(tempfile.mkdtemp(prefix="waybill-samples-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = open_database(str(folder / "numbers.db"))
    path = folder / "orders.jsonl"
    path.write_text("".join(order_line(o) + "\n" for o in numbered_sample_orders(engine)), encoding="utf-8")
    engine.dispose()
    return path


SAMPLE_ORDERS = _numbered_samples()


@cache
def sample_shop() -> Shop:
    return load_shop(SAMPLE_SHOP)


@cache
def sample_orders() -> tuple[Order, ...]:
    return load_orders(SAMPLE_ORDERS, sample_shop()).orders


def long_order() -> Order:
    return max(sample_orders(), key=lambda order: len(order.items))


def labels_of(order: Order, template: str, dpi: int = 203, *, mask: bool = True) -> tuple[Label, ...]:
    options = LayoutOptions(dpi=dpi, mask=mask, shop=sample_shop())
    return layout_order(order, load_template(template), load_font(), options, now=NOW).labels


def decoded_code128(image: Image.Image) -> list[str]:
    results = zxingcpp.read_barcodes(
        image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)
    )
    return [result.text for result in results]


def png_files(folder: Path) -> Iterator[Path]:
    return iter(sorted(folder.glob("*.png")))


def barcode_template(folder: Path, width_mm: int = 34) -> Path:
    """The built-in 100x180 template with a pick-list column `barcode` (the built-ins do not carry one)."""
    text = (Path(__file__).parents[2] / "waybill" / "templates" / "100x180.toml").read_text(encoding="utf-8")
    name_spec = '    { field = "name_spec", title = "商品 / 规格", width = 0 },\n'
    assert text.count(name_spec) == 2, "the 100x180 pick list columns changed: update this helper"
    text = text.replace(name_spec, name_spec + f'    {{ field = "barcode", title = "条码", width = {width_mm} }},\n')
    path = folder / "100x180-barcodes.toml"
    path.write_text(text, encoding="utf-8")
    return path

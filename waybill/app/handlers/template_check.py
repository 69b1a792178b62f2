"""``waybill templates check FILE``: lay sample orders out on a template and report its problems."""

from __future__ import annotations

import argparse
from datetime import datetime
from importlib import resources
from pathlib import Path

from waybill.fonts import load_font
from waybill.orders import load_orders
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.template_check import capacity_table, check_template
from waybill.times import BEIJING
from waybill.units import DPI_CHOICES


def check_command(args: argparse.Namespace) -> int:
    template = load_template(args.template)  # parse problems raise TemplateError (all of them at once)
    samples = resources.files("waybill.samples")
    orders_path = args.orders or Path(str(samples.joinpath("orders.jsonl")))
    shop_path = args.shop or (None if args.orders else Path(str(samples.joinpath("shop.toml"))))
    shop = load_shop(shop_path) if shop_path else None
    orders = load_orders(orders_path, shop).orders
    dpis = (args.dpi,) if args.dpi else DPI_CHOICES
    result = check_template(template, load_font(args.font), orders, shop, now=datetime.now(BEIJING), dpis=dpis)
    for line in capacity_table(result.barcodes):
        print(line)
    for note in result.notes:
        print(f"note: {note}")
    for problem in result.problems:
        print(f"problem: {problem}")
    if result.problems:
        print(f"{template.source}: {len(result.problems)} problem(s)")
        return 1
    print(f"{template.source}: ok ({len(orders)} sample orders laid out at {' and '.join(map(str, dpis))} dpi)")
    return 0

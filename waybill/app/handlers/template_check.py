"""``waybill templates check FILE``: lay sample orders out on a template and report its problems."""

from __future__ import annotations

import argparse
from datetime import datetime
from importlib import resources
from pathlib import Path

from printers.layout_fonts import layout_font
from printers.profiles import PrinterProfile, get_profile, require_same_dpi
from waybill.fonts import load_font
from waybill.fonts.cells import CellFont
from waybill.i18n import _
from waybill.orders import load_orders
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.template_check import capacity_table, check_template
from waybill.template_native import native_notes
from waybill.times import BEIJING
from waybill.units import DPI_CHOICES


def _native_summary(profile: PrinterProfile) -> str:
    if not profile.native:
        return f"profile {profile.name} prints every label as one bitmap"
    return (
        f"profile {profile.name} draws labels itself: text in its resident font, barcodes, QR codes and rules by "
        "command; only characters its font lacks go as bitmaps"
    )


def check_command(args: argparse.Namespace) -> int:
    template = load_template(args.template)  # parse problems raise TemplateError (all of them at once)
    samples = resources.files("waybill.samples")
    orders_path = args.orders or Path(str(samples.joinpath("orders.jsonl")))
    shop_path = args.shop or (None if args.orders else Path(str(samples.joinpath("shop.toml"))))
    shop = load_shop(shop_path) if shop_path else None
    orders = load_orders(orders_path, shop).orders
    profile = get_profile(args.profile, args.profiles) if args.profile else None
    if profile is not None:
        require_same_dpi(args.dpi or profile.dpi, profile)
    dpis = (args.dpi,) if args.dpi else (profile.dpi,) if profile else DPI_CHOICES
    font = layout_font(profile, load_font(args.font))
    now = datetime.now(BEIJING)
    result = check_template(template, font, orders, shop, now=now, dpis=dpis)
    for line in capacity_table(result.barcodes):
        print(line)
    if profile is not None:
        print(_native_summary(profile))
    if isinstance(font, CellFont):
        for note in native_notes(template, font, orders, shop, now=now, dpi=dpis[0]):
            print(f"native: {note}")
    for note in result.notes:
        print(_("note: {note}").format(note=note))
    for problem in result.problems:
        print(_("problem: {problem}").format(problem=problem))
    if result.problems:
        print(_("{template}: {n} problem(s)").format(template=template.source, n=len(result.problems)))
        return 1
    print(
        _("{template}: ok ({n} sample orders laid out at {dpis} dpi)").format(
            template=template.source, n=len(orders), dpis=_(" and ").join(map(str, dpis))
        )
    )
    return 0

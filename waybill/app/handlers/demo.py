"""``waybill demo``: the whole tool on built-in defaults — bundled sample orders, shop, font and templates."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from printers.demo import print_through_simulator
from printers.layout_fonts import layout_font
from printers.profiles import get_profile
from stall_monitor.demo import stall_demo
from waybill.app.commands.common import Report
from waybill.app.wiring import stall_registrar
from waybill.atomic import writing
from waybill.database import open_database
from waybill.errors import OutputError
from waybill.fonts import load_font
from waybill.i18n import _
from waybill.layout.engine import LayoutOptions
from waybill.orders import load_orders
from waybill.output import LabelSink, PdfFile, PngFolder, write_all
from waybill.pipeline import LabelJob, labels_for
from waybill.samples import numbered_sample_orders, sample_path
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING


def run(args: argparse.Namespace) -> int:
    if args.output.exists() and not args.output.is_dir():
        raise OutputError(f"{args.output} is a file; the demo writes a folder (give -o a folder name)")
    with writing(args.output):
        args.output.mkdir(parents=True, exist_ok=True)
    shop = load_shop(sample_path("shop.toml"))
    unnumbered = sum(not o.waybill_no for o in load_orders(sample_path("orders.jsonl"), shop).orders)
    db = args.output / "waybill.db"
    args.output.mkdir(parents=True, exist_ok=True)
    orders = numbered_sample_orders(open_database(str(db)))
    profile = get_profile(args.profile)
    job = LabelJob(
        template=load_template(args.template),
        font=layout_font(profile, load_font()),
        options=LayoutOptions(shop=shop),
        now=datetime.now(BEIJING).replace(second=0, microsecond=0),
    )
    print(_("waybill demo: {n} sample orders from {path}").format(n=len(orders), path=sample_path("orders.jsonl")))
    print(_("  numbers: {n} orders got theirs from the bundled segments.csv").format(n=unnumbered))
    outputs: list[tuple[str, LabelSink, Path]] = [
        (
            _("  PNG labels: {labels} labels for {orders} orders ({template}) → {place}"),
            PngFolder(args.output / "png"),
            args.output / "png",
        ),
        (
            _("  PDF: {labels} labels for {orders} orders ({template}) → {place}"),
            PdfFile(args.output / "labels.pdf"),
            args.output / "labels.pdf",
        ),
    ]
    for line, sink, place in outputs:
        written = write_all(sink, labels_for(orders, job, on_warning=Report().warning))
        print(line.format(labels=written.labels, orders=written.orders, template=args.template, place=place))
    printed = print_through_simulator(
        args.output, orders, job, args.template, sample_path("shop.toml"), stall_registrar, profile
    )
    print(_("  printing: {summary}").format(summary=printed))
    stalls = stall_demo(
        args.output / "waybill.db",
        sample_path("tracking.jsonl"),
        sample_path("work_orders.csv"),
        sample_path("invoices.jsonl"),
        args.output / "stall-report.html",
    )
    print(_("  stall monitor: {summary}").format(summary=stalls))
    return 0

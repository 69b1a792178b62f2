"""``waybill render``: orders → PNG files, one PDF, or a printer-ready ESC/POS or TSPL stream."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.commands.common import Report, add_label_options, label_job, read_orders_for
from waybill.output import LabelSink, PdfFile, PngFolder, write_all
from waybill.pipeline import labels_for

FORMATS = ("png", "pdf")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render orders to label images, a PDF, or a printer stream",
        description="Render every order of ORDERS (JSON Lines or CSV) as combined waybill + pick-list labels. "
        "Bad orders stop the run before anything is written, unless --skip-invalid.",
    )
    parser.add_argument("orders", type=Path, help="orders file (.jsonl or .csv)")
    parser.add_argument("-f", "--format", choices=FORMATS, default="png", help="output format")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for PNGs, file for the others")
    add_label_options(parser)
    parser.set_defaults(handler=run)


def open_sink(fmt: str, output: Path, args: argparse.Namespace) -> LabelSink:
    if fmt == "png":
        return PngFolder(output)
    return PdfFile(output)


def run(args: argparse.Namespace) -> int:
    job = label_job(args)
    loaded = read_orders_for(args, job, args.orders)
    report = Report()
    report.problems(loaded.problems)
    sink = open_sink(args.format, args.output, args)
    labels = labels_for(
        loaded.orders, job, on_warning=report.warning, on_skip=report.skip if args.skip_invalid else None
    )
    written = write_all(sink, labels)
    where = args.output if args.format == "png" else written.paths[0]
    print(
        f"rendered {written.labels} label(s) for {written.orders} order(s) to {where}; "
        f"{report.warnings} warning(s), {report.skipped} order(s) skipped"
    )
    return 0

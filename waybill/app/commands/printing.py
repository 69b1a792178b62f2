"""``waybill print``, ``waybill jobs`` and ``waybill reprint``."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.app.commands.options import add_label_options, add_printer_options
from waybill.i18n import _


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    printing = subparsers.add_parser(
        "print",
        help=_("print orders (or resume a job) on a thermal printer"),
        description=_(
            "Validate every order, record the batch as a job, and print it. After a fault, a dropped "
            "link or a killed process, `--resume JOB` prints what is left: printed labels are never sent again, "
            "labels whose fate is unknown are printed again and recorded as reprints."
        ),
    )
    printing.add_argument("orders", nargs="?", type=Path, help=_("orders file (.jsonl or .csv)"))
    printing.add_argument("--resume", type=int, metavar="JOB", help=_("continue job JOB instead of starting one"))
    printing.add_argument(
        "--on-fault",
        choices=("wait", "stop"),
        help=_(
            "paper out or cover open: wait for it to clear (default at a terminal) or stop "
            "with the job saved (default otherwise)"
        ),
    )
    repeats = printing.add_mutually_exclusive_group()
    repeats.add_argument(
        "--skip-printed",
        dest="repeats",
        action="store_const",
        const="skip",
        help=_("leave out waybills an earlier job printed (default: stop and list them, send nothing)"),
    )
    repeats.add_argument(
        "--reprint",
        dest="repeats",
        action="store_const",
        const="reprint",
        help=_("print waybills an earlier job printed again, recorded as reprints (补打, reason manual)"),
    )
    add_printer_options(printing, printer_required=False)
    add_label_options(printing, template_default="100x180")
    printing.set_defaults(handler=deferred("waybill.app.handlers.printing:print_command"), dpi=None, repeats="refuse")

    jobs = subparsers.add_parser("jobs", help=_("list print jobs and their label counts, or one job's labels"))
    jobs.add_argument("job", nargs="?", type=int, help=_("show this job's labels and reprints"))
    jobs.add_argument("--db", help=_("the store (see `waybill print --help`)"))
    jobs.add_argument("--limit", type=int, default=20)
    jobs.set_defaults(handler=deferred("waybill.app.handlers.jobs:jobs_command"))

    reprint = subparsers.add_parser("reprint", help=_("print one waybill's label(s) again, recorded as a reprint"))
    reprint.add_argument("waybill_no")
    add_printer_options(reprint, printer_required=False)
    reprint.set_defaults(handler=deferred("waybill.app.handlers.printing:reprint_command"))

    station = subparsers.add_parser(
        "station",
        help=_("print station: scan an order id or waybill number, its label prints at once"),
        description=_(
            "Reads codes from standard input (a barcode scanner types like a keyboard) and prints each "
            "order's label(s) at once. Orders come from --orders, else from earlier print jobs in the store. "
            "A code printed before asks first (answer y) and the reprint is recorded. Ends at end of input."
        ),
    )
    station.add_argument("--orders", type=Path, help=_("orders file (.jsonl or .csv) to look codes up in"))
    station.add_argument("--on-fault", choices=("wait", "stop"), default="wait")
    station.add_argument(
        "--verify",
        action="store_true",
        help=_("pack verification (扫描验货): scan the order, then every unit; the label prints after the last one"),
    )
    station.add_argument(
        "--force-code", metavar="CODE", help=_("with --verify: scanned, prints the open order short of what is missing")
    )
    station.add_argument(
        "--station-name", default=socket.gethostname(), help=_("recorded with each verification (default: hostname)")
    )
    add_printer_options(station, printer_required=True)
    add_label_options(station, template_default="100x180")
    station.set_defaults(handler=deferred("waybill.app.handlers.printing:station_command"), dpi=None)

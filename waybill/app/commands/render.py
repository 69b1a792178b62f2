"""``waybill render``: orders → PNG files, one PDF, or a printer-ready ESC/POS, TSPL or ZPL stream."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from printers.languages import LANGUAGES
from waybill.app.commands import deferred
from waybill.app.commands.options import add_db_option, add_label_options
from waybill.i18n import _

FORMATS = ("png", "pdf", *LANGUAGES)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "render",
        help=_("render orders to label images, a PDF, or a printer stream"),
        description=_(
            "Render every order of ORDERS (JSON Lines or CSV) as combined waybill + pick-list labels. "
            "Bad orders stop the run before anything is written, unless --skip-invalid."
        ),
    )
    parser.add_argument("orders", type=Path, help=_("orders file (.jsonl or .csv)"))
    parser.add_argument("-f", "--format", choices=FORMATS, default="png", help=_("output format"))
    parser.add_argument("-o", "--output", type=Path, required=True, help=_("folder for PNGs, file for the others"))
    parser.add_argument(
        "--profile",
        help=_(
            "printer profile for escpos/tspl/zpl output (`waybill printers profiles`); with png/pdf, a native "
            "profile previews its labels"
        ),
    )
    parser.add_argument("--profiles", type=Path, help=_("a TOML file of extra or overriding printer profiles"))
    add_label_options(parser)
    add_db_option(parser)  # where orders without a number get theirs (see `waybill numbers`)
    parser.set_defaults(handler=deferred("waybill.app.handlers.render:run"), dpi=None)

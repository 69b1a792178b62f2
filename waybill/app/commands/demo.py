"""``waybill demo``: the whole tool on built-in defaults — bundled sample orders, shop, font and templates."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.i18n import _


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "demo", help=_("the whole tool on built-in samples: labels, a simulated printer, the stall report")
    )
    parser.add_argument("-o", "--output", type=Path, default=Path("waybill-demo"), help=_("output folder"))
    parser.add_argument("-t", "--template", default="100x180", help=_("template for the demo labels"))
    parser.add_argument(
        "--profile", default="tspl-203", help=_("the simulated printer's profile (tspl-203-native: native labels)")
    )
    parser.set_defaults(handler=deferred("waybill.app.handlers.demo:run"))

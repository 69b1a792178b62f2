"""``waybill templates``: list the built-in templates; ``waybill templates check FILE``: find problems."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.i18n import _
from waybill.units import DPI_CHOICES


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("templates", help=_("list label templates, or check one"))
    parser.set_defaults(handler=deferred("waybill.app.handlers.templates:list_templates"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help=_("check a template for problems"),
        description=_(
            "Report unknown fields, elements off the page, barcodes that do not fit with their quiet "
            "zones and text below its minimum size; show the longest number each barcode carries; lay out sample "
            "orders at 203 and 300 dpi (or the one --dpi)."
        ),
    )
    check.add_argument("template", help=_("template name or .toml file"))
    check.add_argument("--orders", type=Path, help=_("orders to try (default: the bundled sample orders)"))
    check.add_argument("--shop", type=Path, help=_("shop profile for those orders"))
    check.add_argument("--font", type=Path, help=_("font to measure with"))
    check.add_argument("--dpi", type=int, choices=DPI_CHOICES, help=_("check at this resolution only"))
    check.add_argument(
        "--profile",
        help=_(
            "lay out for this printer profile (its dpi; a native profile's resident font) and report what a "
            "native profile cannot draw itself"
        ),
    )
    check.add_argument("--profiles", type=Path, help=_("a TOML file of extra or overriding printer profiles"))
    check.set_defaults(handler=deferred("waybill.app.handlers.template_check:check_command"))

"""``waybill templates``: list the built-in templates; ``waybill templates check FILE``: find problems."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.units import DPI_CHOICES


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("templates", help="list label templates, or check one")
    parser.set_defaults(handler=deferred("waybill.app.handlers.templates:list_templates"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check a template for problems",
        description="Report unknown fields, elements off the page, barcodes that do not fit with their quiet "
        "zones and text below its minimum size; show the longest number each barcode carries; lay out sample "
        "orders at 203 and 300 dpi (or the one --dpi).",
    )
    check.add_argument("template", help="template name or .toml file")
    check.add_argument("--orders", type=Path, help="orders to try (default: the bundled sample orders)")
    check.add_argument("--shop", type=Path, help="shop profile for those orders")
    check.add_argument("--font", type=Path, help="font to measure with")
    check.add_argument("--dpi", type=int, choices=DPI_CHOICES, help="check at this resolution only")
    check.add_argument(
        "--profile",
        help="lay out for this printer profile (its dpi; a native profile's resident font) and report what a "
        "native profile cannot draw itself",
    )
    check.add_argument("--profiles", type=Path, help="a TOML file of extra or overriding printer profiles")
    check.set_defaults(handler=deferred("waybill.app.handlers.template_check:check_command"))

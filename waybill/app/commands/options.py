"""Options several sub-commands share: the label options (render, print, station) and the printer options."""

from __future__ import annotations

import argparse
from pathlib import Path

from printers.profiles import DEFAULT_PROFILE
from waybill.i18n import _
from waybill.units import DEFAULT_DPI, DPI_CHOICES

__all__ = ["add_db_option", "add_label_options", "add_printer_options"]


def add_label_options(parser: argparse.ArgumentParser, *, template_default: str | None = None) -> None:
    parser.add_argument(
        "-t",
        "--template",
        default=template_default,
        required=template_default is None,
        help=_("built-in template name (see `waybill templates`) or a template .toml file"),
    )
    parser.add_argument("--dpi", type=int, choices=DPI_CHOICES, default=DEFAULT_DPI, help=_("printer resolution"))
    parser.add_argument("--shop", type=Path, help=_("shop profile (TOML): name, sender, carrier accounts/branches"))
    parser.add_argument(
        "--catalog", type=Path, help=_("CSV sku,barcode: barcodes for items that carry none (a row per barcode)")
    )
    parser.add_argument("--no-mask", action="store_true", help=_("print recipient name and phone in full"))
    parser.add_argument("--font", type=Path, help=_("a TrueType font (TTF/TTC) instead of the bundled one"))
    parser.add_argument("--printed-at", help=_("print time on the labels (ISO 8601; default: each order's shipped_at)"))
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("render the valid orders and list the others, instead of stopping"),
    )


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help=_(
            "the store: a SQLite file or a database URL (default: WAYBILL_DB, then ~/.local/share/waybill/waybill.db)"
        ),
    )


def add_printer_options(parser: argparse.ArgumentParser, *, printer_required: bool) -> None:
    parser.add_argument(
        "--printer",
        required=printer_required,
        help=_(
            "printer URI: tcp://HOST[:PORT], serial:///dev/ttyUSB0?baudrate=115200, usb://VID:PID, "
            "file:///dev/usb/lp0, cups://QUEUE"
        ),
    )
    parser.add_argument(
        "--profile",
        help=_("printer profile (`waybill printers profiles`; default {profile})").format(profile=DEFAULT_PROFILE),
    )
    parser.add_argument("--profiles", type=Path, help=_("a TOML file of extra or overriding printer profiles"))
    add_db_option(parser)

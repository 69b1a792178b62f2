"""Sub-commands of the printers package.

``waybill printers profiles [--profiles FILE]``   the printer profiles, built-in and from FILE
``waybill printers check --pool FILE``             each printer of a pool file: connected, and its status
``waybill decode FILE -o DIR [--lang L]``         printer bytes back to DIR/label-0001.png …
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from printers.languages import LANGUAGES
from waybill.app.commands import deferred
from waybill.i18n import _


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    printers = subparsers.add_parser("printers", help=_("printer profiles, and the printers of a pool file"))
    printers_commands = printers.add_subparsers(dest="printers_command", metavar="COMMAND", required=True)
    profiles = printers_commands.add_parser("profiles", help=_("list the printer profiles"))
    profiles.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    profiles.set_defaults(handler=deferred("waybill.app.handlers.printers:_profiles"))
    check = printers_commands.add_parser(
        "check",
        help=_("connect to each printer of a pool file and report its status"),
        description=_(
            "Connects to every printer of the pool file at once and asks its status; a printer that "
            "cannot be reached is a line of the report. Exit status 1 when any printer is not ready."
        ),
    )
    check.add_argument(
        "--pool", metavar="FILE", type=Path, required=True, help=_("pool file ([printers.NAME], [pools])")
    )
    check.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    check.set_defaults(handler=deferred("waybill.app.handlers.printers_check:_check"))

    decode = subparsers.add_parser(
        "decode",
        help=_("decode an ESC/POS, TSPL or ZPL stream back to label images"),
        description=_(
            "Decode printer bytes (ESC/POS, TSPL or ZPL) into DIR/label-0001.png … and list the "
            "commands that were not understood."
        ),
    )
    decode.add_argument("file", metavar="FILE", type=Path, help=_("printer stream to decode"))
    decode.add_argument("-o", "--output", metavar="DIR", type=Path, required=True, help=_("directory for the PNGs"))
    decode.add_argument("--lang", choices=("auto", *LANGUAGES), default="auto", help=_("stream language"))
    decode.add_argument(
        "--profile", metavar="NAME", help=_("printer profile: head width (ESC/POS) and dots per mm (TSPL SIZE)")
    )
    decode.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    decode.set_defaults(handler=deferred("waybill.app.handlers.decode:_decode"))

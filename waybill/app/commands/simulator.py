"""``waybill printer-sim``: run the printer simulator until Ctrl-C (or ``--quit-after N`` labels).

::

    waybill printer-sim --lang tspl --port 9100 --save out/ --paper-out-after 5
    waybill printer-sim --lang zpl --port 9101
    waybill printer-sim --lang escpos --serial --baud 115200      # prints serial:///dev/pts/N?baudrate=…

The first line of output is the URI to print to; then one line per event (connections, status queries,
labels printed, acknowledgements, faults), and a summary at the end.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from printers.languages import LANGUAGES
from waybill.app.commands import deferred
from waybill.i18n import _

__all__ = ["register"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more, not {value}").format(value=value))
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(_("must be above 0, not {value}").format(value=text))
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    sim = subparsers.add_parser(
        "printer-sim",
        help=_("run a virtual ESC/POS, TSPL or ZPL printer on a loopback port or a pseudo-terminal"),
        description=_(
            "A virtual printer: decodes what it receives into label images, takes data only as fast "
            "as its head prints (a finite receive buffer), answers status queries and GS ( H acknowledgements, "
            "and plays paper-out and dropped-connection faults. Runs until Ctrl-C."
        ),
    )
    sim.add_argument("--lang", choices=LANGUAGES, help=_("printer language (default: the profile's, or escpos)"))
    sim.add_argument("--profile", metavar="NAME", help=_("printer profile (default: escpos-4inch, tspl-203, zpl-203)"))
    sim.add_argument("--profiles", metavar="FILE", type=Path, help=_("TOML file adding or overriding profiles"))
    sim.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    sim.add_argument("--port", type=int, default=9100, help=_("TCP port; 0 picks a free one (default: 9100)"))
    sim.add_argument(
        "--speed-mm-s", type=_positive_float, metavar="MM_S", help=_("head speed (default: the profile's)")
    )
    sim.add_argument(
        "--buffer-bytes",
        type=_positive_int,
        metavar="N",
        help=_("receive buffer (default: escpos 64 KiB, tspl 4 MiB, zpl 1 MiB)"),
    )
    sim.add_argument("--paper-out-after", type=_positive_int, metavar="N", help=_("paper runs out after label N"))
    sim.add_argument(
        "--paper-out-seconds", type=_positive_float, default=3.0, metavar="S", help=_("paper is back after S s (3)")
    )
    sim.add_argument("--drop-after", type=_positive_int, metavar="N", help=_("reset the connection after label N"))
    sim.add_argument("--save", metavar="DIR", type=Path, help=_("save each label as DIR/label-0001.png …"))
    sim.add_argument("--serial", action="store_true", help=_("serve on a pseudo-terminal instead of TCP"))
    sim.add_argument("--baud", type=_positive_int, metavar="N", help=_("with --serial: throttle the line to N baud"))
    sim.add_argument("--quit-after", type=_positive_int, metavar="N", help=_("stop once N labels have printed"))
    sim.add_argument("--quiet", action="store_true", help=_("print only the URI and the summary"))
    sim.set_defaults(handler=deferred("waybill.app.handlers.simulator:_run"))

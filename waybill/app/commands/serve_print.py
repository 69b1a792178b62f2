"""``waybill serve-print``: a print service for a packing line — a pool of printers behind a JSON API, the
print-component protocol web ERPs speak (``ws://localhost:13528``) and a live page, on one port."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands import deferred
from waybill.app.commands.options import add_db_option

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "serve-print",
        help="serve a pool of printers: JSON API, print-component WebSocket and a live page on one port",
        description="Prints jobs on a pool of printers (failover, batch serials, every label in the journal). "
        "POST /jobs, GET /jobs/ID, POST /jobs/ID/resume, GET /printers (OpenAPI at /openapi.json); the "
        "Cainiao print-component protocol as a WebSocket on /; the live page at /.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=13528, help="port (default 13528, the print component's)")
    parser.add_argument("--pool", type=Path, required=True, metavar="FILE", help="pool file ([printers.NAME], [pools])")
    parser.add_argument("--pool-name", metavar="NAME", help="the pool to print on (default: the file's only pool)")
    add_db_option(parser)
    parser.add_argument("--token", help="bearer token the clients must send (required beyond loopback)")
    parser.add_argument(
        "--template",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="a template file jobs may name as NAME (repeatable); built-in ones are always there",
    )
    parser.add_argument("--shop", type=Path, help="shop profile for jobs that give none (sender, number sources)")
    parser.add_argument(
        "--grace", type=float, default=20.0, help="seconds a faulted printer keeps its run before it moves (20)"
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=30.0,
        help="seconds after which another host of the pool takes over the runs of a host that died (30)",
    )
    parser.set_defaults(handler=deferred("waybill.app.handlers.serve_print:serve_print"))

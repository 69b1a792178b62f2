"""``waybill serve-print``: a print service for a packing line — a pool of printers behind a JSON API, the
print-component protocol web ERPs speak (``ws://localhost:13528``) and a live page, on one port."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waybill.app.commands.common import add_db_option
from waybill.errors import UsageError

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
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from printers.pool_file import load_pool_file
    from waybill.app.service.core import PrintService
    from waybill.app.service.server import ServiceServer, check_exposure
    from waybill.database import open_database
    from waybill.shop import load_shop

    check_exposure(args.host, args.token)  # before anything is opened
    templates = {}
    for given in args.template:
        name, sep, file = given.partition("=")
        if not sep or not name or not file:
            raise UsageError(f"--template {given!r}: expected NAME=FILE")
        if not Path(file).is_file():
            raise UsageError(f"--template {name}: no file {file}")
        templates[name] = Path(file)
    if args.shop:
        load_shop(args.shop)  # its problems now, not on the first job
    pool_file = load_pool_file(args.pool)
    pool_name = args.pool_name
    if pool_name is None:
        if len(pool_file.pools) != 1:
            raise UsageError(
                f"{args.pool}: {len(pool_file.pools)} pools ({', '.join(pool_file.pools)}): name one with --pool-name"
            )
        (pool_name,) = pool_file.pools
    pool_file.pool(pool_name)
    service = PrintService(
        pool_file,
        pool_name,
        open_database(args.db),
        templates=templates,
        shop=args.shop,
        grace=args.grace,
        lease=args.lease,
    )
    server = ServiceServer(service, args.host, args.port, token=args.token)

    def ready(address: tuple[str, int]) -> None:
        host, port = address
        print(
            f"serving pool {pool_name} on http://{host}:{port}/ (print components: ws://{host}:{port}/); Ctrl-C stops",
            flush=True,
        )

    service.start()
    try:
        server.serve(ready)
    finally:
        service.close()
    return 0

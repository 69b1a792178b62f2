"""``waybill serve-print``: the pool, the service and its server, started and stopped."""

from __future__ import annotations

import argparse
from pathlib import Path

from printers.pool_file import load_pool_file
from waybill.app.service.core import PrintService
from waybill.app.service.server import ServiceServer, check_exposure
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.i18n import _
from waybill.shop import load_shop

__all__ = ["serve_print"]


def serve_print(args: argparse.Namespace) -> int:
    """Check the options, start the pool, serve until Ctrl-C or SIGTERM."""
    check_exposure(args.host, args.token)  # before anything is opened
    templates = {}
    for given in args.template:
        name, sep, file = given.partition("=")
        if not sep or not name or not file:
            raise UsageError(_("--template {given!r}: expected NAME=FILE").format(given=given))
        if not Path(file).is_file():
            raise UsageError(_("--template {name}: no file {file}").format(name=name, file=file))
        templates[name] = Path(file)
    if args.shop:
        load_shop(args.shop)  # its problems now, not on the first job
    pool_file = load_pool_file(args.pool)
    pool_name = args.pool_name
    if pool_name is None:
        if len(pool_file.pools) != 1:
            raise UsageError(
                _("{file}: {count} pools ({pools}): name one with --pool-name").format(
                    file=args.pool, count=len(pool_file.pools), pools=", ".join(pool_file.pools)
                )
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
            _(
                "serving pool {pool} on http://{host}:{port}/ (print components: ws://{host}:{port}/); Ctrl-C stops"
            ).format(pool=pool_name, host=host, port=port),
            flush=True,
        )

    service.start()
    try:
        server.serve(ready)
    finally:
        service.close()
    return 0

"""``waybill stall ingest``: tracking files, Kuaidi100 pushes, orders and work orders into the store.

The first tracking file's reader process starts before the store's stack (SQLAlchemy, 0.2 s) is imported
and the store opened, so its first batches are read meanwhile (``stall_monitor.read_ahead``); hence the
imports inside ``run``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stall_monitor.errors import TrackingError
from stall_monitor.event_rows import BATCH_SIZE
from stall_monitor.read_ahead import ReadAhead
from stall_monitor.sources.files import read_events
from stall_monitor.sources.kuaidi100 import read_pushes
from waybill.app.commands.stall import print_problems
from waybill.errors import UsageError
from waybill.i18n import _, ngettext
from waybill.store_location import database_url, dialect_name

# A tracking file to ingest: the line that reports it, its path, and the reader of its format.
Source = tuple[str, Path, Callable[[Path], Iterable[Any]]]


def run(args: argparse.Namespace) -> int:
    sources = (args.events, args.kuaidi100, args.orders, args.work_orders)
    if not any(sources):
        raise UsageError(_("nothing to ingest: give --events, --kuaidi100, --orders or --work-orders"))
    if args.shop and not args.orders:
        raise UsageError(_("--shop applies to --orders only"))
    readers: list[Source] = [
        *((_("events {path}: {summary}"), p, read_events) for p in args.events),
        *((_("kuaidi100 {path}: {summary}"), p, read_pushes) for p in args.kuaidi100),
    ]
    dialect = dialect_name(database_url(args.db))
    first = None
    if readers:
        _label, path, reader = readers[0]
        first = ReadAhead(reader(path), BATCH_SIZE, dialect)
    try:
        return _ingest(args, readers, first)
    finally:
        if first is not None:
            first.close()


def _ingest(args: argparse.Namespace, readers: list[Source], first: ReadAhead | None) -> int:
    from stall_monitor.ingest import IngestCounts, ingest_events
    from stall_monitor.sources.files import read_work_orders
    from stall_monitor.store import open_store
    from stall_monitor.workorders import ingest_work_orders

    engine = open_store(args.db)
    rejected = 0
    if args.orders:
        from stall_monitor.orders import register_order_files

        registered, problems = register_order_files(engine, args.orders, args.shop, on_problem=print_problems())
        rejected += problems
        print(
            ngettext(
                "orders: {n} waybill registered, {rejected} rejected",
                "orders: {n} waybills registered, {rejected} rejected",
                registered,
            ).format(n=registered, rejected=problems)
        )
    received_at = datetime.now(UTC)
    total = IngestCounts()
    for index, (label, path, reader) in enumerate(readers):
        items = first if index == 0 and first is not None else reader(path)
        counts = ingest_events(engine, items, received_at=received_at, on_problem=print_problems(), read_ahead=True)
        print(label.format(path=path, summary=counts.summary()))
        total += counts
    if len(readers) > 1:
        print(_("total: {summary}").format(summary=total.summary()))
    rejected += total.rejected
    for path in args.work_orders:
        result = ingest_work_orders(engine, read_work_orders(path), on_problem=print_problems())
        print(_("work orders {path}: {summary}").format(path=path, summary=result.summary()))
        rejected += result.rejected
    # Everything valid was stored; a rejected line still makes the run fail so scripts notice.
    return TrackingError.exit_code if rejected else 0

"""``waybill purge --before DATE``: remove personal data the store no longer needs, keeping the counts."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from printers.retention import purge_finished_jobs
from stall_monitor.retention import purge_delivered
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.times import BEIJING, FIRST_YEAR, LAST_YEAR, parse_beijing_time

__all__ = ["register"]

KEPT = (
    "kept: every job with its labels' waybill numbers, states, attempts and reprints (the counts `waybill jobs` "
    "shows); every parcel's summary (carrier, order, province, shipped, first and last event, delivered at), "
    "feed and status counts, work orders"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "purge",
        help="remove delivered parcels' events and finished jobs' personal data before a date",
        description="Remove the tracking events of parcels delivered before DATE and the orders (recipient "
        "names, phones, addresses, items) of print jobs finished before DATE. The counts stay: jobs, labels, "
        "attempts and reprints, each parcel's summary, feed and status counts. Purged waybills can no longer "
        "be reprinted from the journal.",
    )
    parser.add_argument("--before", required=True, metavar="DATE", help="ISO 8601 date or time (Beijing time)")
    parser.add_argument("--db", help="the store (see `waybill print --help`)")
    parser.set_defaults(handler=purge_command)


def purge_command(args: argparse.Namespace) -> int:
    try:
        before = parse_beijing_time(args.before)
    except ValueError as error:
        raise UsageError(
            f"--before {args.before!r} is not an ISO 8601 date or time from {FIRST_YEAR} to {LAST_YEAR}"
        ) from error
    if before > datetime.now(UTC):
        raise UsageError(f"--before {args.before!r} is in the future; purge removes only what is already done")
    engine = open_database(args.db, create=False)
    jobs = purge_finished_jobs(engine, before)
    tracking = purge_delivered(engine, before)
    print(f"purged what was done before {before.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing):")
    print(f"  print jobs: the orders of {jobs.jobs} finished job(s) removed ({jobs.orders} order(s): names, phones,")
    print("    addresses, items, remarks); those waybills can no longer be reprinted from the journal")
    print(f"  tracking: {tracking.events} event(s) of {tracking.parcels} delivered parcel(s) removed")
    print(f"  {KEPT}")
    return 0

"""``waybill purge --before DATE``: remove personal data the store no longer needs, keeping the counts."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from printers.retention import purge_finished_jobs
from stall_monitor.retention import purge_delivered
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.i18n import N_, _
from waybill.times import BEIJING, FIRST_YEAR, LAST_YEAR, parse_beijing_time

__all__ = ["register"]

KEPT = N_(
    "kept: every job with its labels' waybill numbers, states, attempts and reprints (the counts `waybill jobs` "
    "shows); every parcel's summary (carrier, order, province, shipped, first and last event, delivered at), "
    "feed and status counts, work orders"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "purge",
        help=_("remove delivered parcels' events and finished jobs' personal data before a date"),
        description=_(
            "Remove the tracking events of parcels delivered before DATE and the orders (recipient "
            "names, phones, addresses, items) of print jobs finished before DATE. The counts stay: jobs, labels, "
            "attempts and reprints, each parcel's summary, feed and status counts. Purged waybills can no longer "
            "be reprinted from the journal."
        ),
    )
    parser.add_argument("--before", required=True, metavar="DATE", help=_("ISO 8601 date or time (Beijing time)"))
    parser.add_argument("--db", help=_("the store (see `waybill print --help`)"))
    parser.set_defaults(handler=purge_command)


def purge_command(args: argparse.Namespace) -> int:
    try:
        before = parse_beijing_time(args.before)
    except ValueError as error:
        raise UsageError(
            _("--before {text!r} is not an ISO 8601 date or time from {first} to {last}").format(
                text=args.before, first=FIRST_YEAR, last=LAST_YEAR
            )
        ) from error
    if before > datetime.now(UTC):
        raise UsageError(
            _("--before {text!r} is in the future; purge removes only what is already done").format(text=args.before)
        )
    engine = open_database(args.db, create=False)
    jobs = purge_finished_jobs(engine, before)
    tracking = purge_delivered(engine, before)
    print(_("purged what was done before {at} (Beijing):").format(at=f"{before.astimezone(BEIJING):%Y-%m-%d %H:%M}"))
    print(
        _(
            "  print jobs: the orders of {jobs} finished job(s) removed ({orders} order(s): names, phones,\n"
            "    addresses, items, remarks); those waybills can no longer be reprinted from the journal"
        ).format(jobs=jobs.jobs, orders=jobs.orders)
    )
    print(
        _("  tracking: {events} event(s) of {parcels} delivered parcel(s) removed").format(
            events=tracking.events, parcels=tracking.parcels
        )
    )
    print("  " + _(KEPT))
    return 0

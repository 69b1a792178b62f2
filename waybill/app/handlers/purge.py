"""``waybill purge --before DATE``: remove personal data the store no longer needs, keeping the counts."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from printers.retention import purge_finished_jobs
from stall_monitor.retention import purge_delivered
from waybill.app.service.task_store import purge_tasks
from waybill.database import open_database
from waybill.errors import UsageError
from waybill.i18n import _
from waybill.times import BEIJING, FIRST_YEAR, LAST_YEAR, parse_beijing_time

KEPT = (
    "kept: every job with its labels' waybill numbers, states, attempts and reprints (the counts `waybill jobs` "
    "shows); every parcel's summary (carrier, order, province, shipped, first and last event, delivered at), "
    "feed and status counts, work orders"
)


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
    tasks = purge_tasks(engine, before)
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
    print(_("  print service: {tasks} print-component task(s) given before then removed").format(tasks=tasks))
    print("  " + _(KEPT))
    return 0

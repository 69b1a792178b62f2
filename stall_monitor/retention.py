"""Retention: delivered parcels' tracking events removed after a date, their counts kept.

A delivered parcel can no longer stall, and its events' texts name people (签收人：张三) and may hold phone
numbers. ``purge_delivered`` deletes the events of parcels delivered (``closed_at``) before a date and blanks
the copy of the last event's text in the parcel's summary. It keeps the summary row (carrier, order id,
province, shipped, first and last event time, last status and place, when it was delivered), the feed-hour
and unknown-status counts and the work orders: a scan at any later instant gives the same result. A push that
re-sends a purged parcel's history stores its events again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.store import events, prepare, waybills, writing

__all__ = ["TrackingPurge", "purge_delivered"]


@dataclass(frozen=True)
class TrackingPurge:
    parcels: int  # delivered parcels whose events were removed
    events: int


def purge_delivered(engine: Engine, before: datetime) -> TrackingPurge:
    """Remove the events of every parcel delivered before ``before`` (aware); one transaction."""
    prepare(engine)
    delivered = sa.select(waybills.c.waybill_no).where(waybills.c.closed_at < before)
    with writing(engine, "cannot purge tracking events") as connection:
        parcels = connection.execute(
            sa.select(sa.func.count(sa.distinct(events.c.waybill_no))).where(events.c.waybill_no.in_(delivered))
        ).scalar_one()
        removed = connection.execute(events.delete().where(events.c.waybill_no.in_(delivered))).rowcount
        connection.execute(
            waybills.update()
            .where(waybills.c.closed_at < before, waybills.c.last_context != "")
            .values(last_context="")
        )
    return TrackingPurge(int(parcels), int(removed))

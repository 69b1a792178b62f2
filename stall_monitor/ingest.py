"""Streaming ingest of tracking events into the store, in batches, idempotently.

Each batch of events is one transaction: ``INSERT … ON CONFLICT (event_key) DO NOTHING RETURNING`` tells
which events are new; the per-waybill summary is then moved forward from the new events only, with
order-independent ``CASE`` updates (a late-arriving older event never replaces a newer last event). Memory
stays flat: one batch of events at a time, problems go to a callback, not a list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stall_monitor.batches import Rejected
from stall_monitor.event_rows import (
    BATCH_SIZE,
    CARRIER,
    CONTEXT,
    EVENT_COLUMNS,
    KEY,
    LOCATION,
    STATUS,
    TIME,
    WAYBILL,
    PreparedBatch,
    Row,
)
from stall_monitor.events import CLOSING_STATUSES, KNOWN_STATUSES, Event
from stall_monitor.read_ahead import ReadAhead, prepared_elsewhere, prepared_in_turn
from stall_monitor.staging import load, staging_table
from stall_monitor.store import (
    events,
    feed_hours,
    prepare,
    refresh_statistics,
    unknown_statuses,
    upsert,
    waybills,
    writing,
)
from waybill.collector import no_cycle_collection
from waybill.errors import Problem
from waybill.i18n import _, ngettext

__all__ = ["IngestCounts", "ingest_events"]

SQLITE_CACHE_KIB = 65536


@dataclass
class IngestCounts:
    """What one ingest run did: new and duplicate events, rejected lines, new events with unknown statuses."""

    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    unknown: Counter[str] = field(default_factory=Counter)

    def __iadd__(self, other: IngestCounts) -> IngestCounts:
        self.new += other.new
        self.duplicate += other.duplicate
        self.rejected += other.rejected
        self.unknown.update(other.unknown)
        return self

    def summary(self) -> str:
        text = _("{new} new, {duplicate} duplicate, {rejected} rejected").format(
            new=self.new, duplicate=self.duplicate, rejected=self.rejected
        )
        if self.unknown:
            listed = ", ".join(f"{status!r} × {n}" for status, n in self.unknown.most_common())
            n = sum(self.unknown.values())
            text += ngettext(
                "; {n} new event with unknown status (stored as it came): {listed}",
                "; {n} new events with unknown status (stored as they came): {listed}",
                n,
            ).format(n=n, listed=listed)
        return text


def ingest_events(
    engine: Engine,
    items: Iterable[Event | Problem] | ReadAhead,
    *,
    received_at: datetime,
    on_problem: Callable[[Problem], None] | None = None,
    batch_size: int = BATCH_SIZE,
    read_ahead: bool = False,
) -> IngestCounts:
    """Store events (skipping those already stored); a ``Problem`` in ``items`` is counted as rejected.

    ``received_at`` is the ingest clock, recorded as when an unknown status was last seen. ``read_ahead``:
    read and prepare the next batches in a second process while this one stores those before them (for a
    file's events, where reading is half the work; see ``stall_monitor.read_ahead``). ``items`` may also be
    a ``ReadAhead`` reading them already (started before the store was opened, with this store's dialect).
    """
    prepare(engine)
    dialect = engine.dialect.name
    counts = IngestCounts()
    rejected = Rejected(on_problem)
    with no_cycle_collection():  # batches of millions of objects, none in a cycle
        if isinstance(items, ReadAhead):
            if items.dialect != dialect:
                raise ValueError(f"internal: events read for a {items.dialect} store, given to {dialect}")
            batches = items.batches(rejected)
        else:
            prepared = prepared_elsewhere if read_ahead else prepared_in_turn
            batches = prepared(items, batch_size, dialect, rejected)
        for batch in batches:
            _store_batch(engine, batch, received_at, counts)
    counts.rejected = rejected.count
    refresh_statistics(engine, counts.new)  # a new event changes one summary row at most
    return counts


def _store_batch(engine: Engine, batch: PreparedBatch, received_at: datetime, counts: IngestCounts) -> None:
    with writing(engine, "cannot store tracking events") as connection:
        if connection.dialect.name == "sqlite":
            # A bigger page cache for this pooled connection: inserts into a large key stay in memory;
            # the staging tables (see ``staging``) in memory too, not in a temporary file.
            connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            connection.exec_driver_sql("PRAGMA temp_store = MEMORY")
        counts += _ingest_batch(connection, batch, received_at)


_SUMMARY_COLUMNS = (
    "waybill_no", "carrier", "first_event_at", "last_event_at", "last_key", "last_status", "last_context",
    "last_location", "closed_at",
)  # fmt: skip
_staged_events = staging_table("tracking_staged_events", events, EVENT_COLUMNS)
_staged_summaries = staging_table("tracking_staged_summaries", waybills, _SUMMARY_COLUMNS)
_FEED_COLUMNS = ("carrier", "hour", "first_event_at", "last_event_at", "events")
_staged_feeds = staging_table("tracking_staged_feeds", feed_hours, _FEED_COLUMNS)


def _ingest_batch(connection: Connection, batch: PreparedBatch, received_at: datetime) -> IngestCounts:
    rows = batch.rows
    counts = IngestCounts(duplicate=batch.duplicate)
    carriers = _registered_carriers(connection, {row[WAYBILL] for row in rows if not row[CARRIER]})
    if carriers:
        rows = [row if row[CARRIER] else (*row[:CARRIER], carriers.get(row[WAYBILL], "")) for row in rows]
    # Staged in one driver call, then one INSERT … SELECT: the events not stored yet come back.
    load(connection, _staged_events, rows)
    staged = _staged_events.c
    statement = (
        upsert(connection, events)
        .from_select(EVENT_COLUMNS, sa.select(*staged).where(sa.true()))  # WHERE: SQLite's upsert-parsing rule
        .on_conflict_do_nothing(index_elements=[events.c.waybill_no, events.c.time, events.c.event_key])
        .returning(events.c.event_key)
    )
    inserted = set(connection.execute(statement).scalars().all())  # fetchall: one driver call, not one a row
    counts.new = len(inserted)
    counts.duplicate += len(rows) - len(inserted)
    new_rows = rows if len(inserted) == len(rows) else [row for row in rows if row[KEY] in inserted]
    if new_rows:
        _advance_summaries(connection, new_rows)
        _advance_feeds(connection, new_rows)
        unknown = [row for row in new_rows if row[STATUS] not in KNOWN_STATUSES]  # not is_known(): no call a row
        if unknown:
            counts.unknown.update(row[STATUS] for row in unknown)
            _count_unknown(connection, unknown, received_at)
    return counts


def _registered_carriers(connection: Connection, waybill_nos: set[str]) -> dict[str, str]:
    if not waybill_nos:
        return {}
    query = sa.select(waybills.c.waybill_no, waybills.c.carrier).where(waybills.c.waybill_no.in_(waybill_nos))
    return {w: c for w, c in connection.execute(query) if c}


def _advance_summaries(connection: Connection, rows: list[Row]) -> None:
    """Fold new events into each waybill's summary: earliest, latest (time, key) and earliest closing event."""
    first: dict[str, str] = {}
    latest: dict[str, Row] = {}
    closed: dict[str, str] = {}
    carrier: dict[str, str] = {}
    for row in rows:
        waybill_no, time = row[WAYBILL], row[TIME]
        earliest_yet = first.get(waybill_no)
        if earliest_yet is None:
            first[waybill_no] = time
            latest[waybill_no] = row
        else:
            if time < earliest_yet:
                first[waybill_no] = time
            current = latest[waybill_no]
            if time > current[TIME] or (time == current[TIME] and row[KEY] > current[KEY]):
                latest[waybill_no] = row
        if row[STATUS] in CLOSING_STATUSES and (waybill_no not in closed or time < closed[waybill_no]):
            closed[waybill_no] = time
        if row[CARRIER] and waybill_no not in carrier:
            carrier[waybill_no] = row[CARRIER]
    values = [
        (
            waybill_no,
            carrier.get(waybill_no, ""),
            first[waybill_no],
            row[TIME],
            row[KEY],
            row[STATUS],
            row[CONTEXT],
            row[LOCATION],
            closed.get(waybill_no),
        )
        for waybill_no, row in latest.items()
    ]
    load(connection, _staged_summaries, values)
    insert = upsert(connection, waybills).from_select(
        _SUMMARY_COLUMNS, sa.select(*_staged_summaries.c).where(sa.true())
    )
    new, old = insert.excluded, waybills.c
    later = sa.or_(
        old.last_event_at.is_(None),
        new.last_event_at > old.last_event_at,
        sa.and_(new.last_event_at == old.last_event_at, new.last_key > old.last_key),
    )

    def earliest(column: str) -> sa.ColumnElement[Any]:
        return sa.case((sa.or_(old[column].is_(None), new[column] < old[column]), new[column]), else_=old[column])

    set_: dict[str, Any] = {
        name: sa.case((later, new[name]), else_=old[name])
        for name in ("last_event_at", "last_key", "last_status", "last_context", "last_location")
    }
    set_["first_event_at"] = earliest("first_event_at")
    set_["closed_at"] = earliest("closed_at")
    set_["carrier"] = sa.case((old.carrier == "", new.carrier), else_=old.carrier)
    statement = insert.on_conflict_do_update(index_elements=[waybills.c.waybill_no], set_=set_)
    connection.execute(statement)


def _advance_feeds(connection: Connection, rows: list[Row]) -> None:
    """Fold new events' (carrier, time) into the hourly feed table."""
    # Per (carrier, UTC hour): [first, last, count] of the times' text, which starts ``YYYY-MM-DD HH`` and
    # is in the driver's form (``event_rows``), so the hour is that text with its minutes zeroed.
    hours: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        time = row[TIME]
        key = (row[CARRIER], time[:13])
        entry = hours.get(key)
        if entry is None:
            hours[key] = [time, time, 1]
            continue
        if time < entry[0]:
            entry[0] = time
        elif time > entry[1]:
            entry[1] = time
        entry[2] += 1
    values = [
        (carrier, f"{hour}:00:00.000000{first[26:]}", first, last, count)
        for (carrier, hour), (first, last, count) in hours.items()
    ]
    # Staged by the driver like the events: a feed hour a batch bound through SQLAlchemy cost a fifth of
    # the store's side (each time parsed to a datetime and formatted back).
    load(connection, _staged_feeds, values)
    insert = upsert(connection, feed_hours).from_select(_FEED_COLUMNS, sa.select(*_staged_feeds.c).where(sa.true()))
    new, old = insert.excluded, feed_hours.c
    statement = insert.on_conflict_do_update(
        index_elements=[old.carrier, old.hour],
        set_={
            "first_event_at": sa.case((new.first_event_at < old.first_event_at, new.first_event_at),
                                      else_=old.first_event_at),
            "last_event_at": sa.case((new.last_event_at > old.last_event_at, new.last_event_at),
                                     else_=old.last_event_at),
            "events": old.events + new.events,
        },
    )  # fmt: skip
    connection.execute(statement)


def _count_unknown(connection: Connection, rows: list[Row], received_at: datetime) -> None:
    """Tally new events whose status is not a canonical one (``rows``: those events only)."""
    tally: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = tally.setdefault(row[STATUS], {"status": row[STATUS], "events": 0, "last_seen_at": received_at})
        entry["events"] += 1
        entry["last_waybill_no"] = row[WAYBILL]
    insert = upsert(connection, unknown_statuses)
    statement = insert.on_conflict_do_update(
        index_elements=[unknown_statuses.c.status],
        set_={
            "events": unknown_statuses.c.events + insert.excluded.events,
            "last_waybill_no": insert.excluded.last_waybill_no,
            "last_seen_at": insert.excluded.last_seen_at,
        },
    )
    connection.execute(statement, list(tally.values()))

"""Events as the rows the ingest stores: one tuple an event in ``EVENT_COLUMNS`` order (no dict per event), its
key and its time formatted once, events repeated within the batch left out.

The time is UTC text in the form the driver loads: SQLite's stored text (``waybill.stored_times.sqlite_utc_text``),
and on PostgreSQL the same with ``+00:00``, which ``COPY`` reads as that instant. Both sort as the times do,
so the summaries fold them as text. Plain strings also cross to another process cheaply (``read_ahead``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any, NamedTuple

import orjson

from stall_monitor.events import Event, event_key_at
from waybill.stored_times import sqlite_utc_text_of_iso

__all__ = ["BATCH_SIZE", "EVENT_COLUMNS", "PreparedBatch", "Row", "event_rows"]

BATCH_SIZE = 20000  # events a transaction

EVENT_COLUMNS = ("event_key", "waybill_no", "time", "status", "context", "location", "carrier")
KEY, WAYBILL, TIME, STATUS, CONTEXT, LOCATION, CARRIER = range(len(EVENT_COLUMNS))

Row = Sequence[Any]  # a tuple, or a list when it came from the reader process as JSON


class PreparedBatch(NamedTuple):
    rows: list[Row]
    duplicate: int  # events left out: the same event earlier in the batch


def event_rows(batch: list[Event], dialect: str) -> PreparedBatch:
    """The rows of ``batch`` for a store of ``dialect`` (``sqlite`` or ``postgresql``)."""
    zone = "" if dialect == "sqlite" else "+00:00"
    keys: set[str] = set()
    rows: list[Row] = []
    for event in batch:
        time = event.time if event.time.tzinfo is UTC else event.time.astimezone(UTC)
        iso = orjson.dumps(time)[1:-1].decode()  # time.isoformat() to the byte, written in C in a quarter of the time
        key = event_key_at(event.waybill_no, iso, event.status, event.context)
        if key in keys:
            continue
        keys.add(key)
        stored = sqlite_utc_text_of_iso(iso) + zone
        rows.append((key, event.waybill_no, stored, event.status, event.context, event.location, event.carrier))
    return PreparedBatch(rows, len(batch) - len(rows))

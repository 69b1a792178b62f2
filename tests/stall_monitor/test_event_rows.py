"""The rows the ingest stores: each event's key and stored time are those of the one definition of each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from stall_monitor.event_rows import CONTEXT, KEY, TIME, WAYBILL, event_rows
from stall_monitor.events import Event, event_key
from waybill.stored_times import sqlite_utc_text

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])
MOMENTS = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30), timezones=ZONES)
TEXT = st.text(max_size=20)


@given(st.lists(st.tuples(st.sampled_from(["SF1", "YT2"]), MOMENTS, TEXT), min_size=1, max_size=20))
def test_each_row_has_the_events_key_and_stored_time(events: list[tuple[str, datetime, str]]) -> None:
    batch = [Event(waybill, moment, "in_transit", context) for waybill, moment, context in events]
    for dialect, zone in (("sqlite", ""), ("postgresql", "+00:00")):
        rows, duplicate = event_rows(batch, dialect)
        unique = {e.key: e for e in batch}
        assert duplicate == len(batch) - len(unique)
        assert [row[KEY] for row in rows] == list(unique)  # first of each kept, in order
        for row in rows:
            event = unique[row[KEY]]
            assert row[KEY] == event_key(event.waybill_no, event.time, event.status, event.context)
            assert row[TIME] == f"{sqlite_utc_text(event.time)}{zone}"
            assert (row[WAYBILL], row[CONTEXT]) == (event.waybill_no, event.context)

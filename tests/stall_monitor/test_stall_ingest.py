"""Ingest: idempotent, de-duplicating, order-independent, streaming; bad lines reported with file and line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from stall_monitor.events import Event, canonical_status, event_key, event_key_at
from stall_monitor.ingest import ingest_events
from stall_monitor.rules import Rules
from stall_monitor.samples import write_jsonl
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_events
from stall_monitor.store import Registration, events, feed_hours, register_waybills, waybills
from waybill.errors import Problem
from waybill.stored_times import sqlite_utc_text, sqlite_utc_text_of_iso
from waybill.times import parse_instant
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")  # the ingest clock in these tests


def _count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


EVENTS = [
    {
        "waybill_no": "SF1",
        "time": "2022-12-20 10:00:00",
        "status": "picked_up",
        "context": "已揽收",
        "location": "杭州",
    },
    {"waybill_no": "SF1", "time": "2022-12-20T18:00:00", "status": "in_transit", "context": "到达杭州转运中心"},
    {"waybill_no": "sf2", "time": "2022-12-20T10:00:00+08:00", "status": "在途", "context": "运输中", "carrier": "sf"},
    {"waybill_no": "SF3", "time": "2022-12-20T02:00:00Z", "status": "delivered", "context": "已签收"},
]


def test_the_same_file_twice_changes_nothing(engine: Engine, rules: Rules, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "events.jsonl", EVENTS)
    first = ingest_events(engine, read_events(path), received_at=RECEIVED)
    before = scan(engine, rules, bj("2022-12-24 10:00"))
    second = ingest_events(engine, read_events(path), received_at=RECEIVED)
    after = scan(engine, rules, bj("2022-12-24 10:00"))

    assert (first.new, first.duplicate, first.rejected) == (4, 0, 0)
    assert (second.new, second.duplicate, second.rejected) == (0, 4, 0)
    assert _count(engine, events) == 4
    assert [s.as_json() for s in after.stalls] == [s.as_json() for s in before.stalls]
    assert [s.waybill_no for s in before.stalls] == ["SF2", "SF1"]


def test_times_without_zone_are_beijing_and_statuses_are_canonical(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "events.jsonl", EVENTS)
    parsed = [e for e in read_events(path) if isinstance(e, Event)]
    times = ("2022-12-20 10:00", "2022-12-20 18:00", "2022-12-20 10:00", "2022-12-20 10:00")
    assert [e.time for e in parsed] == [bj(t) for t in times]
    assert [e.status for e in parsed] == ["picked_up", "in_transit", "in_transit", "delivered"]
    assert (parsed[2].waybill_no, parsed[2].carrier) == ("SF2", "SF")


def test_duplicates_keep_one_copy_in_one_batch_and_across_batches(engine: Engine) -> None:
    event = Event("SF1", bj("2022-12-20 10:00"), "in_transit", "到达", "杭州")
    counts = ingest_events(engine, [event, event, event], received_at=RECEIVED)
    again = ingest_events(engine, [event], received_at=RECEIVED, batch_size=1)
    assert (counts.new, counts.duplicate, again.new, again.duplicate) == (1, 2, 0, 1)
    assert _count(engine, events) == 1


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_is_ingested(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "events.jsonl",
        [
            EVENTS[0],
            "{not json",
            {"waybill_no": "SF9", "time": "yesterday", "status": "in_transit"},
            {"waybill_no": "SF9", "time": "2022-12-20 10:00", "status": ""},
            {"waybill_no": "SF9", "time": "2022-12-20 10:00", "status": "in_transit", "contxt": "typo"},
            "[1, 2]",
            "",
            EVENTS[1],
        ],
    )
    problems: list[Problem] = []
    counts = ingest_events(engine, read_events(path), received_at=RECEIVED, on_problem=problems.append)

    assert (counts.new, counts.duplicate, counts.rejected) == (2, 0, 5)
    assert [str(p) for p in problems] == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:3: time: 'yesterday' is not an ISO 8601 time",
        f"{path}:4: status: is required",
        f"{path}:5: contxt: unknown field (a typo would silently drop its value)",
        f"{path}:6: each line must be one JSON object (an event)",
    ]


def test_csv_events_with_gb18030_encoding(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    text = (
        "waybill_no,time,status,context,location,carrier\n"
        "YT100,2022-12-20 10:00:00,picked_up,已揽收,兰州,YTO\n"
        'YT100,2022-12-21 10:00:00,in_transit,"到达, 兰州中转",兰州,\n'
        "YT100,not a time,in_transit,x,y,\n"
        "YT100,2022-12-21 10:00:00,in_transit,x,y,,extra\n"
    )
    path.write_bytes(text.encode("gb18030"))
    problems: list[Problem] = []
    counts = ingest_events(engine, read_events(path), received_at=RECEIVED, on_problem=problems.append)
    assert (counts.new, counts.rejected) == (2, 2)
    assert [p.line for p in problems] == [4, 5]
    with engine.connect() as connection:
        row = connection.execute(sa.select(waybills).where(waybills.c.waybill_no == "YT100")).one()
    assert (row.carrier, row.last_context, row.last_event_at) == ("YTO", "到达, 兰州中转", bj("2022-12-21 10:00"))


def test_unknown_statuses_are_stored_as_they_came_counted_and_reported(engine: Engine, rules: Rules) -> None:
    batch = [
        Event("SF1", bj("2022-12-20 10:00"), canonical_status("Lost-In-Space"), "?"),
        Event("SF2", bj("2022-12-20 10:00"), canonical_status("Lost-In-Space"), "?"),
        Event("SF3", bj("2022-12-20 10:00"), canonical_status("在途"), "ok"),
    ]
    counts = ingest_events(engine, batch, received_at=RECEIVED)
    ingest_events(engine, batch, received_at=RECEIVED)  # duplicates are not counted again

    assert dict(counts.unknown) == {"Lost-In-Space": 2}
    assert "'Lost-In-Space' × 2" in counts.summary()
    result = scan(engine, rules, bj("2022-12-23 10:00"))
    assert [(u.status, u.events) for u in result.unknown_statuses] == [("Lost-In-Space", 2)]
    assert {s.waybill_no: s.last_status for s in result.stalls} == {
        "SF1": "Lost-In-Space",
        "SF2": "Lost-In-Space",
        "SF3": "in_transit",
    }
    assert result.counts["unknown_status_events"] == 2


def test_ingest_streams_in_batches(engine: Engine) -> None:
    """The events source is consumed lazily: earlier batches are committed before later events are read."""
    stored_when_yielding: list[int] = []

    def source() -> Iterator[Event]:
        for i in range(250):
            if i % 100 == 0:
                stored_when_yielding.append(_count(engine, events))
            yield Event(f"SF{i % 7}", bj("2022-12-20 10:00") + (bj("2022-12-20 10:01") - bj("2022-12-20 10:00")) * i,
                        "in_transit", f"step {i}")  # fmt: skip

    counts = ingest_events(engine, source(), received_at=RECEIVED, batch_size=100)
    assert counts.new == 250
    assert stored_when_yielding == [0, 100, 200]


def test_a_late_older_event_never_replaces_the_latest(engine: Engine) -> None:
    newer = Event("SF1", bj("2022-12-21 10:00"), "out_for_delivery", "派送中")
    older = Event("SF1", bj("2022-12-20 10:00"), "in_transit", "运输中")
    ingest_events(engine, [newer], received_at=RECEIVED)
    ingest_events(engine, [older], received_at=RECEIVED)
    with engine.connect() as connection:
        row = connection.execute(sa.select(waybills)).one()
    assert (row.first_event_at, row.last_event_at, row.last_status) == (older.time, newer.time, "out_for_delivery")


def test_register_waybills_is_an_idempotent_upsert(engine: Engine) -> None:
    shipped = bj("2022-12-20 09:00")
    ingest_events(engine, [Event("SF1", bj("2022-12-20 10:00"), "picked_up", "揽收")], received_at=RECEIVED)
    first = Registration("sf1", "SF", "T1", "新疆维吾尔自治区", shipped)
    assert register_waybills(engine, [first, Registration("SF2", "YTO", "T2", "北京市", None)]) == 2
    assert register_waybills(engine, [first]) == 1
    assert register_waybills(engine, [Registration("SF1", "SF", "T1-reprint", "新疆", None)]) == 1
    assert register_waybills(engine, []) == 0

    with engine.connect() as connection:
        rows = {r.waybill_no: r for r in connection.execute(sa.select(waybills))}
        carriers = set(connection.execute(sa.select(events.c.carrier)).scalars())
    assert set(rows) == {"SF1", "SF2"}
    assert (rows["SF1"].order_id, rows["SF1"].province_key, rows["SF1"].shipped_at) == ("T1-reprint", "新疆", shipped)
    assert rows["SF1"].last_status == "picked_up"  # the event summary survives registration
    assert carriers == {"SF"}  # the event that came first gets the registered carrier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-12-15 00:00:00", "2022-12-14T16:00:00+00:00"),
        ("2022-12-15T00:00+08:00", "2022-12-14T16:00:00+00:00"),
        ("2022-12-14T16:00:00Z", "2022-12-14T16:00:00+00:00"),
        ("2022-12-15T09:00:00+09:00", "2022-12-15T00:00:00+00:00"),
    ],
)
def test_parse_time(text: str, expected: str) -> None:
    assert parse_instant(text).isoformat() == expected


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31, 23, 59, 59)))
def test_the_ingest_formats_a_time_once_as_the_store_and_the_event_key_would(moment: datetime) -> None:
    """The ingest slices the event key's ISO text into SQLite's stored text and keys events from that text:
    both must be what the slower, general functions give."""
    utc = moment.replace(tzinfo=UTC)
    assert sqlite_utc_text_of_iso(utc.isoformat()) == sqlite_utc_text(utc)
    assert event_key_at("SF1", utc.isoformat(), "delivered", "签收") == event_key("SF1", utc, "delivered", "签收")


def test_feed_hours_fold_each_carriers_events_by_utc_hour_across_batches(engine: Engine) -> None:
    def event(waybill_no: str, time: str, carrier: str) -> Event:
        return Event(waybill_no, bj(time), "in_transit", f"{waybill_no} {time}", carrier=carrier)

    first = [event("YT1", "2022-12-20 09:10", "YTO"), event("YT2", "2022-12-20 09:50", "YTO")]
    later = [event("YT3", "2022-12-20 09:05", "YTO"), event("YT4", "2022-12-20 09:59:30.25", "YTO")]
    other = [event("ZT1", "2022-12-20 09:30", "ZTO"), event("YT5", "2022-12-20 10:00", "YTO")]
    ingest_events(engine, first, received_at=RECEIVED)
    ingest_events(engine, [*later, *other], received_at=RECEIVED, batch_size=2)
    ingest_events(engine, first, received_at=RECEIVED)  # duplicates count nowhere

    with engine.connect() as connection:
        stored = {(r.carrier, r.hour): r for r in connection.execute(sa.select(feed_hours))}
    hour = bj("2022-12-20 09:00")
    assert set(stored) == {("YTO", hour), ("ZTO", hour), ("YTO", bj("2022-12-20 10:00"))}
    yto = stored["YTO", hour]
    assert (yto.first_event_at, yto.last_event_at, yto.events) == (
        bj("2022-12-20 09:05"),
        bj("2022-12-20 09:59:30.25"),
        4,
    )
    assert (stored["ZTO", hour].events, stored["YTO", bj("2022-12-20 10:00")].events) == (1, 1)
    assert all(r.hour.tzinfo is not None and r.hour.minute == r.hour.second == 0 for r in stored.values())


def _planned_rows(engine: Engine) -> float:
    """What PostgreSQL's planner believes the waybill summary holds (-1: never analyzed)."""
    with engine.connect() as connection:
        query = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST('tracking_waybills' AS regclass)")
        return float(connection.execute(query).scalar_one())


def _new_waybills(tmp_path: Path, first: int, count: int) -> Path:
    lines = [
        {"waybill_no": f"SF{n:06d}", "time": "2022-12-20 10:00:00", "status": "picked_up", "context": "已揽收"}
        for n in range(first, first + count)
    ]
    return write_jsonl(tmp_path / f"events-{first}.jsonl", lines)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_load_that_changes_a_tenth_of_the_summary_refreshes_the_planners_statistics(
    engine: Engine, tmp_path: Path
) -> None:
    assert _planned_rows(engine) == -1  # a new table, never analyzed: the planner takes it for empty
    ingest_events(engine, read_events(_new_waybills(tmp_path, 0, 200)), received_at=RECEIVED)
    assert _planned_rows(engine) == 200

    ingest_events(engine, read_events(_new_waybills(tmp_path, 200, 60)), received_at=RECEIVED)
    assert _planned_rows(engine) == 200  # 60 < 50 + a tenth of 200: left to autovacuum, as it would leave it

    ingest_events(engine, read_events(_new_waybills(tmp_path, 260, 80)), received_at=RECEIVED)
    assert _planned_rows(engine) == 340


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_registering_a_batch_of_waybills_refreshes_the_planners_statistics(engine: Engine) -> None:
    register_waybills(engine, [Registration(f"SF{n:06d}", "SF") for n in range(120)])
    assert _planned_rows(engine) == 120

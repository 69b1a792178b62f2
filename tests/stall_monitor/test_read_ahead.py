"""Reading ahead in a second process (``waybill stall ingest`` of a file) stores exactly what reading in turn
stores, reports the same problems in the same order, raises the reader's errors here, and never leaves the
reader running."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.events import Event
from stall_monitor.ingest import ingest_events
from stall_monitor.samples import synthetic_events, write_jsonl
from stall_monitor.sources.files import read_events
from stall_monitor.store import events, feed_hours, unknown_statuses, waybills
from waybill.errors import Problem

RECEIVED = datetime(2030, 1, 1, tzinfo=UTC)
TABLES = (events, waybills, feed_hours, unknown_statuses)


def _contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {t.name: sorted(map(tuple, connection.execute(sa.select(t)).all()), key=repr) for t in TABLES}


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(table.delete())


def _mixed_file(tmp_path: Path) -> Path:
    """Out-of-order events over many batches, repeats within a batch and across them, a delivered parcel,
    unknown statuses, a second source of one waybill's carrier, and bad lines."""
    records: list[dict[str, str] | str] = list(synthetic_events(60, 5, end=datetime(2024, 3, 10, tzinfo=UTC)))
    records.reverse()
    records[40:40] = records[10:25]  # repeats, some in the batch they first came in
    records.insert(7, {"waybill_no": "SF9", "time": "2024-03-08 10:00:00", "status": "签收", "context": "已签收"})
    records.insert(8, {"waybill_no": "SF9", "time": "2024-03-07 10:00:00", "status": "lost?", "carrier": "sf"})
    records.insert(90, {"waybill_no": "SF9", "time": "2024-03-09 10:00:00", "status": "lost?", "context": "x"})
    records.insert(3, '{"waybill_no": "SF1", "time": "yesterday", "status": "in_transit"}')
    records.insert(150, "not json")
    return write_jsonl(tmp_path / "events.jsonl", records)


def test_reading_ahead_stores_and_reports_exactly_what_reading_in_turn_does(engine: Engine, tmp_path: Path) -> None:
    path = _mixed_file(tmp_path)
    outcomes = []
    for read_ahead in (False, True):
        _empty(engine)
        problems: list[Problem] = []
        counts = ingest_events(
            engine, read_events(path), received_at=RECEIVED, on_problem=problems.append, batch_size=16,
            read_ahead=read_ahead,
        )  # fmt: skip
        outcomes.append((counts, problems, _contents(engine)))
    in_turn, ahead = outcomes
    assert ahead == in_turn
    counts, problems, contents = ahead
    assert (counts.new, counts.duplicate, counts.rejected) == (303, 15, 2)
    assert counts.unknown == {"lost?": 2}
    assert [(p.line, p.field) for p in problems] == [(4, "time"), (151, None)]
    assert len(contents["tracking_events"]) == 303


def test_an_error_in_the_reader_is_raised_here_after_the_batches_before_it_were_stored(engine: Engine) -> None:
    def failing() -> Iterator[Event]:
        for i in range(30):
            yield Event(f"SF{i}", RECEIVED, "in_transit")
        raise TrackingError("events.csv: the header has no 'time' column; nothing was read")

    with pytest.raises(TrackingError, match="the header has no 'time' column"):
        ingest_events(engine, failing(), received_at=RECEIVED, batch_size=10, read_ahead=True)
    assert len(_contents(engine)["tracking_events"]) == 30
    assert multiprocessing.active_children() == []


def test_an_error_that_cannot_cross_processes_still_says_what_it_was(engine: Engine) -> None:
    class Odd(Exception):  # a local class: pickle cannot find it by name
        pass

    def failing() -> Iterator[Event]:
        yield Event("SF1", RECEIVED, "in_transit")
        raise Odd("in the reader")

    with pytest.raises(RuntimeError, match=r"the process reading the events failed: .*Odd\('in the reader'\)"):
        ingest_events(engine, failing(), received_at=RECEIVED, read_ahead=True)


def test_a_reader_killed_mid_file_is_an_error_not_a_hang(engine: Engine) -> None:
    def killed() -> Iterator[Event]:
        for i in range(25):
            yield Event(f"SF{i}", RECEIVED, "in_transit")
        os.kill(os.getpid(), signal.SIGKILL)  # this runs in the reading process
        yield Event("SF99", RECEIVED, "in_transit")

    with pytest.raises(RuntimeError, match=r"ended unexpectedly \(exit -9\)"):
        ingest_events(engine, killed(), received_at=RECEIVED, batch_size=10, read_ahead=True)
    assert len(_contents(engine)["tracking_events"]) == 20  # the two whole batches it sent
    assert multiprocessing.active_children() == []


def test_a_failure_here_stops_the_reader(engine: Engine) -> None:
    def endless() -> Iterator[Event | Problem]:
        for i in count():
            yield Event(f"SF{i}", RECEIVED, "in_transit")
            if i == 50:
                yield Problem("events.jsonl", 52, None, "not JSON")

    def stop(problem: Problem) -> None:
        raise KeyboardInterrupt(str(problem))

    with pytest.raises(KeyboardInterrupt, match=r"events\.jsonl:52"):
        ingest_events(engine, endless(), received_at=RECEIVED, on_problem=stop, batch_size=10, read_ahead=True)
    assert multiprocessing.active_children() == []


def test_where_fork_is_not_how_processes_start_the_same_work_runs_here(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _mixed_file(tmp_path)
    started: list[object] = []
    monkeypatch.setattr(multiprocessing, "get_context", started.append)  # would start a reader if asked
    monkeypatch.setattr("stall_monitor.read_ahead.sys.platform", "darwin")
    problems: list[Problem] = []
    counts = ingest_events(engine, read_events(path), received_at=RECEIVED, on_problem=problems.append, read_ahead=True)
    assert (counts.new, counts.duplicate, counts.rejected) == (303, 15, 2)
    assert [p.line for p in problems] == [4, 151] and started == []

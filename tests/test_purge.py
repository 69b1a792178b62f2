"""``waybill purge --before DATE`` (issue 9): personal data goes, the counts stay, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from printers.journal import Journal
from printers.profiles import get_profile
from printers.retention import purge_finished_jobs
from stall_monitor.ingest import ingest_events
from stall_monitor.retention import purge_delivered
from stall_monitor.rules import default_rules
from stall_monitor.samples import write_jsonl
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_events
from stall_monitor.store import events, open_store, waybills
from tests.printers.jobs import create_job
from tests.waybill.labels import sample_orders
from waybill.app.cli import main
from waybill.app.service.task_store import TaskStore, purge_tasks
from waybill.errors import DatabaseError, UsageError
from waybill.times import parse_instant as parse_time

EVENTS = [
    {"waybill_no": "SF1", "time": "2022-12-08 10:00", "status": "picked_up", "context": "已揽收", "carrier": "SF"},
    {"waybill_no": "SF1", "time": "2022-12-10 10:00", "status": "delivered", "context": "签收人：张三 13812341234"},
    {"waybill_no": "SF2", "time": "2022-12-12 10:00", "status": "picked_up", "context": "已揽收", "carrier": "SF"},
    {"waybill_no": "SF2", "time": "2022-12-13 10:00", "status": "delivered", "context": "签收人：李四"},
    {"waybill_no": "SF3", "time": "2022-12-09 10:00", "status": "in_transit", "context": "到达杭州", "carrier": "SF"},
]


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Engine:
    engine = open_store(db_url)
    ingest_events(engine, read_events(write_jsonl(tmp_path / "e.jsonl", EVENTS)), received_at=datetime.now(UTC))
    return engine


def _events_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(events.c.waybill_no, sa.func.count()).group_by(events.c.waybill_no))
        return {waybill_no: count for waybill_no, count in rows}


def _summaries(engine: Engine) -> dict[str, tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(waybills).order_by(waybills.c.waybill_no)).all()
    return {row.waybill_no: (row.last_event_at, row.last_status, row.closed_at, row.last_context) for row in rows}


def test_events_of_parcels_delivered_before_the_date_go_and_their_summaries_stay(store: Engine) -> None:
    before = _summaries(store)
    scan_before = scan(store, default_rules(), parse_time("2022-12-20 10:00")).counts

    purged = purge_delivered(store, parse_time("2022-12-11 00:00"))

    assert (purged.parcels, purged.events) == (1, 2)
    assert _events_of(store) == {"SF2": 2, "SF3": 1}  # SF2 was delivered after the date, SF3 never
    after = _summaries(store)
    assert after["SF1"] == (*before["SF1"][:3], "")  # the last event's text held a name and a phone
    assert {k: v for k, v in after.items() if k != "SF1"} == {k: v for k, v in before.items() if k != "SF1"}
    assert scan(store, default_rules(), parse_time("2022-12-20 10:00")).counts == scan_before
    assert purge_delivered(store, parse_time("2022-12-11 00:00")) == type(purged)(0, 0)  # idempotent


def test_orders_of_jobs_finished_before_the_date_go_and_the_counts_stay(db_url: str) -> None:
    journal = Journal(open_store(db_url))
    profile = get_profile("tspl-203")
    done = create_job(journal, profile, list(sample_orders()[:3]))
    for row in journal.pending(done):
        journal.mark_sent(row, "tcp://p")
    journal.mark_printed([row.id for row in journal.labels_of_job(done)])
    journal.finish(done, "done")
    stopped = create_job(journal, profile, list(sample_orders()[3:5]))
    journal.finish(stopped, "stopped")
    summaries = journal.jobs()
    labels = {job: journal.labels_of_job(job) for job in (done, stopped)}

    purged = purge_finished_jobs(journal.engine, datetime.now(UTC) + timedelta(seconds=1))

    assert (purged.jobs, purged.orders) == (1, 3)
    assert journal.job_orders(done) == {}
    assert len(journal.job_orders(stopped)) == 2  # may still be resumed
    assert journal.jobs() == summaries
    assert {job: journal.labels_of_job(job) for job in (done, stopped)} == labels
    assert journal.find_order(sample_orders()[0].waybill_no) is None  # a station no longer finds its address


def test_jobs_finished_after_the_date_keep_their_orders(db_url: str) -> None:
    journal = Journal(open_store(db_url))
    job = create_job(journal, get_profile("tspl-203"), list(sample_orders()[:2]))
    journal.finish(job, "done")
    assert purge_finished_jobs(journal.engine, datetime.now(UTC) - timedelta(days=1)).orders == 0
    assert len(journal.job_orders(job)) == 2


def test_the_command_says_what_it_removed_and_what_it_kept(
    store: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = Journal(store)
    job = create_job(journal, get_profile("tspl-203"), list(sample_orders()[:2]))
    journal.finish(job, "done")
    assert main(["purge", "--db", db_url, "--before", "2022-12-11"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("purged what was done before 2022-12-11 00:00 (Beijing):\n")
    assert "the orders of 0 finished job(s) removed (0 order(s)" in out  # the job finished today
    assert "tracking: 2 event(s) of 1 delivered parcel(s) removed" in out
    assert "kept: every job with its labels' waybill numbers, states, attempts and reprints" in out
    assert _events_of(store) == {"SF2": 2, "SF3": 1}


@pytest.mark.parametrize(
    ("before", "message"),
    [
        ("2999-01-01", "--before '2999-01-01' is not an ISO 8601 date or time from 1970 to 2199"),
        ("2199-01-01", "--before '2199-01-01' is in the future; purge removes only what is already done"),
        ("last week", "--before 'last week' is not an ISO 8601 date or time from 1970 to 2199"),
    ],
)
def test_a_date_that_is_not_one_or_in_the_future_is_refused(
    tmp_path: Path, before: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.db"
    open_store(str(db)).dispose()
    assert main(["purge", "--db", str(db), "--before", before]) == UsageError.exit_code
    assert capsys.readouterr().err == f"waybill: error: {message}\n"


def test_purge_on_a_missing_store_is_an_error(tmp_path: Path) -> None:
    assert main(["purge", "--db", str(tmp_path / "nope.db"), "--before", "2022-01-01"]) == DatabaseError.exit_code
    assert not (tmp_path / "nope.db").exists()


def test_print_component_tasks_given_before_the_date_are_forgotten(
    store: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = TaskStore(store)
    assert tasks.reserve("task-1", "desk-1")
    assert main(["purge", "--db", db_url, "--before", "2022-12-11"]) == 0
    assert "print service: 0 print-component task(s) given before then removed" in capsys.readouterr().out
    assert not tasks.reserve("task-1", "desk-1")  # still known: given after the date
    assert purge_tasks(store, datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert tasks.reserve("task-1", "desk-1")  # forgotten: the journal alone now guards its waybills

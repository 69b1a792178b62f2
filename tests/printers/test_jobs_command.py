"""``waybill jobs`` lists the journal in plain SQL, without SQLAlchemy, on SQLite and PostgreSQL; a store whose
schema is older (to upgrade) or newer (refused) goes through the journal as before."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printers.job_list import job_summaries
from printers.journal import Journal
from printers.journal_states import SCHEMA_VERSION
from printers.journal_tables import SCHEMA
from printers.profiles import get_profile
from printers.verification_figures import SCHEMA_VERSION as VERIFICATION_VERSION
from printers.verification_log import SCHEMA as VERIFICATION_SCHEMA
from printers.verification_log import VerificationLog
from tests.printers.jobs import create_job
from tests.waybill.labels import sample_orders
from waybill.app.cli import main
from waybill.database import open_database, schema_version
from waybill.errors import DatabaseError
from waybill.store_reader import open_reader


def test_the_light_readers_know_the_schema_versions_the_tables_are_written_at() -> None:
    assert len(SCHEMA) == SCHEMA_VERSION
    assert len(VERIFICATION_SCHEMA) == VERIFICATION_VERSION


def _journal_with_three_jobs(db_url: str) -> Journal:
    """Job 1 done (6 printed, one of them twice); job 2 left running by a process whose lease is gone (7 labels,
    one order has two pages: 2 sent, 5 queued); job 3 a station job with two refused scans."""
    journal = Journal(open_database(db_url))
    profile = get_profile("tspl-203")
    done = create_job(journal, profile)
    labels = journal.pending(done)
    for label in labels:
        journal.mark_sent(label, "tcp://p")
    journal.mark_sent(journal.labels_of_job(done)[0], "tcp://p", reason="manual")  # sent again: a reprint
    journal.mark_printed([label.id for label in labels])
    journal.finish(done, "done")

    gone = Journal(journal.engine, lease_seconds=0.0)  # its lease has lapsed the moment it is taken
    left = create_job(gone, profile, list(sample_orders()[6:12]))
    for label in gone.pending(left)[:2]:
        gone.mark_sent(label, "tcp://q")

    station = journal.create_job(
        kind="station", printer="tcp://s", profile="tspl-203", settings="{}", job_orders=[], planned=[]
    )
    log = VerificationLog(journal.engine, "desk 1", station)
    log.refused("X1", "misread", "", None)
    log.refused("X2", "misread", "", None)
    return journal


def test_the_list_shows_counts_reprints_lapsed_leases_and_verification(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _journal_with_three_jobs(db_url)
    reader = open_reader(db_url)
    assert reader is not None
    try:
        summaries = job_summaries(reader)
    finally:
        reader.close()
    assert summaries == journal.jobs()  # the journal runs the same queries on its own connection
    assert [(s.id, s.kind, s.status, s.counts, s.reprints) for s in summaries] == [
        (3, "station", "running", {"queued": 0, "sent": 0, "printed": 0, "uncertain": 0}, 0),
        (2, "batch", "interrupted", {"queued": 5, "sent": 2, "printed": 0, "uncertain": 0}, 0),
        (1, "batch", "done", {"queued": 0, "sent": 0, "printed": 6, "uncertain": 0}, 1),
    ]
    assert summaries[0].owner == journal.owner and summaries[1].owner is None
    assert all(s.created_at.utcoffset() is not None for s in summaries)

    assert main(["jobs", "--db", db_url, "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[1:3]] == [["3", "station", "running"], ["2", "batch", "interrupted"]]
    assert lines[2].split()[5:10] == ["7", "0", "2", "0", "5"]  # labels, printed, sent, uncertain, queued
    assert lines[3] == (
        "pack verification: 0 order(s) verified, 0 set aside incomplete, 0 forced; refused scans: 2 misread"
    )


RUN_JOBS = """
import sys
from waybill.app.cli import main
code = main(["jobs", "--db", sys.argv[1]])
print("sqlalchemy" in sys.modules, code, file=sys.stderr)
"""


def test_listing_a_current_store_loads_no_sqlalchemy(db_url: str) -> None:
    _journal_with_three_jobs(db_url).engine.dispose()
    done = subprocess.run([sys.executable, "-c", RUN_JOBS, db_url], capture_output=True, text=True, check=True)
    assert done.stderr.split() == ["False", "0"]
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["job", "3", "2", "1", "pack"]


def test_a_store_with_no_journal_has_no_jobs_and_gains_no_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "stall-only.db"
    engine = open_database(str(store))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER)"))
    assert main(["jobs", "--db", str(store)]) == 0
    assert capsys.readouterr().out == "no print jobs yet\n"
    assert not sa.inspect(engine).has_table("print_jobs")


def test_an_older_journal_is_upgraded_through_the_journal_and_listed(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _journal_with_three_jobs(db_url)
    with journal.engine.begin() as connection:
        connection.execute(sa.text("UPDATE schema_versions SET version = 1 WHERE component = 'print_jobs'"))
    assert main(["jobs", "--db", db_url]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["job", "3", "2", "1", "pack"]
    assert schema_version(journal.engine, "print_jobs") == SCHEMA_VERSION


@pytest.mark.parametrize("component", ["print_jobs", "pack_verification"])
def test_a_newer_schema_is_refused_as_the_journal_refuses_it(
    db_url: str, component: str, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _journal_with_three_jobs(db_url)
    with journal.engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE schema_versions SET version = 9 WHERE component = '{component}'"))
    assert main(["jobs", "--db", db_url]) == DatabaseError.exit_code
    assert f"database schema for {component} is version 9, newer than this waybill" in capsys.readouterr().err


def test_a_file_that_is_not_a_store_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "orders.jsonl"
    typo.write_text('{"order_id": "TB1"}\n', encoding="utf-8")
    assert main(["jobs", "--db", str(typo)]) == DatabaseError.exit_code
    assert capsys.readouterr().err == f"waybill: error: cannot read database {typo}: file is not a database\n"


def test_a_store_whose_table_name_is_not_utf8_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "w.db"
    engine = open_database(str(store))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE print_jobs (id INTEGER)"))
    engine.dispose()
    data = bytearray(store.read_bytes())
    name, sql = data.find(b"print_jobs"), data.find(b"CREATE TABLE print_jobs")
    data[name + 2] = 0xA7  # the table's name in sqlite_master, which SQLite's error then quotes
    data[sql + 13] = 0x00  # and its SQL, so that SQLite reports the schema as malformed
    store.write_bytes(bytes(data))
    assert main(["jobs", "--db", str(store)]) == DatabaseError.exit_code
    err = capsys.readouterr().err
    assert err.startswith(f"waybill: error: cannot read database {store}: ") and err.count("\n") == 1


_STORE_BYTES: list[bytes] = []


def _a_store_with_jobs() -> bytes:
    """The bytes of a SQLite store holding the three jobs (built once)."""
    if not _STORE_BYTES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "w.db"
            engine = _journal_with_three_jobs(str(path)).engine
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            _STORE_BYTES.append(path.read_bytes())
    return _STORE_BYTES[0]


@settings(max_examples=60, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 64), flips=st.lists(st.tuples(st.integers(0, 2**20), st.integers(1, 255)), max_size=8))
def test_a_damaged_store_file_is_listed_or_refused_in_one_line(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_a_store_with_jobs())
    for at, mask in flips:
        data[at % len(data)] ^= mask
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.db"
        path.write_bytes(bytes(data[: len(data) - cut * 512]))
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["jobs", "--db", str(path)])
    assert code in (0, DatabaseError.exit_code)
    assert code == 0 or err.getvalue().startswith("waybill: error: ")


def test_in_chinese_the_list_names_job_kinds_and_states_in_chinese(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _journal_with_three_jobs(db_url).engine.dispose()
    assert main(["--lang", "zh-CN", "jobs", "--db", db_url]) == 0
    rows = [line.split()[:3] for line in capsys.readouterr().out.splitlines()[1:4]]
    assert rows == [["3", "工位", "运行中"], ["2", "批量", "已中断"], ["1", "批量", "已完成"]]


def test_a_stored_time_that_is_not_a_time_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "w.db")  # SQLite: PostgreSQL's timestamptz cannot hold such a value
    journal = _journal_with_three_jobs(store)
    with journal.engine.begin() as connection:
        connection.execute(sa.text("UPDATE print_jobs SET created_at = '2026-12#01 15:56:15.617157' WHERE id = 2"))
    assert main(["jobs", "--db", store]) == DatabaseError.exit_code
    assert capsys.readouterr().err == (
        "waybill: error: the store holds '2026-12#01 15:56:15.617157' where a time belongs; it may be damaged\n"
    )

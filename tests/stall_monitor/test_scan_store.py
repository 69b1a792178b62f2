"""``scan_store``: a store at this version's schema is scanned in plain SQL, with no SQLAlchemy loaded; any other
store is opened (and created or upgraded, or refused) as every command opens it. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from stall_monitor.events import Event
from stall_monitor.ingest import ingest_events
from stall_monitor.rules import default_rules, load_rules
from stall_monitor.scan import scan, scan_store
from stall_monitor.store import COMPONENT, SCHEMA_STEPS, Registration, open_store, register_waybills
from stall_monitor.store_version import SCHEMA_VERSION
from stall_monitor.workorders import open_work_order
from waybill.database import open_database, schema_version
from waybill.errors import DatabaseError
from waybill.store_reader import SqlReader
from waybill.times import parse_instant as bj

AT = "2022-12-24T10:00:00+08:00"


def _store_with_stalls(url: str) -> sa.Engine:
    """Two listed parcels (one remote, stalled; one normal, at risk), one silent parcel never picked up, a later
    event after ``AT`` (the corrected path) and an open work order."""
    engine = open_store(url)
    register_waybills(
        engine,
        [
            Registration("SF1", "SF", "o-1", "新疆维吾尔自治区"),
            Registration("SF2", "SF", "o-2", "浙江省"),
            Registration("YT3", "YTO", "o-3", "浙江省", shipped_at=bj("2022-12-21T09:00:00+08:00")),
            Registration("SF4", "SF", "o-4", "浙江省"),
        ],
    )
    events = [
        Event("SF1", bj("2022-12-20T09:00:00+08:00"), "in_transit", "杭州转运中心", "杭州"),
        Event(
            "SF2", bj("2022-12-21T20:00:00.654321+08:00"), "in_transit", "杭州转运中心", "杭州"
        ),  # JSON: to the second
        Event("SF4", bj("2022-12-20T09:00:00+08:00"), "in_transit", "到达", "杭州"),
        Event("SF4", bj("2022-12-25T09:00:00+08:00"), "delivered", "签收", "杭州"),
    ]
    ingest_events(engine, events, received_at=bj("2022-12-26T00:00:00+08:00"))
    open_work_order(engine, "SF1", bj("2022-12-24T09:00:00+08:00"))
    return engine


RUN_SCAN = """
import sys
from waybill.app.cli import main
code = main(["stall", "scan", "--at", sys.argv[2], "--db", sys.argv[1], *sys.argv[3:]])
print("sqlalchemy" in sys.modules, code, file=sys.stderr)
"""


def test_a_current_store_is_scanned_in_plain_sql_with_no_sqlalchemy_loaded(db_url: str) -> None:
    engine = _store_with_stalls(db_url)
    expected = scan(engine, default_rules(), bj(AT))
    engine.dispose()
    command = [sys.executable, "-c", RUN_SCAN, db_url, AT]
    done = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    assert done.stderr.split() == ["False", "0"]
    listed = json.loads(done.stdout)
    assert listed == [s.as_json() for s in expected.stalls]
    assert done.stdout == json.dumps(listed, indent=2, ensure_ascii=False) + "\n"
    # What the plain SQL found: the summary, the corrected waybill (an event after AT), the pick-up miss.
    assert [(s["waybill_no"], s["level"], s["last_event_at"]) for s in listed] == [
        ("SF4", "stalled", "2022-12-20T09:00:00+08:00"),  # delivered only after AT
        ("SF1", "stalled", "2022-12-20T09:00:00+08:00"),  # remote: 96 h
        ("YT3", "no_pickup", None),
        ("SF2", "at_risk", "2022-12-21T20:00:00+08:00"),
    ]
    assert listed[1]["remote"] and listed[1]["work_order"]["due_at"] == "2022-12-25T09:00:00+08:00"
    assert '"threshold_hours": 96,' in done.stdout and '"threshold_hours": 72,' in done.stdout  # not 96.0
    assert (listed[3]["silent_hours"], listed[3]["entry_opens_at"]) == (61.9, "2022-12-24T20:00:00+08:00")

    table = subprocess.run(command, capture_output=True, text=True, check=True)
    assert table.stderr.split() == ["False", "0"]
    stalls_part = table.stdout.split("Open work orders")[0]
    assert re.findall(r"\b(?:SF|YT)\d\b", stalls_part) == ["SF4", "SF1", "YT3", "SF2"]


def test_the_plain_sql_scan_is_the_scan_of_the_engine(db_url: str) -> None:
    engine = _store_with_stalls(db_url)
    rules = default_rules()
    for at in ("2022-12-22T10:00:00+08:00", AT, "2022-12-30T00:00:00+08:00"):
        assert scan_store(db_url, rules, bj(at)) == scan(engine, rules, bj(at))
    engine.dispose()


def test_a_store_without_tracking_tables_gets_them_and_an_empty_scan(db_url: str) -> None:
    engine = open_database(db_url)
    assert schema_version(engine, COMPONENT) == 0
    result = scan_store(db_url, default_rules(), bj(AT))
    assert (result.open_waybills, result.stalls, result.feeds) == (0, (), ())
    assert schema_version(engine, COMPONENT) == SCHEMA_VERSION == len(SCHEMA_STEPS)
    engine.dispose()


def test_an_older_store_is_upgraded_then_scanned(db_url: str) -> None:
    engine = _store_with_stalls(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE schema_versions SET version = :v WHERE component = 'tracking'"), {"v": SCHEMA_VERSION - 1}
        )
    result = scan_store(db_url, default_rules(), bj(AT))
    assert [s.waybill_no for s in result.stalls] == ["SF4", "SF1", "YT3", "SF2"]
    assert schema_version(engine, COMPONENT) == SCHEMA_VERSION
    engine.dispose()


def test_a_newer_store_is_refused_as_every_command_refuses_it(db_url: str) -> None:
    engine = _store_with_stalls(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE schema_versions SET version = :v WHERE component = 'tracking'"), {"v": SCHEMA_VERSION + 1}
        )
    engine.dispose()
    with pytest.raises(DatabaseError, match=f"tracking is version {SCHEMA_VERSION + 1}, newer than this waybill"):
        scan_store(db_url, default_rules(), bj(AT))


def test_a_missing_sqlite_file_is_an_error_and_no_store_is_made(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(DatabaseError, match=r"typo\.db"):
        scan_store(str(missing), default_rules(), bj(AT))
    assert not missing.exists()


def test_rules_without_remote_provinces_list_every_parcel_by_the_normal_threshold(db_url: str, tmp_path: Path) -> None:
    engine = _store_with_stalls(db_url)
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        "[[rule_set]]\nname = 'flat'\nnormal_hours = 72\nremote_hours = 96\nremote_provinces = []\n"
        "response_hours = 24\nwarning_margin_hours = 12\npickup_window_hours = 24\nfeed_quiet_hours = 6\n",
        encoding="utf-8",
    )
    result = scan_store(db_url, load_rules(rules_file), bj(AT))
    assert [(s.waybill_no, s.level, s.remote) for s in result.stalls] == [
        ("SF1", "stalled", False),  # 72 h, as every destination
        ("SF4", "stalled", False),
        ("YT3", "no_pickup", False),
        ("SF2", "at_risk", False),
    ]
    engine.dispose()


def test_no_scan_query_passes_the_whole_summary_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's history (delivered parcels, kept) is never read: each query's plan searches an index range
    of tracking_waybills, none scans the table or an index whole."""
    url = str(tmp_path / "history.db")
    _store_with_stalls(url).dispose()
    ran: list[tuple[str, list[object]]] = []
    rows = SqlReader.rows

    def recorded(self: SqlReader, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        ran.append((sql, list(params)))
        return rows(self, sql, params)

    monkeypatch.setattr(SqlReader, "rows", recorded)
    for at in ("2022-12-22T10:00:00+08:00", AT):  # a scan of the past too (the corrected rows)
        scan_store(url, default_rules(), bj(at))
    monkeypatch.undo()
    store = sqlite3.connect(url)
    plans = {sql: [step[-1] for step in store.execute(f"EXPLAIN QUERY PLAN {sql}", params)] for sql, params in ran}
    store.close()
    reading_waybills = [step for plan in plans.values() for step in plan if "tracking_waybills" in step]
    assert [step for step in reading_waybills if step.startswith("SCAN")] == []
    assert len(reading_waybills) >= 9  # the summary, corrected, no-pickup and count queries' branches

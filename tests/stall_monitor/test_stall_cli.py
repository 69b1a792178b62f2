"""``waybill stall …`` through ``waybill.app.cli.main``: exit codes, messages, files written."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from stall_monitor.samples import kuaidi100_param, write_jsonl
from stall_monitor.sources.kuaidi100 import signature
from waybill.app.cli import main


def _order(order_id: str, waybill_no: str, province: str, **extra: Any) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "carrier": "SF",
        "waybill_no": waybill_no,
        "recipient": {"name": "张伟", "phone": "13812341234", "province": province, "address": "文三路478号"},
        "items": [{"sku": "MUG", "name": "马克杯", "qty": 1}],
        "shipped_at": "2022-12-20T09:00:00+08:00",
        **extra,
    }


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Path]:
    orders = write_jsonl(
        tmp_path / "orders.jsonl",
        [
            _order("T1", "SF1000000001", "新疆维吾尔自治区"),  # no sender: still registered for monitoring
            _order("T2", "SF1000000002", "浙江省"),
            _order("T3", "SF1000000003", "北京市"),  # never picked up
            _order("T4", "bad no", "浙江省"),
        ],
    )
    events = write_jsonl(
        tmp_path / "events.jsonl",
        [
            {"waybill_no": "SF1000000001", "time": "2022-12-20 12:00", "status": "picked_up", "context": "已揽收"},
            {"waybill_no": "SF1000000002", "time": "2022-12-20 12:00", "status": "picked_up", "context": "已揽收"},
            {"waybill_no": "SF1000000002", "time": "2022-12-21 08:00", "status": "in_transit", "context": "到达杭州"},
            {"waybill_no": "SF1000000002", "time": "2022-12-21 08:00", "status": "in_transit", "context": "到达杭州"},
            {"waybill_no": "SF1000000002", "time": "sometime", "status": "in_transit"},
        ],
    )
    work_orders = write_jsonl(tmp_path / "wo.jsonl", [{"waybill_no": "SF1000000002", "opened_at": "2022-12-24 09:00"}])
    return {"orders": orders, "events": events, "work_orders": work_orders, "db": tmp_path / "stall.db"}


def _ingest(data: dict[str, Path], db: str) -> int:
    return main(
        ["stall", "ingest", "--db", db, "--orders", str(data["orders"]), "--events", str(data["events"]),
         "--work-orders", str(data["work_orders"])]
    )  # fmt: skip


def test_ingest_reports_counts_and_rejected_lines(
    data: dict[str, Path], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _ingest(data, db_url) == 10  # everything valid stored; rejected lines make the run fail
    out, err = capsys.readouterr()
    assert "orders: 3 waybills registered, 1 rejected" in out
    assert f"events {data['events']}: 3 new, 1 duplicate, 1 rejected" in out
    assert "work orders" in out and "1 work order written, 0 rejected" in out
    assert f"rejected: {data['orders']}:4: waybill_no: 'BAD NO' must be 8-32 characters" in err
    assert f"rejected: {data['events']}:5: time: 'sometime' is not an ISO 8601 time" in err

    assert _ingest(data, db_url) == 10
    assert f"events {data['events']}: 0 new, 4 duplicate, 1 rejected" in capsys.readouterr().out


def test_scan_json_has_the_documented_fields_sorted_by_entry(
    data: dict[str, Path], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _ingest(data, db_url)
    capsys.readouterr()
    assert main(["stall", "scan", "--db", db_url, "--at", "2022-12-24T10:00:00+08:00", "--json"]) == 0
    stalls = json.loads(capsys.readouterr().out)

    assert [(s["waybill_no"], s["level"]) for s in stalls] == [
        ("SF1000000003", "no_pickup"),
        ("SF1000000002", "stalled"),
        ("SF1000000001", "at_risk"),
    ]
    documented = {"waybill_no", "carrier", "order_id", "province", "remote", "level", "last_event_at", "last_status",
                  "last_context", "silent_hours", "threshold_hours", "entry_opens_at"}  # fmt: skip
    assert documented <= set(stalls[0])
    xinjiang = stalls[2]
    assert xinjiang == {
        **xinjiang,
        "carrier": "SF",
        "order_id": "T1",
        "province": "新疆维吾尔自治区",
        "remote": True,
        "last_event_at": "2022-12-20T12:00:00+08:00",
        "last_status": "picked_up",
        "last_context": "已揽收",
        "silent_hours": 94.0,
        "threshold_hours": 96,
        "entry_opens_at": "2022-12-24T12:00:00+08:00",
    }
    assert stalls[1]["work_order"]["due_at"] == "2022-12-25T09:00:00+08:00"
    assert [s["entry_opens_at"] for s in stalls] == sorted(s["entry_opens_at"] for s in stalls)


def test_scan_table(data: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(data["db"])
    _ingest(data, db)
    capsys.readouterr()
    assert main(["stall", "scan", "--db", db, "--at", "2022-12-24 10:00"]) == 0
    out = capsys.readouterr().out
    assert "3 open waybills; 1 stalled, 1 at risk, 1 not picked up; 1 open work order (0 overdue)" in out
    assert "新疆维吾尔自治区 (remote)" in out
    assert "SF1000000002" in out.split("Open work orders")[1]


def test_workorder_commands(data: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(data["db"])
    assert main(["stall", "workorder", "open", "SF1000000001", "--db", db, "--at", "2022-12-24 10:00"]) == 0
    assert "answer by 2022-12-25T10:00:00+08:00" in capsys.readouterr().out
    assert main(["stall", "workorder", "respond", "SF1000000001", "--db", db, "--at", "2022-12-25 10:30"]) == 0
    assert "LATE (was due 2022-12-25T10:00:00+08:00)" in capsys.readouterr().out
    assert main(["stall", "workorder", "respond", "SF1000000001", "--db", db, "--at", "2022-12-25 11:00"]) == 10
    assert "no unanswered work order" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_report_files(data: dict[str, Path], tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(data["db"])
    _ingest(data, db)
    out = tmp_path / f"report.{fmt}"
    assert main(["stall", "report", "--db", db, "--at", "2022-12-24 10:00", "-o", str(out)]) == 0
    assert (
        f"{out}: {fmt} report at 2022-12-24T10:00:00+08:00: 1 stalled, 1 at risk, 1 not picked up, "
        "1 open work order, 0 work orders overdue, 1 quiet feed, 0 unknown-status events"
    ) in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        report = json.loads(text)
        assert [s["waybill_no"] for s in report["stalls"]] == ["SF1000000003", "SF1000000002", "SF1000000001"]
        assert report["counts"]["work_orders_open"] == 1
    else:
        assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "SF1000000001" in text
    assert not list(tmp_path.glob("*.partial"))


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.db")
    assert main(["stall", "ingest", "--db", db]) == 2
    assert "nothing to ingest" in capsys.readouterr().err
    assert main(["stall", "ingest", "--db", db, "--shop", "shop.toml", "--events", "e.jsonl"]) == 2
    assert "--shop applies to --orders only" in capsys.readouterr().err
    assert main(["stall", "scan", "--db", db, "--at", "next tuesday"]) == 2
    assert "--at 'next tuesday' is not an ISO 8601 time" in capsys.readouterr().err
    bad_rules = tmp_path / "rules.toml"
    bad_rules.write_text("[[rule_set]]\nnormal_hours = 1\n", encoding="utf-8")
    assert main(["stall", "scan", "--db", db, "--rules", str(bad_rules)]) == 10
    assert f"{bad_rules}: rule_set[0]: missing" in capsys.readouterr().err
    assert main(["stall", "ingest", "--db", db, "--events", str(tmp_path / "missing.jsonl")]) == 10
    assert "missing.jsonl: cannot read" in capsys.readouterr().err


def test_waybill_db_environment_variable(
    data: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WAYBILL_DB", str(data["db"]))
    assert main(["stall", "ingest", "--events", str(data["events"])]) == 10
    capsys.readouterr()
    assert main(["stall", "scan", "--at", "2022-12-24 10:00", "--json"]) == 0
    assert [s["waybill_no"] for s in json.loads(capsys.readouterr().out)] == ["SF1000000001", "SF1000000002"]
    assert data["db"].exists()


def test_serve_command_over_loopback_until_interrupted(tmp_path: Path) -> None:
    """``waybill stall serve`` as a real process: take a signed push, answer the scan, stop on Ctrl-C."""
    db = str(tmp_path / "serve.db")
    command = [sys.executable, "-u", "-m", "waybill", "stall", "serve", "--db", db, "--port", "0", "--salt", "k"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.match(r"serving on http://127\.0\.0\.1:(\d+)/", first)
        assert match, first
        base = f"http://127.0.0.1:{match.group(1)}"
        param = kuaidi100_param("SF1", [("2022-12-20 10:00:00", "在途", "到达杭州")])
        body = urlencode({"param": param, "sign": signature(param, "k")}).encode()
        with urlopen(Request(f"{base}/webhooks/kuaidi100", data=body), timeout=10) as response:
            assert json.loads(response.read()) == {"result": True, "returnCode": "200", "message": "成功"}
        with urlopen(f"{base}/api/stalls?at=2022-12-23T10:00%2B08:00", timeout=10) as response:
            assert [(s["waybill_no"], s["level"]) for s in json.loads(response.read())] == [("SF1", "stalled")]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "waybill: interrupted" in err


def test_public_names_exist() -> None:
    import importlib

    for name in ("events", "rules", "store", "ingest", "scan", "report", "report_html", "server", "workorders",
                 "orders", "samples", "sources.files", "sources.kuaidi100"):  # fmt: skip
        module = importlib.import_module(f"stall_monitor.{name}")
        assert module.__all__, name
        assert [n for n in module.__all__ if not hasattr(module, n)] == [], name


def test_orders_with_a_shop_profile(data: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shop = tmp_path / "shop.toml"
    shop.write_text(
        'name = "小鹿家居"\n[sender]\nname = "小鹿家居"\nphone = "0571-86001234"\nprovince = "浙江省"\n'
        'address = "良睦路1399号"\n',
        encoding="utf-8",
    )
    db = str(data["db"])
    assert main(["stall", "ingest", "--db", db, "--orders", str(data["orders"]), "--shop", str(shop)]) == 10
    assert "orders: 3 waybills registered, 1 rejected" in capsys.readouterr().out
    bad_shop = tmp_path / "bad.toml"
    bad_shop.write_text("[sender\n", encoding="utf-8")
    assert main(["stall", "ingest", "--db", db, "--orders", str(data["orders"]), "--shop", str(bad_shop)]) == 3
    assert "not valid TOML" in capsys.readouterr().err


def test_ingest_of_kuaidi100_push_files_beside_events_reports_each_and_a_total(
    data: dict[str, Path], tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pushes = tmp_path / "pushes.jsonl"
    first = kuaidi100_param("SF1000000003", [("2022-12-20 10:00:00", "揽收", "已揽收")])
    again = kuaidi100_param(
        "SF1000000003", [("2022-12-21 09:00:00", "在途", "到达杭州"), ("2022-12-20 10:00:00", "揽收", "已揽收")]
    )
    pushes.write_text("\n".join([first, "not json", again]) + "\n", encoding="utf-8")
    argv = ["stall", "ingest", "--db", db_url, "--events", str(data["events"]), "--kuaidi100", str(pushes)]
    assert main(argv) == 10
    out, err = capsys.readouterr()
    assert f"kuaidi100 {pushes}: 2 new, 1 duplicate, 1 rejected" in out
    assert "total: 5 new, 2 duplicate, 2 rejected" in out
    assert f"rejected: {pushes}:2: param is not valid JSON" in err


def test_the_first_files_reader_is_reading_before_the_store_opens(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import multiprocessing

    import stall_monitor.store
    from stall_monitor.samples import synthetic_events

    # Two batches: the reader is still sending (the pipe holds far less than a batch) when the store opens.
    events = write_jsonl(tmp_path / "events.jsonl", synthetic_events(4_000, 10, end=datetime(2024, 3, 10, tzinfo=UTC)))
    opened = stall_monitor.store.open_store
    readers_at_open: list[int] = []

    def open_store(option: str | None = None, **kwargs: Any) -> Any:
        readers_at_open.append(len(multiprocessing.active_children()))
        return opened(option, **kwargs)

    monkeypatch.setattr(stall_monitor.store, "open_store", open_store)
    assert main(["stall", "ingest", "--db", db_url, "--events", str(events)]) == 0
    assert readers_at_open == [1]
    assert f"events {events}: 40000 new, 0 duplicate, 0 rejected" in capsys.readouterr().out
    assert multiprocessing.active_children() == []


def test_a_store_that_cannot_open_stops_the_reader_started_before_it(
    data: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import multiprocessing

    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("not a database\n" * 100, encoding="utf-8")
    assert main(["stall", "ingest", "--db", str(not_a_store), "--events", str(data["events"])]) == 9
    assert "notes.txt" in capsys.readouterr().err
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2500])
def test_the_json_list_is_what_json_dump_writes_with_indent_2(count: int) -> None:
    import io

    from waybill.app.handlers.stall import _write_json_list

    items = [
        {"waybill_no": f"SF{n}", "silent_hours": n / 10, "reason": "静默 72 小时 ≥ 阈值", "work_order": None}
        | ({"work_order": {"due_at": "2024-03-10T12:00:00+08:00", "notes": [], "extra": {}}} if n % 7 else {})
        for n in range(count)
    ]
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8")
    _write_json_list(iter(items), text)
    assert raw.getvalue().decode("utf-8") == json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    without_bytes = io.StringIO()  # a text stream with no bytes beneath gets the same text
    _write_json_list(iter(items), without_bytes)
    assert without_bytes.getvalue() == json.dumps(items, indent=2, ensure_ascii=False) + "\n"

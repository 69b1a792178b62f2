"""``waybill invoice …`` through ``waybill.app.cli.main``: exit codes, messages, the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stall_monitor.samples import write_jsonl
from waybill.app.cli import main


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "invoices.jsonl",
        [
            {"order_id": "P1", "requested_at": "2022-12-20 10:00", "amount": "99.00", "title": "某某公司"},
            {"order_id": "P2", "requested_at": "2022-12-26 10:00"},
            {"order_id": "P3", "requested_at": "2022-12-20 10:00", "issued_at": "2022-12-21 10:00"},
            {"order_id": "P4", "requested_at": "2022-12-20 10:00", "work_order_opened_at": "2023-01-01 10:00"},
        ],
    )


def test_ingest_workorder_issue_and_scan(requests: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "w.db")
    assert main(["invoice", "ingest", str(requests), "--db", db]) == 0
    assert "4 invoice requests written, 1 work order, 0 rejected" in capsys.readouterr().out
    assert main(["invoice", "workorder", "P1", "--at", "2023-01-09 09:00", "--db", db]) == 0
    assert "issue by 2023-01-10T09:00:00+08:00 or lose 1 point\n" in capsys.readouterr().out
    assert main(["invoice", "issue", "P2", "--at", "2022-12-27 10:00", "--db", db]) == 0
    assert "in time" in capsys.readouterr().out

    assert main(["invoice", "scan", "--at", "2023-01-09 12:00", "--json", "--db", db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["order_id"], r["level"], r["penalty_at"], r["hours_left"]) for r in data["requests"]] == [
        ("P4", "penalized", "2023-01-09T10:00:00+08:00", -2.0),
        ("P1", "work_order", "2023-01-10T09:00:00+08:00", 21.0),
    ]
    assert data["points"] == {"incurred_30d": 1, "cap": 6, "exposure": 1}

    assert main(["invoice", "scan", "--at", "2023-01-09 12:00", "--db", db]) == 0
    table = capsys.readouterr().out
    assert "points: 1 of 6 incurred in 30 days; 1 more at stake" in table
    assert table.index("P4") < table.index("P1")


def test_rules_override_and_user_mistakes(requests: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "w.db")
    main(["invoice", "ingest", str(requests), "--db", db])
    rules = tmp_path / "inv.toml"
    rules.write_text(
        "[[rule_set]]\nissue_days = 1\nsecond_timeout_days = 1\nresponse_hours = 24\n"
        "points_per_case = 2\ncap_points = 3\ncap_window_days = 7\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["invoice", "scan", "--at", "2022-12-27 09:59", "--json", "--rules", str(rules), "--db", db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["order_id"]: r["level"] for r in data["requests"]} == {"P1": "overdue", "P2": "pending", "P4": "overdue"}
    assert data["points"]["cap"] == 3

    assert main(["invoice", "issue", "NOPE", "--at", "2023-01-01", "--db", db]) == 10
    assert "NOPE: no invoice request of this order is known" in capsys.readouterr().err
    assert main(["invoice", "scan", "--at", "soon", "--db", db]) == 2
    assert "--at 'soon' is not an ISO 8601 time" in capsys.readouterr().err
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"order_id": "Q1", "requested_at": "2022-12-20"}, "[1]"])
    assert main(["invoice", "ingest", str(bad), "--db", db]) == 10
    out = capsys.readouterr()
    assert f"rejected: {bad}:2: each line must be one JSON object (an invoice request)" in out.err
    assert "1 invoice request written, 0 work orders, 1 rejected" in out.out

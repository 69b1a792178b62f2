"""Invoice requests through the store on SQLite and PostgreSQL: ingest (idempotent, order-independent, bad
lines reported), the facts recorded by hand, and the scan against the pure clocks."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.invoices.clocks import InvoiceFacts, classify, points
from stall_monitor.invoices.ingest import ingest_invoice_requests, record_invoice_work_order, record_issue
from stall_monitor.invoices.rules import default_invoice_rules
from stall_monitor.invoices.scan import invoice_scan, invoice_scan_json
from stall_monitor.invoices.store import invoice_requests
from stall_monitor.samples import write_jsonl
from stall_monitor.sources.files import read_invoice_requests
from stall_monitor.store import work_orders
from waybill.errors import Problem
from waybill.times import parse_instant as bj

RULES = default_invoice_rules()

LINES: list[dict[str, Any]] = [
    {"order_id": "A1", "requested_at": "2022-12-20 10:00", "amount": "99.5", "title": "杭州某某科技有限公司"},
    {"order_id": "A2", "requested_at": "2022-12-18T02:00:00+00:00"},  # 10:00 Beijing, given in UTC
    {"order_id": "A3", "requested_at": "2022-12-21 09:00", "issued_at": "2022-12-22 09:00"},
    {"order_id": "A1", "requested_at": "2022-12-20 10:00", "work_order_opened_at": "2023-01-02 08:00"},
    {"order_id": "A4", "requested_at": "2022-12-10 08:00", "work_order_opened_at": "2022-12-29T16:00+00:00"},
    {"order_id": "A2", "requested_at": "2022-12-18 10:00", "amount": 12},
]
AT = bj("2023-01-05 12:00")


def _ingest(engine: Engine, path: Path) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    counts = ingest_invoice_requests(engine, read_invoice_requests(path), on_problem=problems.append)
    return counts.rejected, problems


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        requests = connection.execute(sa.select(invoice_requests).order_by(invoice_requests.c.order_id)).all()
        opened = connection.execute(
            sa.select(work_orders.c.kind, work_orders.c.subject, work_orders.c.opened_at).order_by(
                work_orders.c.subject
            )
        ).all()
    return [tuple(r) for r in requests] + [tuple(o) for o in opened]


def test_ingest_fills_in_later_lines_and_the_scan_reads_them(engine: Engine, tmp_path: Path) -> None:
    assert _ingest(engine, write_jsonl(tmp_path / "inv.jsonl", LINES)) == (0, [])
    data = invoice_scan_json(engine, AT)
    assert list(data) == ["requests", "points"]
    assert all(list(r) == list(data["requests"][0]) for r in data["requests"])
    assert list(data["requests"][0]) == [
        "order_id", "level", "requested_at", "first_deadline", "final_deadline", "work_order_opened_at",
        "penalty_at", "hours_left",
    ]  # fmt: skip
    by_order = {r["order_id"]: r for r in data["requests"]}
    assert by_order["A1"] == {
        "order_id": "A1",
        "level": "work_order",
        "requested_at": "2022-12-20T10:00:00+08:00",
        "first_deadline": "2022-12-30T10:00:00+08:00",
        "final_deadline": "2023-01-09T10:00:00+08:00",
        "work_order_opened_at": "2023-01-02T08:00:00+08:00",
        "penalty_at": "2023-01-09T10:00:00+08:00",
        "hours_left": 94.0,
    }
    assert (by_order["A2"]["level"], by_order["A2"]["requested_at"]) == ("late", "2022-12-18T10:00:00+08:00")
    assert "A3" not in by_order  # issued
    assert by_order["A4"]["level"] == "penalized"  # requested before 2022-12-16: no point
    # Sorted by the time that matters next: A4's penalty (past), A2's final deadline, A1's penalty.
    assert [r["order_id"] for r in data["requests"]] == ["A4", "A2", "A1"]
    assert data["points"] == {"incurred_30d": 0, "cap": 6, "exposure": 1}
    with engine.connect() as connection:
        a1 = connection.execute(sa.select(invoice_requests).where(invoice_requests.c.order_id == "A1")).one()
        a2 = connection.execute(sa.select(invoice_requests).where(invoice_requests.c.order_id == "A2")).one()
    assert (a1.amount_fen, a1.title, a2.amount_fen) == (9950, "杭州某某科技有限公司", 1200)


def test_the_same_file_twice_or_shuffled_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "inv.jsonl", LINES)
    _ingest(engine, path)
    before = _rows(engine)
    _ingest(engine, path)
    assert _rows(engine) == before
    for seed in range(3):
        shuffled = LINES[:]
        random.Random(seed).shuffle(shuffled)
        _ingest(engine, write_jsonl(tmp_path / f"shuffled{seed}.jsonl", shuffled))
        assert _rows(engine) == before


def test_the_earliest_issue_stands_and_a_late_issue_does_not_undo_the_point(db_url: str, tmp_path: Path) -> None:
    from stall_monitor.store import open_store

    issue_first = [
        {"order_id": "B1", "requested_at": "2022-12-20 10:00", "issued_at": "2023-01-20 10:00"},
        {"order_id": "B1", "requested_at": "2022-12-20 10:00", "work_order_opened_at": "2023-01-01 10:00"},
        {"order_id": "B1", "requested_at": "2022-12-20 10:00", "issued_at": "2023-01-25 10:00"},  # later: ignored
    ]
    engine = open_store(db_url)
    _ingest(engine, write_jsonl(tmp_path / "a.jsonl", issue_first))
    forward = invoice_scan_json(engine, bj("2023-01-15 00:00"))
    with engine.connect() as connection:
        issued = connection.execute(sa.select(invoice_requests.c.issued_at)).scalar()
    assert issued == bj("2023-01-20 10:00")
    engine.dispose()
    # The penalty fell at 2023-01-09 10:00; the later issue does not undo it.
    assert forward["requests"][0]["level"] == "penalized"
    assert forward["points"]["incurred_30d"] == 1


def test_a_bad_line_is_reported_with_file_and_line_and_the_rest_goes_in(engine: Engine, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"order_id": "C1", "requested_at": "2022-12-20 10:00"},
            "{not json",
            {"order_id": "C2", "requested_at": "yesterday"},
            {"order_id": "C3", "requested_at": "2022-12-20 10:00", "issued_at": "2022-12-19 10:00"},
            {"order_id": "C4", "requested_at": "2022-12-20 10:00", "amount": "12.345"},
            {"order_id": "C5", "requested_at": "2022-12-20 10:00", "colour": "red"},
            {"requested_at": "2022-12-20 10:00"},
            {"order_id": "C6", "requested_at": "2022-12-20 10:00", "amount": "-1"},
            {"order_id": "C7", "requested_at": "2022-12-21 10:00"},
        ],
    )
    rejected, problems = _ingest(engine, path)
    assert rejected == 7
    assert [(p.line, p.field) for p in problems] == [
        (2, None), (3, "requested_at"), (4, "issued_at"), (5, "amount"), (6, "colour"), (7, "order_id"), (8, "amount"),
    ]  # fmt: skip
    assert str(problems[1]).startswith(f"{path}:3")
    assert [r["order_id"] for r in invoice_scan_json(engine, AT)["requests"]] == ["C1", "C7"]


def test_csv_with_zone_less_beijing_times(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "order_id,requested_at,issued_at,work_order_opened_at,amount,title\n"
        "D1,2022-12-20 10:00,,2023-01-09 09:00,88.00,某某公司\n"
        "D2,2022-12-20T02:00:00Z,2022-12-21 10:00,,,\n",
        encoding="utf-8",
    )
    assert _ingest(engine, path) == (0, [])
    (d1,) = invoice_scan(engine, RULES, bj("2023-01-10 08:59")).requests
    assert (d1.order_id, d1.level, d1.penalty_at) == ("D1", "work_order", bj("2023-01-10 09:00"))
    assert invoice_scan(engine, RULES, bj("2023-01-10 09:00")).points.incurred_30d == 1


def test_issue_and_work_order_by_hand(engine: Engine, tmp_path: Path) -> None:
    _ingest(engine, write_jsonl(tmp_path / "inv.jsonl", [{"order_id": "E1", "requested_at": "2022-12-20 10:00"}]))
    assert record_invoice_work_order(engine, "E1", bj("2023-01-01 10:00"))
    assert not record_invoice_work_order(engine, " E1 ", bj("2023-01-01 10:00"))  # already recorded
    (case,) = invoice_scan(engine, RULES, bj("2023-01-02 10:00")).requests
    assert (case.level, case.penalty_at) == ("work_order", bj("2023-01-09 10:00"))
    assert record_issue(engine, "E1", bj("2023-01-03 10:00")) == bj("2022-12-20 10:00")
    assert invoice_scan(engine, RULES, bj("2023-01-03 10:00")).requests == ()
    assert len(invoice_scan(engine, RULES, bj("2023-01-03 09:59")).requests) == 1  # the past is unchanged
    with pytest.raises(TrackingError, match="no invoice request"):
        record_issue(engine, "NOPE", bj("2023-01-03 10:00"))
    with pytest.raises(TrackingError, match="before the request"):
        record_invoice_work_order(engine, "E1", bj("2022-12-19 10:00"))


def test_seven_penalties_in_30_days_count_six_and_31_days_apart_do_not_add_up(engine: Engine, tmp_path: Path) -> None:
    def batch(prefix: str, final: str, n: int) -> list[dict[str, str]]:
        requested = bj(final) - timedelta(days=20)
        return [
            {"order_id": f"{prefix}{i}", "requested_at": requested.isoformat(),
             "work_order_opened_at": (requested + timedelta(days=3)).isoformat()}
            for i in range(n)
        ]  # fmt: skip

    lines = batch("F", "2023-02-01 12:00", 7) + batch("G", "2023-03-04 12:00", 3)
    _ingest(engine, write_jsonl(tmp_path / "inv.jsonl", lines))
    assert invoice_scan(engine, RULES, bj("2023-02-01 12:00")).points.incurred_30d == 6
    assert invoice_scan(engine, RULES, bj("2023-03-04 12:00")).points.incurred_30d == 3


def test_the_store_scan_is_the_pure_clocks_over_every_request(engine: Engine, tmp_path: Path) -> None:
    """Random requests through the store: the scan's query must not drop any request that matters."""
    rng = random.Random(11)
    start = bj("2022-12-01 00:00")
    facts = []
    for i in range(300):
        requested = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        issued = requested + timedelta(minutes=rng.randrange(0, 40 * 24 * 60)) if rng.random() < 0.6 else None
        opened = requested + timedelta(minutes=rng.randrange(0, 30 * 24 * 60)) if rng.random() < 0.5 else None
        facts.append(InvoiceFacts(f"R{i:03d}", requested, issued, opened))
    lines = [
        {"order_id": f.order_id, "requested_at": f.requested_at.isoformat()}
        | ({"issued_at": f.issued_at.isoformat()} if f.issued_at else {})
        | ({"work_order_opened_at": f.work_order_opened_at.isoformat()} if f.work_order_opened_at else {})
        for f in facts
    ]
    _ingest(engine, write_jsonl(tmp_path / "inv.jsonl", lines))
    incurred = []
    for days in (5, 25, 40, 55, 70, 95):
        at = start + timedelta(days=days, hours=7)
        cases = sorted(
            (c for c in (classify(f, RULES, at) for f in facts) if c is not None), key=lambda c: (c.due_at, c.order_id)
        )
        expected = {"requests": [c.as_json() for c in cases], "points": points(facts, cases, RULES, at).as_json()}
        got = invoice_scan_json(engine, at)
        assert json.dumps(got) == json.dumps(expected)
        incurred.append(got["points"]["incurred_30d"])
    assert max(incurred) > 0  # the data does reach penalties (including requests issued after them)

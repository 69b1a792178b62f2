"""The stall report's invoice section: what to issue first and why, the points against the cap; the same
data in HTML, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from stall_monitor.export import csv_bytes
from stall_monitor.invoices.ingest import ingest_invoice_requests
from stall_monitor.invoices.report import invoice_report_data
from stall_monitor.invoices.rules import default_invoice_rules
from stall_monitor.invoices.scan import InvoiceScan, invoice_scan
from stall_monitor.report import render
from stall_monitor.rules import Rules
from stall_monitor.samples import write_jsonl
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_invoice_requests
from waybill.app.cli import main
from waybill.errors import Problem
from waybill.times import parse_instant as bj

AT = bj("2023-01-09 09:00")
LINES = [
    {"order_id": "PEND", "requested_at": "2023-01-05 10:00"},
    {"order_id": "LATE", "requested_at": "2022-12-28 10:00"},
    {"order_id": "OVER", "requested_at": "2022-12-18 10:00"},
    {"order_id": "WO", "requested_at": "2022-12-20 10:00", "work_order_opened_at": "2023-01-08 10:00",
     "title": "<b>某某</b>有限公司", "amount": "1280.5"},
    {"order_id": "GONE", "requested_at": "2022-12-17 10:00", "work_order_opened_at": "2023-01-01 10:00"},
]  # fmt: skip


@pytest.fixture
def invoices(engine: Engine, tmp_path: Path) -> InvoiceScan:
    ingest_invoice_requests(engine, read_invoice_requests(write_jsonl(tmp_path / "inv.jsonl", LINES)))
    return invoice_scan(engine, default_invoice_rules(), AT)


def test_issue_first_puts_the_point_at_stake_first_and_says_why(invoices: InvoiceScan) -> None:
    data = invoice_report_data(invoices)
    assert [(r["order_id"], r["level"]) for r in data["issue_first"]] == [
        ("WO", "work_order"),
        ("OVER", "overdue"),
        ("LATE", "late"),
        ("PEND", "pending"),
        ("GONE", "penalized"),
    ]
    why = {r["order_id"]: r["why"] for r in data["issue_first"]}
    assert why["WO"] == "buyer's work order open: issue by 01-09 10:00 or lose 1 point"
    assert why["GONE"] == "1 point incurred at 01-06 10:00: issue it still, the buyer is waiting"
    assert why["OVER"].startswith("second timeout since 01-07 10:00: a work order now leaves 24 h")
    assert data["points"] == {"incurred_30d": 1, "cap": 6, "exposure": 1}
    assert data["counts"] == {"pending": 1, "late": 1, "overdue": 1, "work_order": 1, "penalized": 1}


def test_the_report_carries_the_section_in_every_format(engine: Engine, rules: Rules, invoices: InvoiceScan) -> None:
    result = scan(engine, rules, AT)
    page = render(result, "html", invoices)
    section = page[page.index("Invoices to issue") :]
    assert "Points: 1 of 6</b> incurred in the last 30 days; <b>1</b> more at stake" in section
    assert "&lt;b&gt;某某&lt;/b&gt;有限公司" in section and "1280.50" in section
    assert section.index(">WO<") < section.index(">OVER<") < section.index(">GONE<")
    assert "Invoices to issue" not in render(result, "html")  # without an invoice scan: no section

    data = json.loads(render(result, "json", invoices))
    assert data["invoices"]["points"]["exposure"] == 1
    rows = list(csv.DictReader(io.StringIO(csv_bytes(data, "invoices").decode("utf-8-sig"))))
    assert [r["order_id"] for r in rows] == ["WO", "OVER", "LATE", "PEND", "GONE"]
    text = csv_bytes(data, "summary").decode("utf-8-sig")
    summary = {r["key"]: r["value"] for r in csv.DictReader(io.StringIO(text))}
    points = [summary[f"invoices.points.{key}"] for key in ("incurred_30d", "cap", "exposure")]
    assert points == ["1", "6", "1"]


def test_stall_report_command_includes_the_invoices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "w.db")
    assert main(["invoice", "ingest", str(write_jsonl(tmp_path / "inv.jsonl", LINES)), "--db", db]) == 0
    out = tmp_path / "report.json"
    assert main(["stall", "report", "--at", "2023-01-09 09:00", "-o", str(out), "--db", db]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["invoices"]["issue_first"][0]["order_id"] == "WO"
    assert data["invoices"]["rule_set"]["points_per_case"] == 1


def test_the_bundled_invoice_requests_are_for_the_sample_orders() -> None:
    from waybill.orders import load_orders
    from waybill.samples import sample_path
    from waybill.shop import load_shop

    orders = {o.order_id for o in load_orders(sample_path("orders.jsonl"), load_shop(sample_path("shop.toml"))).orders}
    requests = list(read_invoice_requests(sample_path("invoices.jsonl")))
    assert all(not isinstance(r, Problem) for r in requests)
    assert {r.order_id for r in requests if not isinstance(r, Problem)} <= orders

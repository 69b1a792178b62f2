"""The report: self-contained HTML, CSV and JSON of the same data, feed freshness, escaping."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

import pytest
from sqlalchemy.engine import Engine

from stall_monitor.events import Event
from stall_monitor.export import csv_bytes
from stall_monitor.ingest import ingest_events
from stall_monitor.report import render, report_data, stall_table
from stall_monitor.rules import Rules
from stall_monitor.scan import ScanResult, scan
from stall_monitor.store import Registration, register_waybills
from stall_monitor.workorders import open_work_order
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")
AT = bj("2022-12-24 10:00")


@pytest.fixture
def result(engine: Engine, rules: Rules) -> ScanResult:
    register_waybills(
        engine,
        [
            Registration("SF1", "SF", "T1", "新疆维吾尔自治区", bj("2022-12-19 09:00")),
            Registration("YT2", "YTO", "T2", "浙江省", bj("2022-12-19 09:00")),
            Registration("YT3", "YTO", "T3", "广东省", bj("2022-12-19 09:00")),
            Registration("ZT4", "ZTO", "T4", "北京市", bj("2022-12-22 09:00")),  # never picked up
        ],
    )
    events = [
        Event("SF1", bj("2022-12-20 10:00"), "in_transit", "<script>alert(1)</script> 到达乌鲁木齐"),
        Event("YT2", bj("2022-12-20 10:00"), "in_transit", "到达杭州"),
        Event("YT3", bj("2022-12-24 09:00"), "weird-code", "刚刚更新"),  # YTO's feed is alive
    ]
    ingest_events(engine, events, received_at=RECEIVED)
    open_work_order(engine, "YT2", bj("2022-12-23 09:00"))  # overdue at AT
    return scan(engine, rules, AT)


def test_feed_freshness_tells_a_quiet_feed_from_stalled_parcels(result: ScanResult) -> None:
    feeds = {f.carrier: (f.open_waybills, f.silent_hours, f.quiet) for f in result.feeds}
    assert feeds == {"SF": (1, 96.0, True), "YTO": (2, 1.0, False), "ZTO": (1, None, True)}
    assert {s.waybill_no: s.feed_quiet for s in result.stalls} == {"SF1": True, "YT2": False, "ZT4": True}


def test_html_is_self_contained_printable_and_escaped(result: ScanResult) -> None:
    page = render(result, "html")
    # The one URL is the embedded font's data: URL; nothing is fetched.
    assert page.count("url(") == 1 and "src: url(data:font/woff2;base64," in page
    for forbidden in ("<script", "<link", "src=", "@import", "<iframe"):
        assert forbidden not in page.lower()
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]  # the SVG namespace only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "@media print" in page and "@page" in page
    assert page.count("<rect") >= 3  # bars and legend of the inline chart
    assert "SF feed is quiet" in page and "ZTO feed is quiet" in page and "YTO feed is quiet" not in page
    assert "<b>1 work order overdue</b>: answer them first." in page
    assert "silent 96.0 h ≥ the 96 h remote threshold" in page
    assert "&#x27;weird-code&#x27;" in page  # the unknown status is reported


def test_csv_and_json_carry_the_same_data(result: ScanResult) -> None:
    data = json.loads(render(result, "json"))
    assert data == json.loads(json.dumps(report_data(result), ensure_ascii=False))
    for section, key in (
        ("urgent", "stalls"),
        ("work_orders", "work_orders"),
        ("feeds", "feeds"),
        ("by_carrier", "by_carrier"),
        ("by_province", "by_province"),
    ):
        raw = csv_bytes(data, section)
        assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw  # Excel's UTF-8 mark and line ends
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert len(rows) == len(data[key]), section
        for row, item in zip(rows, data[key], strict=True):
            for name, value in item.items():
                if isinstance(value, dict | list) or value is None:
                    continue
                assert row[name] == str(value), (section, name)
    stall_rows = list(csv.DictReader(io.StringIO(csv_bytes(data, "urgent").decode("utf-8-sig"))))
    assert [r["work_order.due_at"] for r in stall_rows] == ["2022-12-24T09:00:00+08:00", "", ""]
    # Hours until the buyer may open a stall work order (negative: they may since that long): YT2 72 h after
    # 12-20 10:00, SF1 (remote) 96 h after it, ZT4 (never picked up) 72 h after shipping 12-22 09:00.
    assert [(s["waybill_no"], s["hours_left"]) for s in data["stalls"]] == [("YT2", -24.0), ("SF1", 0.0), ("ZT4", 23.0)]
    assert data["counts"] == {
        "stalled": 2,
        "at_risk": 0,
        "no_pickup": 1,
        "work_orders_open": 1,
        "work_orders_overdue": 1,
        "feeds_quiet": 2,
        "unknown_status_events": 1,
    }
    assert sum(b["stalled"] + b["at_risk"] + b["no_pickup"] for b in data["silent_hours_histogram"]) == 3


def test_terminal_table(result: ScanResult) -> None:
    text = stall_table(result)
    assert re.search(r"^stalled !feed +SF1 +SF +新疆维吾尔自治区 \(remote\) +96\.0/96 h", text, re.MULTILINE)
    assert "OVERDUE" in text
    assert "warning: the ZTO feed is quiet (no event at all, 1 open waybill)" in text
    assert "unknown status 'weird-code'" in text


def test_nothing_listed(engine: Engine, rules: Rules) -> None:
    empty = scan(engine, rules, AT)
    assert "No parcel is stalled" in render(empty, "html")
    assert "No parcel is stalled, at risk or waiting for pick-up." in stall_table(empty)
    assert json.loads(render(empty, "json"))["stalls"] == []

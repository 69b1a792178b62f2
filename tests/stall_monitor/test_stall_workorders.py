"""Work orders: due 24 h after opening, hours left, overdue, answered ones drop off; file ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.events import Event
from stall_monitor.ingest import ingest_events
from stall_monitor.rules import Rules
from stall_monitor.samples import write_jsonl
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_work_orders
from stall_monitor.workorders import ingest_work_orders, open_work_order, respond_work_order
from waybill.errors import Problem
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")  # the ingest clock in these tests


@pytest.mark.parametrize(
    ("at", "hours_left", "overdue"),
    [
        ("2022-12-23 10:00", 24.0, False),
        ("2022-12-24 09:59", 0.0, False),
        ("2022-12-24 10:00", 0.0, False),  # answering at the deadline is within 24 h
        ("2022-12-24 10:01", -0.1, True),
        ("2022-12-25 10:00", -24.0, True),
    ],
)
def test_work_order_clock(engine: Engine, rules: Rules, at: str, hours_left: float, overdue: bool) -> None:
    ingest_events(engine, [Event("SF1", bj("2022-12-20 10:00"), "in_transit", "x", carrier="SF")], received_at=RECEIVED)
    assert open_work_order(engine, "sf1", bj("2022-12-23 10:00"))
    assert not open_work_order(engine, "SF1", bj("2022-12-23 10:00"))  # the same work order again

    result = scan(engine, rules, bj(at))

    (order,) = result.work_orders
    assert (order.waybill_no, order.carrier, order.due_at) == ("SF1", "SF", bj("2022-12-24 10:00"))
    assert (order.hours_left, order.overdue, order.level) == (hours_left, overdue, "stalled")
    (stall,) = result.stalls
    assert stall.work_order == order
    assert result.counts["work_orders_overdue"] == int(overdue)


def test_a_work_order_is_not_open_before_it_is_opened_nor_after_its_answer(engine: Engine, rules: Rules) -> None:
    open_work_order(engine, "SF1", bj("2022-12-23 10:00"))
    assert respond_work_order(engine, "SF1", bj("2022-12-23 15:00")) == bj("2022-12-23 10:00")

    assert scan(engine, rules, bj("2022-12-23 09:59")).work_orders == ()
    assert [o.hours_left for o in scan(engine, rules, bj("2022-12-23 14:59")).work_orders] == [19.0]
    assert scan(engine, rules, bj("2022-12-23 15:00")).work_orders == ()


def test_respond_without_an_open_work_order_is_an_error(engine: Engine) -> None:
    with pytest.raises(TrackingError, match="SF1: no unanswered work order opened by 2022-12-23T10:00:00\\+08:00"):
        respond_work_order(engine, "SF1", bj("2022-12-23 10:00"))
    open_work_order(engine, "SF1", bj("2022-12-23 10:00"))
    with pytest.raises(TrackingError, match="no unanswered work order"):
        respond_work_order(engine, "SF1", bj("2022-12-23 09:00"))  # before it was opened


def test_work_order_file_ingest_is_idempotent_and_reports_bad_lines(
    engine: Engine, rules: Rules, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "wo.jsonl",
        [
            {"waybill_no": "SF1", "opened_at": "2022-12-23 10:00"},
            {"waybill_no": "SF2", "opened_at": "2022-12-23 08:00", "responded_at": "2022-12-23 09:00"},
            {"waybill_no": "SF3", "opened_at": "2022-12-23 08:00", "responded_at": "2022-12-22 09:00"},
            {"waybill_no": "SF4"},
        ],
    )
    problems: list[Problem] = []
    counts = ingest_work_orders(engine, read_work_orders(path), on_problem=problems.append)
    ingest_work_orders(engine, read_work_orders(path))

    assert (counts.written, counts.rejected) == (2, 2)
    assert [str(p) for p in problems] == [
        f"{path}:3: responded_at: is before opened_at",
        f"{path}:4: opened_at: is required",
    ]
    orders = scan(engine, rules, bj("2022-12-24 12:00")).work_orders
    assert [(o.waybill_no, o.overdue, o.level) for o in orders] == [("SF1", True, None)]

"""The scan's exact semantics, table-driven with explicit instants, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from stall_monitor.events import Event
from stall_monitor.ingest import ingest_events
from stall_monitor.rules import Rules
from stall_monitor.scan import StallLevel, scan
from stall_monitor.store import Registration, register_waybills
from waybill.times import BEIJING
from waybill.times import parse_instant as bj

RECEIVED = bj("2030-01-01T00:00:00+08:00")  # the ingest clock in these tests

WAYBILL = "SF1000000001"


@dataclass(frozen=True)
class Case:
    id: str
    at: str
    events: tuple[tuple[str, str], ...]  # (Beijing time, status); ingested in this order, one batch each
    level: str | None  # None: not listed
    threshold: float | None = None
    silent: float | None = None
    last_event_at: str | None = None
    province: str = "浙江省"
    remote: bool = False
    shipped_at: str | None = None
    registered: bool = True
    extra: dict[str, object] = field(default_factory=dict)


CASES = [
    # Normal destination under the 72 h rule set (from 2022-12-15 00:00 +08:00), warning margin 12 h.
    Case("exactly-at-threshold", "2022-12-23 10:00", (("2022-12-20 10:00", "in_transit"),), "stalled", 72, 72.0),
    Case("one-minute-before", "2022-12-23 09:59", (("2022-12-20 10:00", "in_transit"),), "at_risk", 72, 71.9),
    Case("exactly-at-warning", "2022-12-22 22:00", (("2022-12-20 10:00", "in_transit"),), "at_risk", 72, 60.0),
    Case("minute-before-warning", "2022-12-22 21:59", (("2022-12-20 10:00", "in_transit"),), None),
    # The original 48 h rule set.
    Case("old-rule-48h", "2022-12-12 10:00", (("2022-12-10 10:00", "in_transit"),), "stalled", 48, 48.0),
    Case("old-rule-47h59", "2022-12-12 09:59", (("2022-12-10 10:00", "in_transit"),), "at_risk", 48, 47.9),
    # The instant the rule set changes: a minute before, 48 h applies; at the instant, 72 h does.
    Case("before-rule-change", "2022-12-14 23:59", (("2022-12-12 12:00", "in_transit"),), "stalled", 48, 59.9),
    Case("at-rule-change", "2022-12-15 00:00", (("2022-12-12 12:00", "in_transit"),), "at_risk", 72, 60.0),
    Case("remote-before-rule-change", "2022-12-14 23:59", (("2022-12-12 00:00", "in_transit"),), "at_risk", 72,
         71.9, province="新疆维吾尔自治区", remote=True),
    Case("remote-at-rule-change", "2022-12-15 00:00", (("2022-12-12 00:00", "in_transit"),), None,
         province="新疆维吾尔自治区"),
    # Remote destinations by their full names: 96 h, at risk from 84 h.
    Case("xinjiang-72h-not-listed", "2022-12-23 10:00", (("2022-12-20 10:00", "in_transit"),), None,
         province="新疆维吾尔自治区"),
    Case("xinjiang-96h", "2022-12-24 10:00", (("2022-12-20 10:00", "in_transit"),), "stalled", 96, 96.0,
         province="新疆维吾尔自治区", remote=True),
    Case("neimenggu-84h", "2022-12-23 22:00", (("2022-12-20 10:00", "in_transit"),), "at_risk", 96, 84.0,
         province="内蒙古自治区", remote=True),
    Case("ningxia-95h59", "2022-12-24 09:59", (("2022-12-20 10:00", "in_transit"),), "at_risk", 96, 95.9,
         province="宁夏回族自治区", remote=True),
    Case("xizang-short-name", "2022-12-24 10:00", (("2022-12-20 10:00", "in_transit"),), "stalled", 96, 96.0,
         province="西藏", remote=True),
    Case("beijing-municipality-is-normal", "2022-12-23 10:00", (("2022-12-20 10:00", "in_transit"),), "stalled",
         72, 72.0, province="北京市"),
    # Only events up to `at` count.
    Case("event-after-at-ignored", "2022-12-23 10:00",
         (("2022-12-20 10:00", "in_transit"), ("2022-12-23 10:01", "in_transit")), "stalled", 72, 72.0,
         last_event_at="2022-12-20 10:00"),
    Case("event-after-at-only", "2022-12-23 10:00", (("2022-12-24 10:00", "in_transit"),), None),
    Case("latest-by-time-not-arrival", "2022-12-24 10:00",
         (("2022-12-21 10:00", "in_transit"), ("2022-12-20 10:00", "picked_up")), "stalled", 72, 72.0,
         last_event_at="2022-12-21 10:00", extra={"last_status": "in_transit"}),
    Case("late-older-event-between", "2022-12-23 10:00",
         (("2022-12-25 10:00", "in_transit"), ("2022-12-20 10:00", "picked_up")), "stalled", 72, 72.0,
         last_event_at="2022-12-20 10:00"),
    Case("duplicates-count-once", "2022-12-23 10:00",
         (("2022-12-20 10:00", "in_transit"), ("2022-12-20 10:00", "in_transit")), "stalled", 72, 72.0),
    # Closed waybills are never listed; a delivery after `at` does not close it yet.
    Case("delivered", "2022-12-25 10:00", (("2022-12-20 10:00", "in_transit"), ("2022-12-21 10:00", "delivered")),
         None),
    Case("return-delivered", "2022-12-25 10:00", (("2022-12-20 10:00", "returning"),
                                                   ("2022-12-21 10:00", "return_delivered")), None),
    Case("delivered-after-at", "2022-12-23 10:00",
         (("2022-12-20 10:00", "in_transit"), ("2022-12-24 10:00", "delivered")), "stalled", 72, 72.0),
    Case("refused-is-not-closed", "2022-12-23 10:00", (("2022-12-20 10:00", "refused"),), "stalled", 72, 72.0),
    # An unknown status is not taken for anything: the silence still counts.
    Case("unknown-status-listed", "2022-12-23 10:00", (("2022-12-20 10:00", "9"),), "stalled", 72, 72.0,
         extra={"last_status": "9"}),
    # Registered with shipped_at and no event by `at`: no_pickup once the 24 h pick-up window has passed.
    Case("no-pickup-at-window", "2022-12-21 10:00", (), "no_pickup", 72, 24.0, shipped_at="2022-12-20 10:00",
         extra={"entry_opens_at": "2022-12-23T10:00:00+08:00"}),
    Case("no-pickup-minute-before", "2022-12-21 09:59", (), None, shipped_at="2022-12-20 10:00"),
    Case("no-pickup-event-after-at", "2022-12-21 10:00", (("2022-12-21 11:00", "picked_up"),), "no_pickup", 72, 24.0,
         shipped_at="2022-12-20 10:00"),
    Case("picked-up-is-not-no-pickup", "2022-12-21 10:00", (("2022-12-20 18:00", "picked_up"),), None,
         shipped_at="2022-12-20 10:00"),
    Case("unregistered-waybill-listed", "2022-12-23 10:00", (("2022-12-20 10:00", "in_transit"),), "stalled", 72,
         72.0, registered=False, province=""),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_scan_levels(engine: Engine, rules: Rules, case: Case) -> None:
    if case.registered:
        shipped = bj(case.shipped_at) if case.shipped_at else None
        register_waybills(engine, [Registration(WAYBILL, "SF", "T1", case.province, shipped)])
    for time, status in case.events:
        event = Event(WAYBILL, bj(time), status, f"{status} @ {time}", "杭州", "SF")
        ingest_events(engine, [event], received_at=RECEIVED)

    result = scan(engine, rules, bj(case.at))

    listed = [s for s in result.stalls if s.waybill_no == WAYBILL]
    if case.level is None:
        assert listed == []
        return
    assert len(listed) == 1
    stall = listed[0].as_json()
    assert stall["level"] == case.level
    assert stall["threshold_hours"] == case.threshold
    assert stall["silent_hours"] == case.silent
    assert stall["remote"] is case.remote
    if case.level != "no_pickup":
        last = max(bj(t) for t, _ in case.events if bj(t) <= bj(case.at))
        assert case.last_event_at is None or bj(case.last_event_at) == last
        assert listed[0].last_event_at == last
        assert stall["last_event_at"] == last.astimezone(BEIJING).isoformat()
        assert listed[0].entry_opens_at == last + timedelta(hours=case.threshold or 0)
    for key, value in case.extra.items():
        assert stall[key] == value


def test_feed_freshness_counts_only_events_up_to_at(engine: Engine, rules: Rules) -> None:
    register_waybills(engine, [Registration("YT1", "YTO", "T1", "浙江省", None)])
    batch = [
        Event("YT1", bj("2022-12-20 09:00"), "in_transit", "a", carrier="YTO"),
        Event("ZT9", bj("2022-12-20 15:00"), "delivered", "b", carrier="YTO"),  # closed, but still feed activity
    ]
    ingest_events(engine, batch, received_at=RECEIVED)

    feeds = {f.carrier: f for f in scan(engine, rules, bj("2022-12-20 12:00")).feeds}
    later = {f.carrier: f for f in scan(engine, rules, bj("2022-12-20 16:00")).feeds}

    assert (feeds["YTO"].last_event_at, feeds["YTO"].silent_hours, feeds["YTO"].quiet) == (
        bj("2022-12-20 09:00"),
        3.0,
        False,
    )
    assert (later["YTO"].last_event_at, later["YTO"].silent_hours, later["YTO"].open_waybills) == (
        bj("2022-12-20 15:00"),
        1.0,
        1,
    )
    assert {f.quiet for f in scan(engine, rules, bj("2022-12-20 21:00")).feeds} == {True}


Finding = tuple[StallLevel, datetime | None, str | None]  # a stall as (level, last_event_at, last_status)


def _reference(
    registered: dict[str, Registration], stored: list[Event], rules: Rules, at: datetime
) -> dict[str, Finding]:
    """The scan's semantics written plainly over Python lists: what the SQL must agree with."""
    rule = rules.at(at)
    expected: dict[str, Finding] = {}
    for waybill_no in {e.waybill_no for e in stored} | set(registered):
        seen = [e for e in stored if e.waybill_no == waybill_no and e.time <= at]
        registration = registered.get(waybill_no)
        province = registration.province if registration else ""
        threshold = rule.threshold_hours(province)
        if not seen:
            shipped = registration.shipped_at if registration else None
            if shipped is not None and at >= shipped + timedelta(hours=rule.pickup_window_hours):
                expected[waybill_no] = ("no_pickup", None, None)
            continue
        if any(e.status in ("delivered", "return_delivered") for e in seen):
            continue
        last = max(seen, key=lambda e: (e.time, e.key))
        silent = at - last.time
        if silent >= timedelta(hours=threshold):
            expected[waybill_no] = ("stalled", last.time, last.status)
        elif silent >= timedelta(hours=threshold - rule.warning_margin_hours):
            expected[waybill_no] = ("at_risk", last.time, last.status)
    return expected


def _open_reference(registered: dict[str, Registration], stored: list[Event], at: datetime) -> int:
    """Waybills known by ``at`` (an event, or shipped, by then) and not delivered by then: the feed count's sum."""
    known = {e.waybill_no for e in stored if e.time <= at}
    known |= {w for w, r in registered.items() if r.shipped_at is not None and r.shipped_at <= at}
    closed = {e.waybill_no for e in stored if e.time <= at and e.status in ("delivered", "return_delivered")}
    return len(known - closed)


def test_scan_agrees_with_a_plain_reference_on_random_histories(engine: Engine, rules: Rules) -> None:
    rng = random.Random(20221215)
    start = bj("2022-12-10 00:00")
    provinces = ["浙江省", "新疆维吾尔自治区", "西藏自治区", "北京市", "内蒙古自治区"]
    statuses = ["picked_up", "in_transit", "in_transit", "out_for_delivery", "problem", "delivered", "9"]
    registered = {
        f"W{i:03d}": Registration(f"W{i:03d}", "SF", f"T{i}", rng.choice(provinces),
                                  start + timedelta(hours=rng.randrange(0, 200)))
        for i in range(0, 60, 2)
    }  # fmt: skip
    stored: list[Event] = []
    for i in range(60):
        for _ in range(rng.randrange(0, 6)):
            time = start + timedelta(minutes=rng.randrange(0, 14 * 24 * 60))
            stored.append(Event(f"W{i:03d}", time, rng.choice(statuses), f"c{rng.randrange(3)}", carrier="SF"))
    register_waybills(engine, registered.values())
    shuffled = stored + stored[:10]  # duplicates too
    rng.shuffle(shuffled)
    for chunk in range(0, len(shuffled), 25):  # arrival order is random, in several ingests
        ingest_events(engine, shuffled[chunk : chunk + 25], received_at=RECEIVED)

    levels_seen = set()
    for at in [start + timedelta(hours=h) for h in (30, 100, 119.5, 120, 200, 260, 340)]:
        result = scan(engine, rules, at)
        got = {s.waybill_no: (s.level, s.last_event_at, s.last_status) for s in result.stalls}
        assert got == _reference(registered, stored, rules, at), at
        assert result.open_waybills == _open_reference(registered, stored, at), at
        levels_seen |= {level for level, _, _ in got.values()}
    assert levels_seen == {"stalled", "at_risk", "no_pickup"}  # the comparison covered every level

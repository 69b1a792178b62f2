"""The invoice clocks against a plain reference implementation of issue 11's semantics, on random requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from stall_monitor.invoices.clocks import InvoiceFacts, classify, points
from stall_monitor.invoices.rules import default_invoice_rules

RULES = default_invoice_rules()
SWITCH = datetime(2022, 12, 15, 16, 0, tzinfo=UTC)  # 2022-12-16T00:00+08:00
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
ORIGIN = SWITCH - 3 * DAY  # most drawn requests fall after the switch, some before


def reference(requests: list[InvoiceFacts], at: datetime) -> tuple[dict[str, tuple[str, float]], dict[str, int]]:
    """The issue's text, written out with its numbers: (order → (level, hours left)), points."""
    listed: dict[str, tuple[str, float]] = {}
    fallen: list[datetime] = []
    exposure = 0
    for r in requests:
        if r.requested_at > at:
            continue
        first = r.requested_at + 10 * DAY
        final = r.requested_at + 20 * DAY
        with_points = r.requested_at >= SWITCH
        opened = r.work_order_opened_at if r.work_order_opened_at and r.work_order_opened_at <= at else None
        if opened is not None:
            penalty_at = max(final, opened + 24 * HOUR)
            if with_points and penalty_at <= at and not (r.issued_at and r.issued_at <= penalty_at):
                fallen.append(penalty_at)
        if r.issued_at is not None and r.issued_at <= at:
            continue
        if opened is not None:
            level, due = ("work_order" if at < penalty_at else "penalized"), penalty_at
            exposure += level == "work_order" and with_points
        elif at < first:
            level, due = "pending", first
        elif at < final:
            level, due = "late", final
        else:
            level, due = "overdue", final
        seconds = (due - at).total_seconds()
        listed[r.order_id] = (level, (seconds // 360) / 10)
    incurred = min(6, sum(1 for when in fallen if at - 30 * DAY < when <= at))
    return listed, {"incurred_30d": incurred, "cap": 6, "exposure": exposure}


# Minutes, half of them on a 12-hour grid so that different requests' instants coincide.
GRID = 12 * 60
minutes = st.one_of(
    st.integers(min_value=0, max_value=90 * 2).map(lambda n: n * GRID),
    st.integers(min_value=0, max_value=90 * 24 * 60),
)
offset = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=30 * 2).map(lambda n: n * GRID),
    st.integers(min_value=0, max_value=30 * 24 * 60),
)


def edges(r: InvoiceFacts) -> list[datetime]:
    """The instants where something about ``r`` changes: deadlines, issue, work order, penalty, window end."""
    out = [r.requested_at, r.requested_at + 10 * DAY, r.requested_at + 20 * DAY]
    if r.issued_at is not None:
        out.append(r.issued_at)
    if r.work_order_opened_at is not None:
        penalty_at = max(r.requested_at + 20 * DAY, r.work_order_opened_at + 24 * HOUR)
        out += [r.work_order_opened_at, penalty_at, penalty_at + 30 * DAY]
    return out


@st.composite
def requests(draw: st.DrawFn) -> list[InvoiceFacts]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        requested = ORIGIN + timedelta(minutes=draw(minutes))
        opened_after = draw(offset)
        opened = None if opened_after is None else requested + timedelta(minutes=opened_after)
        issued_after = draw(offset)
        issued = None if issued_after is None else requested + timedelta(minutes=issued_after)
        if draw(st.integers(0, 3)) == 0:  # issued exactly at (or a minute off) an edge of its own clocks
            edge = draw(st.sampled_from(edges(InvoiceFacts("", requested, None, opened))))
            issued = edge + timedelta(minutes=draw(st.sampled_from((-1, 0, 1))))
            issued = max(issued, requested)
        out.append(InvoiceFacts(f"o{i}", requested, issued, opened))
    return out


@settings(max_examples=1500, deadline=None)
@given(requests(), minutes, st.data())
def test_the_clocks_agree_with_the_reference(facts: list[InvoiceFacts], at_minute: int, data: st.DataObject) -> None:
    at = ORIGIN + timedelta(minutes=at_minute)
    at_an_edge: bool = data.draw(st.booleans())
    if facts and at_an_edge:  # half the time: exactly at an edge of one request, or a minute off
        edge = data.draw(st.sampled_from(edges(data.draw(st.sampled_from(facts)))))
        at = edge + timedelta(minutes=data.draw(st.sampled_from((-1, 0, 1))))
    cases = [c for c in (classify(f, RULES, at) for f in facts) if c is not None]
    listed, expected_points = reference(facts, at)
    assert {c.order_id: (c.level, c.hours_left) for c in cases} == listed
    assert points(facts, cases, RULES, at).as_json() == expected_points

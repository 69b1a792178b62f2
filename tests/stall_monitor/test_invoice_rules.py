"""The invoice clocks at every boundary of the rules (issue 11), table-driven with explicit ``at`` times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stall_monitor.errors import TrackingError
from stall_monitor.invoices.clocks import InvoiceFacts, classify, penalty, points
from stall_monitor.invoices.rules import default_invoice_rules, load_invoice_rules, parse_invoice_rules
from waybill.times import parse_instant as bj

RULES = default_invoice_rules()
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)

REQ = bj("2022-12-20 10:00")  # after the switch: first deadline 12-30 10:00, final 2023-01-09 10:00
FIRST, FINAL = bj("2022-12-30 10:00"), bj("2023-01-09 10:00")


@dataclass(frozen=True)
class Case:
    name: str
    at: datetime
    level: str | None  # None: not listed
    hours_left: float | None = None
    issued_at: datetime | None = None
    opened_at: datetime | None = None
    penalty_at: datetime | None = None
    requested_at: datetime = REQ


CASES = [
    Case("just requested", REQ, "pending", 240.0),
    Case("a minute before the first deadline", FIRST - MIN, "pending", 0.0),
    Case("at the first deadline", FIRST, "late", 240.0),
    Case("a minute after the first deadline", FIRST + MIN, "late", 239.9),
    Case("a minute before the final deadline", FINAL - MIN, "late", 0.0),
    Case("at the final deadline", FINAL, "overdue", 0.0),
    Case("a minute after the final deadline", FINAL + MIN, "overdue", -0.1),
    Case("not yet requested", REQ - MIN, None),
    Case("issued", FIRST, None, issued_at=FIRST),
    Case("issued after at (not yet a fact)", FIRST, "late", 240.0, issued_at=FIRST + MIN),
    Case("work order opened after at (not yet a fact)", FIRST, "late", 240.0, opened_at=FIRST + MIN),
    # A work order opened long before the final deadline: the point falls at the deadline.
    Case("work order early, a minute before", FINAL - MIN, "work_order", 0.0, opened_at=FIRST, penalty_at=FINAL),
    Case("work order early, at the deadline", FINAL, "penalized", 0.0, opened_at=FIRST, penalty_at=FINAL),
    Case("work order early, after", FINAL + 2 * H, "penalized", -2.0, opened_at=FIRST, penalty_at=FINAL),
    # Opened after the final deadline: 24 h from the work order.
    Case("work order late, opened", FINAL + 5 * H, "work_order", 24.0, opened_at=FINAL + 5 * H,
         penalty_at=FINAL + 29 * H),
    Case("work order late, a minute before 24 h", FINAL + 29 * H - MIN, "work_order", 0.0,
         opened_at=FINAL + 5 * H, penalty_at=FINAL + 29 * H),
    Case("work order late, at 24 h", FINAL + 29 * H, "penalized", 0.0, opened_at=FINAL + 5 * H,
         penalty_at=FINAL + 29 * H),
    # Opened 12 h before the deadline: penalty_at = max(final, opened + 24 h) = 12 h after the deadline.
    Case("work order 12 h before the deadline", FINAL, "work_order", 12.0, opened_at=FINAL - 12 * H,
         penalty_at=FINAL + 12 * H),
    Case("issued after the penalty (done)", FINAL + 2 * H, None, issued_at=FINAL + H, opened_at=FIRST),
    Case("issued in time with a work order", FINAL, None, issued_at=FINAL - MIN, opened_at=FIRST),
    # The rule set in force at the request's time governs: before 2022-12-16 the same clocks.
    Case("notice example (12-05 → 12-25)", bj("2022-12-25 00:00") - MIN, "late", 0.0,
         requested_at=bj("2022-12-05 00:00")),
    Case("notice example at 12-25", bj("2022-12-25 00:00"), "overdue", 0.0, requested_at=bj("2022-12-05 00:00")),
    Case("mixed zones: UTC request", bj("2022-12-25T16:00+00:00"), "overdue", 0.0,
         requested_at=bj("2022-12-05T16:00:00+00:00")),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_levels_and_clocks_at_each_boundary(case: Case) -> None:
    facts = InvoiceFacts("o-1", case.requested_at, case.issued_at, case.opened_at)
    result = classify(facts, RULES, case.at)
    if case.level is None:
        assert result is None
        return
    assert result is not None
    assert (result.level, result.hours_left, result.penalty_at) == (case.level, case.hours_left, case.penalty_at)
    assert result.final_deadline - result.first_deadline == 10 * D
    assert result.first_deadline - case.requested_at == 10 * D


def test_the_notice_example_final_deadline_is_12_25() -> None:
    case = classify(InvoiceFacts("o", bj("2022-12-05 09:30")), RULES, bj("2022-12-06 00:00"))
    assert case is not None
    assert case.as_json()["final_deadline"] == "2022-12-25T09:30:00+08:00"
    assert case.as_json()["first_deadline"] == "2022-12-15T09:30:00+08:00"


@pytest.mark.parametrize(
    ("requested_at", "points_per_case"),
    [
        ("2022-12-15 23:59", 0),  # before the notice's 12月16日起: the same clocks, no points
        ("2022-12-16 00:00", 1),
        ("2022-12-15T16:00:00+00:00", 1),  # the same instant in UTC
        ("2022-12-15T15:59:59+00:00", 0),
    ],
)
def test_the_rule_switch_at_2022_12_16(requested_at: str, points_per_case: int) -> None:
    request = bj(requested_at)
    opened = request + D
    facts = InvoiceFacts("o", request, None, opened)
    final = request + 20 * D
    assert RULES.at(request).points_per_case == points_per_case
    incurred = penalty(facts, RULES, final)
    assert incurred == ((final, 1) if points_per_case else None)
    assert penalty(facts, RULES, final - MIN) is None
    case = classify(facts, RULES, final - MIN)
    assert case is not None and case.level == "work_order"
    assert points([facts], [case], RULES, final - MIN).exposure == points_per_case


def test_an_invoice_issued_after_the_penalty_keeps_the_point() -> None:
    facts = InvoiceFacts("o", REQ, FINAL + H, FIRST)
    assert classify(facts, RULES, FINAL + 2 * H) is None  # done
    assert penalty(facts, RULES, FINAL + 2 * H) == (FINAL, 1)
    assert points([facts], [], RULES, FINAL + 2 * H).incurred_30d == 1
    in_time = InvoiceFacts("o", REQ, FINAL, FIRST)  # issued exactly at the penalty time: issued by then
    assert penalty(in_time, RULES, FINAL + 2 * H) is None


def _penalised(n: int, final: datetime, prefix: str) -> list[InvoiceFacts]:
    """``n`` requests whose point falls exactly at ``final``."""
    return [InvoiceFacts(f"{prefix}{i}", final - 20 * D, None, final - 5 * D) for i in range(n)]


@pytest.mark.parametrize(
    ("batches", "at", "incurred"),
    [
        ([(7, "2023-02-01 12:00")], "2023-02-01 12:00", 6),  # seven inside 30 days: capped at 6
        ([(7, "2023-02-01 12:00")], "2023-02-01 11:59", 0),  # not yet fallen
        ([(5, "2023-02-01 12:00")], "2023-03-03 11:59", 5),  # 30 days less a minute later: still in the window
        ([(5, "2023-02-01 12:00")], "2023-03-03 12:00", 0),  # exactly 30 days later: out of the window
        ([(4, "2023-02-01 12:00"), (4, "2023-03-04 12:00")], "2023-03-04 12:00", 4),  # 31 days apart: not together
        ([(4, "2023-02-01 12:00"), (4, "2023-03-02 12:00")], "2023-03-02 12:00", 6),  # 29 days apart: capped together
        ([(4, "2023-02-01 12:00"), (4, "2023-03-04 12:00")], "2023-03-03 12:00", 0),
    ],
)
def test_points_in_the_30_day_window_capped_at_6(batches: list[tuple[int, str]], at: str, incurred: int) -> None:
    facts = [f for i, (n, when) in enumerate(batches) for f in _penalised(n, bj(when), f"b{i}-")]
    result = points(facts, [], RULES, bj(at))
    assert (result.incurred_30d, result.cap) == (incurred, 6)


def test_exposure_counts_the_work_order_cases_that_carry_points() -> None:
    at = bj("2023-01-09 09:00")
    facts = [
        InvoiceFacts("wo", REQ, None, FIRST),  # work_order, carries points
        InvoiceFacts("wo-old", bj("2022-12-15 12:00"), None, bj("2023-01-09 00:00")),  # work_order, no points
        InvoiceFacts("late", REQ),
        InvoiceFacts("gone", bj("2022-12-01 10:00"), None, bj("2022-12-10 00:00")),  # penalized (old rules)
    ]
    cases = [c for c in (classify(f, RULES, at) for f in facts) if c is not None]
    assert {c.order_id: c.level for c in cases} == {
        "wo": "work_order",
        "wo-old": "work_order",
        "late": "late",
        "gone": "penalized",
    }
    assert points(facts, cases, RULES, at).as_json() == {"incurred_30d": 0, "cap": 6, "exposure": 1}


def test_the_built_in_rules_and_an_override(tmp_path: Path) -> None:
    before, after = RULES.sets
    assert (before.issue_days, before.second_timeout_days, before.response_hours) == (10, 10, 24)
    assert (before.points_per_case, after.points_per_case, after.cap_points, after.cap_window_days) == (0, 1, 6, 30)
    assert after.effective_from == bj("2022-12-16 00:00")
    path = tmp_path / "invoice.toml"
    path.write_text(
        "[[rule_set]]\nissue_days = 7\nsecond_timeout_days = 3\nresponse_hours = 12\n"
        "points_per_case = 2\ncap_points = 3\ncap_window_days = 7\n",
        encoding="utf-8",
    )
    rules = load_invoice_rules(path)
    assert rules.at(REQ).final_deadline(REQ) == REQ + 10 * D
    assert rules.at(REQ).penalty_at(REQ, REQ + 10 * D) == REQ + 10 * D + 12 * H


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule_set]]\nissue_days = 10\n", "missing second_timeout_days"),
        ("[[rule_set]]\nissue_day = 10\n", "unknown key 'issue_day'"),
        (
            "[[rule_set]]\nissue_days = 10\nsecond_timeout_days = 10\nresponse_hours = 24\npoints_per_case = 1.5\n"
            "cap_points = 6\ncap_window_days = 30\n",
            "points_per_case must be a whole number",
        ),
        (
            "[[rule_set]]\nissue_days = nan\nsecond_timeout_days = 10\nresponse_hours = 24\npoints_per_case = 1\n"
            "cap_points = 6\ncap_window_days = 30\n",
            "issue_days must be a number",
        ),
    ],
)
def test_bad_invoice_rules_say_where(text: str, message: str) -> None:
    with pytest.raises(TrackingError, match=f"^my.toml: .*{message}"):
        parse_invoice_rules(text, "my.toml")

"""The invoice clocks at an instant, as pure functions of a request's facts: its level, its deadlines, the
points it incurred. Only facts with a time ≤ ``at`` count.

- done (not listed): issued by ``at``.
- with a work order (the earliest opened by ``at``): ``work_order`` until its penalty time, then ``penalized``.
- without: ``pending`` before the first deadline, ``late`` from it, ``overdue`` from the final deadline.
- a point falls at the penalty time when the invoice was not issued by then (issuing later does not undo it).
- points at ``at``: those that fell in the cap window up to ``at`` (``at`` − window, ``at``], capped;
  exposure: the ``work_order`` cases whose rule set carries points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from stall_monitor.invoices.rules import InvoiceRules, InvoiceRuleSet
from waybill.times import beijing_iso, hours_down

__all__ = ["LEVELS", "InvoiceCase", "InvoiceFacts", "InvoiceLevel", "Points", "classify", "penalty", "points"]

InvoiceLevel = Literal["pending", "late", "overdue", "work_order", "penalized"]
LEVELS: tuple[InvoiceLevel, ...] = get_args(InvoiceLevel)


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What is known of one order's invoice request (times aware)."""

    order_id: str
    requested_at: datetime
    issued_at: datetime | None = None
    work_order_opened_at: datetime | None = None  # the earliest invoice work order
    amount: str | None = None  # yuan, as a decimal string
    title: str | None = None  # 发票抬头


@dataclass(frozen=True, slots=True)
class InvoiceCase:
    """A request not issued at ``at``: where it stands and the time that matters next (``due_at``)."""

    facts: InvoiceFacts
    rule: InvoiceRuleSet
    level: InvoiceLevel
    first_deadline: datetime
    final_deadline: datetime
    work_order_opened_at: datetime | None
    penalty_at: datetime | None
    due_at: datetime
    hours_left: float

    @property
    def order_id(self) -> str:
        return self.facts.order_id

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "level": self.level,
            "requested_at": beijing_iso(self.facts.requested_at),
            "first_deadline": beijing_iso(self.first_deadline),
            "final_deadline": beijing_iso(self.final_deadline),
            "work_order_opened_at": beijing_iso(self.work_order_opened_at),
            "penalty_at": beijing_iso(self.penalty_at),
            "hours_left": self.hours_left,
        }


@dataclass(frozen=True, slots=True)
class Points:
    incurred_30d: int  # points that fell in the cap window up to ``at``, capped
    cap: int
    exposure: int  # work-order cases that cost a point each if nothing is done
    window_days: float = 30

    def as_json(self) -> dict[str, Any]:
        return {"incurred_30d": self.incurred_30d, "cap": self.cap, "exposure": self.exposure}


def _opened(facts: InvoiceFacts, at: datetime) -> datetime | None:
    opened = facts.work_order_opened_at
    return opened if opened is not None and opened <= at else None


def classify(facts: InvoiceFacts, rules: InvoiceRules, at: datetime) -> InvoiceCase | None:
    """The request's case at ``at``; ``None`` when it is not listed (not yet requested, or issued)."""
    if facts.requested_at > at or (facts.issued_at is not None and facts.issued_at <= at):
        return None
    rule = rules.at(facts.requested_at)
    first, final = rule.first_deadline(facts.requested_at), rule.final_deadline(facts.requested_at)
    opened = _opened(facts, at)
    penalty_at = None if opened is None else rule.penalty_at(facts.requested_at, opened)
    level: InvoiceLevel
    if penalty_at is not None:
        level, due = ("work_order" if at < penalty_at else "penalized"), penalty_at
    elif at < first:
        level, due = "pending", first
    else:
        level, due = ("late" if at < final else "overdue"), final
    return InvoiceCase(facts, rule, level, first, final, opened, penalty_at, due, hours_down(due - at))


def penalty(facts: InvoiceFacts, rules: InvoiceRules, at: datetime) -> tuple[datetime, int] | None:
    """(when, points) of the penalty this request incurred by ``at``, if any."""
    opened = _opened(facts, at)
    if opened is None:
        return None
    rule = rules.at(facts.requested_at)
    when = rule.penalty_at(facts.requested_at, opened)
    if not rule.carries_points or when > at or (facts.issued_at is not None and facts.issued_at <= when):
        return None
    return when, rule.points_per_case


def points(facts: Iterable[InvoiceFacts], cases: Iterable[InvoiceCase], rules: InvoiceRules, at: datetime) -> Points:
    """Points at ``at`` of every request (``facts``, issued ones too) and the exposure of the listed ``cases``."""
    rule = rules.at(at)
    start = at - rule.cap_window
    fallen = 0
    for item in facts:
        incurred = penalty(item, rules, at)
        if incurred is not None and incurred[0] > start:
            fallen += incurred[1]
    exposure = sum(1 for case in cases if case.level == "work_order" and case.rule.carries_points)
    return Points(min(fallen, rule.cap_points), rule.cap_points, exposure, rule.cap_window_days)

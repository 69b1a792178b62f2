"""The invoice scan: every request not issued at ``at``, sorted by the time that matters next, and the points.

One query reads the requests that can matter at ``at`` — the unissued ones and those issued within the
longest cap window (a point that fell before a late issue still counts) — with each order's earliest invoice
work order opened by ``at``; ``clocks`` classifies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.invoices.clocks import InvoiceCase, InvoiceFacts, Points, classify, points
from stall_monitor.invoices.rules import InvoiceRules, InvoiceRuleSet, default_invoice_rules
from stall_monitor.invoices.store import invoice_requests, prepare
from stall_monitor.store import work_orders

__all__ = ["InvoiceScan", "invoice_scan", "invoice_scan_json"]


@dataclass(frozen=True)
class InvoiceScan:
    at: datetime
    rule_set: InvoiceRuleSet  # in force at ``at`` (its cap counts the points)
    requests: tuple[InvoiceCase, ...]
    points: Points

    def as_json(self) -> dict[str, Any]:
        """``waybill invoice scan --json`` and ``GET /api/invoices``."""
        return {"requests": [case.as_json() for case in self.requests], "points": self.points.as_json()}


def invoice_scan(engine: Engine, rules: InvoiceRules, at: datetime) -> InvoiceScan:
    """The invoice requests the shop must act on at ``at``; nothing after ``at`` is taken into account."""
    if at.tzinfo is None:
        raise ValueError("scan needs an aware instant")
    prepare(engine)
    facts = _facts(engine, rules, at)
    cases = [case for case in (classify(f, rules, at) for f in facts) if case is not None]
    cases.sort(key=lambda case: (case.due_at, case.order_id))
    return InvoiceScan(at, rules.at(at), tuple(cases), points(facts, cases, rules, at))


def invoice_scan_json(engine: Engine, at: datetime, rules: InvoiceRules | None = None) -> dict[str, Any]:
    """The scan as the JSON the server answers ``GET /api/invoices?at=…`` with (built-in rules by default)."""
    return invoice_scan(engine, rules or default_invoice_rules(), at).as_json()


def _facts(engine: Engine, rules: InvoiceRules, at: datetime) -> list[InvoiceFacts]:
    r, o = invoice_requests.c, work_orders.c
    first_work_order = (
        sa.select(o.subject, sa.func.min(o.opened_at).label("opened_at"))
        .where(o.kind == "invoice", o.opened_at <= at)
        .group_by(o.subject)
        .subquery()
    )
    w = first_work_order.c
    base = sa.select(r.order_id, r.requested_at, r.issued_at, r.amount_fen, r.title, w.opened_at).select_from(
        invoice_requests.outerjoin(first_work_order, w.subject == r.order_id)
    )
    since = at - max(rule_set.cap_window for rule_set in rules.sets)
    # Two sargable branches (never issued; issued recently) rather than one OR.
    query = sa.union_all(
        base.where(r.issued_at.is_(None), r.requested_at <= at),
        base.where(r.issued_at > since, r.requested_at <= at),
    )
    with engine.connect() as connection:
        return [
            InvoiceFacts(row[0], row[1], row[2], row[5], _yuan(row[3]), row[4]) for row in connection.execute(query)
        ]


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"

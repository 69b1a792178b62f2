"""The invoice kind's rules as dated data, and every invoice clock (``InvoiceRuleSet`` is their one place).

The defaults ship as ``stall_monitor/invoices/rules.toml``; ``--rules FILE`` replaces them. The rule set in
force at a request's time governs that request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stall_monitor.dated import DatedRules, check_keys, load_dated, numbers, parse_dated
from stall_monitor.errors import TrackingError
from waybill.i18n import _

__all__ = ["InvoiceRuleSet", "InvoiceRules", "default_invoice_rules", "load_invoice_rules", "parse_invoice_rules"]

_KEYS = ("issue_days", "second_timeout_days", "response_hours", "points_per_case", "cap_points", "cap_window_days")
_COUNTS = ("points_per_case", "cap_points")


@dataclass(frozen=True)
class InvoiceRuleSet:
    """One dated set of invoice rules, and the clocks of a request made while it is in force."""

    name: str
    effective_from: datetime | None  # None: since the beginning of time
    issue_days: float
    second_timeout_days: float
    response_hours: float
    points_per_case: int
    cap_points: int
    cap_window_days: float

    def first_deadline(self, requested_at: datetime) -> datetime:
        """Issue by then; from then on the request is late."""
        return requested_at + timedelta(days=self.issue_days)

    def final_deadline(self, requested_at: datetime) -> datetime:
        """The second timeout: from then on an unissued request is overdue (the notice: 12-05 → 12-25)."""
        return self.first_deadline(requested_at) + timedelta(days=self.second_timeout_days)

    def penalty_at(self, requested_at: datetime, work_order_opened_at: datetime) -> datetime:
        """When an unissued invoice with a work order costs its point: at the final deadline, or, for a work
        order opened later than 24 h before it, when the work order's response time runs out."""
        return max(self.final_deadline(requested_at), work_order_opened_at + timedelta(hours=self.response_hours))

    @property
    def carries_points(self) -> bool:
        return self.points_per_case > 0

    @property
    def cap_window(self) -> timedelta:
        return timedelta(days=self.cap_window_days)


InvoiceRules = DatedRules[InvoiceRuleSet]


def default_invoice_rules() -> InvoiceRules:
    return load_invoice_rules(None)


def load_invoice_rules(path: Path | None) -> InvoiceRules:
    """The invoice rules in ``path``, or the built-in defaults when it is ``None``."""
    return load_dated(path, "stall_monitor.invoices", "rules.toml", _rule_set)


def parse_invoice_rules(text: str, source: str) -> InvoiceRules:
    return parse_dated(text, source, _rule_set)


def _rule_set(fields: dict[str, Any], where: str, name: str, effective_from: datetime | None) -> InvoiceRuleSet:
    check_keys(fields, where, _KEYS, _KEYS)
    values = numbers(fields, where, _KEYS, _("days, hours or points"), most=24 * 366)
    for key in _COUNTS:
        if not values[key].is_integer():
            raise TrackingError(
                _("{where}: {key} must be a whole number of points, not {value!r}").format(
                    where=where, key=key, value=fields[key]
                )
            )
    if values["cap_window_days"] <= 0:
        raise TrackingError(_("{where}: cap_window_days must be more than 0").format(where=where))
    return InvoiceRuleSet(
        name=name,
        effective_from=effective_from,
        issue_days=values["issue_days"],
        second_timeout_days=values["second_timeout_days"],
        response_hours=values["response_hours"],
        points_per_case=int(values["points_per_case"]),
        cap_points=int(values["cap_points"]),
        cap_window_days=values["cap_window_days"],
    )

"""The invoice part of the stall report: what to issue first and why, and the points against the cap.

``invoice_report_data`` is the one source (JSON verbatim, CSV rows, the HTML section); ``invoice_table`` is
the terminal view of ``waybill invoice scan``. Pure: takes an ``InvoiceScan``, returns data or text.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html import escape
from typing import Any

from stall_monitor.dated import as_written
from stall_monitor.invoices.clocks import LEVELS, InvoiceCase, InvoiceLevel
from stall_monitor.invoices.scan import InvoiceScan
from waybill.times import beijing_iso

__all__ = ["invoice_report_data", "invoice_section_html", "invoice_table", "issue_first"]

MAX_ROWS = 1000

# What to issue first: a work order still before its penalty (a point at stake), then the ones past the final
# deadline (a work order now leaves only the response time), late, pending; an incurred point last.
_PRIORITY: dict[InvoiceLevel, int] = {"work_order": 0, "overdue": 1, "late": 2, "pending": 3, "penalized": 4}
_NAMES = {
    "work_order": "Work order",
    "overdue": "Overdue",
    "late": "Late",
    "pending": "Pending",
    "penalized": "Penalized",
}


def issue_first(scan: InvoiceScan) -> list[InvoiceCase]:
    return sorted(scan.requests, key=lambda c: (_PRIORITY[c.level], c.due_at, c.order_id))


def why(case: InvoiceCase) -> str:
    """Why the request is where it is in the list, in words."""
    rule = case.rule
    points = f"{rule.points_per_case} point{'s' if rule.points_per_case != 1 else ''}"
    if case.level == "work_order":
        stake = f"or lose {points}" if rule.carries_points else f"(no points under {rule.name!r})"
        return f"buyer's work order open: issue by {_short(case.penalty_at)} {stake}"
    if case.level == "penalized":
        lost = f"{points} incurred" if rule.carries_points else "deadline passed (no points under these rules)"
        return f"{lost} at {_short(case.penalty_at)}: issue it still, the buyer is waiting"
    if case.level == "overdue":
        return (
            f"second timeout since {_short(case.final_deadline)}: a work order now leaves "
            f"{as_written(rule.response_hours)} h before {points if rule.carries_points else 'the deadline'}"
        )
    if case.level == "late":
        return f"first deadline passed; second timeout at {_short(case.final_deadline)}"
    return f"issue by {_short(case.first_deadline)}"


def invoice_report_data(scan: InvoiceScan) -> dict[str, Any]:
    rule = scan.rule_set
    counts = Counter(case.level for case in scan.requests)
    return {
        "at": beijing_iso(scan.at),
        "rule_set": {
            "name": rule.name,
            "from": beijing_iso(rule.effective_from),
            "issue_days": as_written(rule.issue_days),
            "second_timeout_days": as_written(rule.second_timeout_days),
            "response_hours": as_written(rule.response_hours),
            "points_per_case": rule.points_per_case,
            "cap_points": rule.cap_points,
            "cap_window_days": as_written(rule.cap_window_days),
        },
        "points": scan.points.as_json(),
        "counts": {level: counts[level] for level in LEVELS},
        "issue_first": [
            {**case.as_json(), "amount": case.facts.amount, "title": case.facts.title, "rule": case.rule.name,
             "why": why(case)}
            for case in issue_first(scan)
        ],
    }  # fmt: skip


def invoice_table(scan: InvoiceScan) -> str:
    """``waybill invoice scan`` for a terminal: the headline and points, then the requests in scan order."""
    p = scan.points
    counts = Counter(case.level for case in scan.requests)
    lines = [
        f"Invoice scan at {beijing_iso(scan.at)} (times are Beijing time) — rule set {scan.rule_set.name!r}",
        f"{len(scan.requests)} requests not issued: " + ", ".join(f"{counts[level]} {level}" for level in LEVELS),
        f"points: {p.incurred_30d} of {p.cap} incurred in {as_written(p.window_days)} days; "
        f"{p.exposure} more at stake in open work orders",
        "",
    ]
    if not scan.requests:
        return "\n".join([*lines, "No invoice request waits to be issued."])
    rows = [("LEVEL", "ORDER", "REQUESTED", "FIRST", "FINAL", "WORK ORDER", "PENALTY AT", "HOURS LEFT")]
    rows += [
        (
            c.level,
            c.order_id,
            _short(c.facts.requested_at),
            _short(c.first_deadline),
            _short(c.final_deadline),
            _short(c.work_order_opened_at) or "-",
            _short(c.penalty_at) or "-",
            f"{c.hours_left:.1f}",
        )
        for c in scan.requests
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def invoice_section_html(data: dict[str, Any]) -> str:
    """The report's invoice section: points against the cap, then the requests to issue first and why."""
    p, rule = data["points"], data["rule_set"]
    level = "bad" if p["exposure"] or p["incurred_30d"] >= p["cap"] else ""
    head = (
        "<h2>Invoices to issue (催开发票)</h2>"
        f"<p class='muted'>Rule set <b>{escape(rule['name'])}</b>: issue within {rule['issue_days']} days, second "
        f"timeout {rule['second_timeout_days']} days later, work orders answered within {rule['response_hours']} h,"
        f" {rule['points_per_case']} point a case, at most {rule['cap_points']} in {rule['cap_window_days']} days."
        "</p>"
        f'<div class="alert {level}"><b>Points: {p["incurred_30d"]} of {p["cap"]}</b> incurred in the last '
        f"{rule['cap_window_days']} days; <b>{p['exposure']}</b> more at stake in open work orders "
        f"(room left under the cap: {max(p['cap'] - p['incurred_30d'], 0)}).</div>"
    )
    requests = data["issue_first"]
    if not requests:
        return head + "<p class='muted'>No invoice request waits to be issued.</p>"
    body = "".join(
        f"<tr><td class='n'>{i}</td><td>{_tag(r['level'])}</td><td class='mono'>{escape(r['order_id'])}</td>"
        f"<td>{escape(r['title'] or '')}</td><td class='n'>{escape(r['amount'] or '')}</td>"
        f"<td>{escape(r['requested_at'])}</td><td>{escape(r['final_deadline'])}</td>"
        f"<td>{escape(r['work_order_opened_at'] or '—')}</td><td><b>{escape(r['penalty_at'] or '—')}</b></td>"
        f"<td class='n'>{r['hours_left']:.1f}</td><td class='why'>{escape(r['why'])}</td></tr>"
        for i, r in enumerate(requests[:MAX_ROWS], start=1)
    )
    more = (
        f"<p class='muted'>{len(requests) - MAX_ROWS} more requests are in the CSV and JSON reports.</p>"
        if len(requests) > MAX_ROWS
        else ""
    )
    return (
        f"{head}<p class='muted'>What to issue first: open work orders before their penalty, then by deadline."
        "</p><table><thead><tr><th class='n'>#</th><th>Level</th><th>Order</th><th>Title</th>"
        "<th class='n'>Amount ¥</th><th>Requested</th><th>Final deadline</th><th>Work order</th>"
        f"<th>Penalty at</th><th class='n'>Hours left</th><th>Why</th></tr></thead><tbody>{body}</tbody></table>"
        f"{more}"
    )


def _tag(level: str) -> str:
    cls = {"work_order": "overdue", "penalized": "stalled", "overdue": "at_risk", "late": "due"}.get(level, "quiet")
    return f'<span class="tag {cls}">{escape(_NAMES[level])}</span>'


def _short(moment: datetime | None) -> str:
    text = beijing_iso(moment)
    return "" if text is None else text[:16].replace("T", " ")

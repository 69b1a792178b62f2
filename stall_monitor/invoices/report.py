"""The invoice part of the stall report: what to issue first and why, and the points against the cap.

``invoice_report_data`` is the one source (JSON verbatim, CSV rows, the HTML section); ``invoice_table`` is
the terminal view of ``waybill invoice scan``. Pure: takes an ``InvoiceScan``, returns data or text.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING, Any

from stall_monitor.dated import as_written
from stall_monitor.invoices.clocks import LEVELS, InvoiceCase, InvoiceLevel
from stall_monitor.words import short_time, when_html
from waybill.i18n import N_, _, ngettext
from waybill.terminal import aligned
from waybill.times import beijing_iso

if TYPE_CHECKING:  # the invoice scan reads the store with SQLAlchemy; a stall table needs none of it
    from stall_monitor.invoices.scan import InvoiceScan

__all__ = ["invoice_report_data", "invoice_section_html", "invoice_table", "issue_first"]

MAX_ROWS = 1000

# What to issue first: a work order still before its penalty (a point at stake), then the ones past the final
# deadline (a work order now leaves only the response time), late, pending; an incurred point last.
_PRIORITY: dict[InvoiceLevel, int] = {"work_order": 0, "overdue": 1, "late": 2, "pending": 3, "penalized": 4}
_NAMES = {
    "work_order": N_("Work order"),
    "overdue": N_("Overdue"),
    "late": N_("Late"),
    "pending": N_("Pending"),
    "penalized": N_("Penalized"),
}


def issue_first(scan: InvoiceScan) -> list[InvoiceCase]:
    return sorted(scan.requests, key=lambda c: (_PRIORITY[c.level], c.due_at, c.order_id))


def why(case: InvoiceCase) -> str:
    """Why the request is where it is in the list, in words."""
    rule = case.rule
    n = rule.points_per_case
    points = ngettext("{n} point", "{n} points", n).format(n=n)
    if case.level == "work_order":
        if rule.carries_points:
            return _("buyer's work order open: issue by {due} or lose {points}").format(
                due=short_time(case.penalty_at), points=points
            )
        return _("buyer's work order open: issue by {due} (no points under {rules!r})").format(
            due=short_time(case.penalty_at), rules=rule.name
        )
    if case.level == "penalized":
        if rule.carries_points:
            return _("{points} incurred at {at}: issue it still, the buyer is waiting").format(
                points=points, at=short_time(case.penalty_at)
            )
        return _("deadline passed (no points under these rules) at {at}: issue it still, the buyer is waiting").format(
            at=short_time(case.penalty_at)
        )
    if case.level == "overdue":
        if rule.carries_points:
            return _("second timeout since {at}: a work order now leaves {hours} h before {points}").format(
                at=short_time(case.final_deadline), hours=as_written(rule.response_hours), points=points
            )
        return _("second timeout since {at}: a work order now leaves {hours} h before the deadline").format(
            at=short_time(case.final_deadline), hours=as_written(rule.response_hours)
        )
    if case.level == "late":
        return _("first deadline passed; second timeout at {at}").format(at=short_time(case.final_deadline))
    return _("issue by {at}").format(at=short_time(case.first_deadline))


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
    n = len(scan.requests)
    lines = [
        _("Invoice scan at {at} (times are Beijing time) — rule set {name!r}").format(
            at=beijing_iso(scan.at), name=scan.rule_set.name
        ),
        ngettext("{n} request not issued: {levels}", "{n} requests not issued: {levels}", n).format(
            n=n, levels=_(", ").join(str(counts[level]) + " " + _(_NAMES[level]).lower() for level in LEVELS)
        ),
        _("points: {incurred} of {cap} incurred in {days} days; {exposure} more at stake in open work orders").format(
            incurred=p.incurred_30d, cap=p.cap, days=as_written(p.window_days), exposure=p.exposure
        ),
        "",
    ]
    if not scan.requests:
        return "\n".join([*lines, _("No invoice request waits to be issued.")])
    rows = [
        (
            _("LEVEL"),
            _("ORDER"),
            _("REQUESTED"),
            _("FIRST"),
            _("FINAL"),
            _("WORK ORDER"),
            _("PENALTY AT"),
            _("HOURS LEFT"),
        )
    ]
    rows += [
        (
            _(_NAMES[c.level]).lower(),
            c.order_id,
            short_time(c.facts.requested_at),
            short_time(c.first_deadline),
            short_time(c.final_deadline),
            short_time(c.work_order_opened_at) or "-",
            short_time(c.penalty_at) or "-",
            f"{c.hours_left:.1f}",
        )
        for c in scan.requests
    ]
    lines += list(aligned(rows))
    return "\n".join(lines)


def invoice_section_html(data: dict[str, Any]) -> str:
    """The report's invoice section: points against the cap, then the requests to issue first and why."""
    p, rule = data["points"], data["rule_set"]
    at = data["at"]
    level = "bad" if p["exposure"] or p["incurred_30d"] >= p["cap"] else ""
    per_case = ngettext("{n} point a case", "{n} points a case", rule["points_per_case"]).format(
        n=rule["points_per_case"]
    )
    head = (
        "<h2>"
        + escape(_("Invoices to issue (催开发票)"))
        + "</h2><p class='muted'>"
        + _(
            "Rule set {name}: issue within {days} days, second timeout {second} days later, work orders answered "
            "within {hours} h, {per_case}, at most {cap} in {window} days."
        ).format(
            name=f"<b>{escape(rule['name'])}</b>",
            days=rule["issue_days"],
            second=rule["second_timeout_days"],
            hours=rule["response_hours"],
            per_case=escape(per_case),
            cap=rule["cap_points"],
            window=rule["cap_window_days"],
        )
        + f'</p><div class="alert {level}">'
        + _(
            "{points} incurred in the last {days} days; {exposure} more at stake in open work orders "
            "(room left under the cap: {room})."
        ).format(
            points="<b>"
            + escape(_("Points: {incurred} of {cap}").format(incurred=p["incurred_30d"], cap=p["cap"]))
            + "</b>",
            days=rule["cap_window_days"],
            exposure=f"<b>{p['exposure']}</b>",
            room=max(p["cap"] - p["incurred_30d"], 0),
        )
        + "</div>"
    )
    requests = data["issue_first"]
    if not requests:
        return head + "<p class='muted'>" + escape(_("No invoice request waits to be issued.")) + "</p>"
    body = "".join(
        f"<tr><td class='n'>{i}</td><td>{_tag(r['level'])}</td><td class='mono'>{escape(r['order_id'])}</td>"
        f"<td>{escape(r['title'] or '')}</td><td class='n'>{escape(r['amount'] or '')}</td>"
        f"<td>{when_html(r['requested_at'], at, deadline=False)}</td><td>{when_html(r['final_deadline'], at)}</td>"
        f"<td>{when_html(r['work_order_opened_at'], at, deadline=False)}</td>"
        f"<td><b>{when_html(r['penalty_at'], at)}</b></td>"
        f"<td class='n'>{r['hours_left']:.1f}</td><td class='why'>{escape(r['why'])}</td></tr>"
        for i, r in enumerate(requests[:MAX_ROWS], start=1)
    )
    more = len(requests) - MAX_ROWS
    tail = (
        "<p class='muted'>"
        + escape(
            ngettext(
                "{n} more request is in the CSV, Excel and JSON reports.",
                "{n} more requests are in the CSV, Excel and JSON reports.",
                more,
            ).format(n=more)
        )
        + "</p>"
        if more > 0
        else ""
    )
    columns = (
        (" class='n'", "#"),
        ("", _("Level")),
        ("", _("Order")),
        ("", _("Title")),
        (" class='n'", _("Amount ¥")),
        ("", _("Requested")),
        ("", _("Final deadline")),
        ("", _("Work order")),
        ("", _("Penalty at")),
        (" class='n'", _("Hours left")),
        ("", _("Why")),
    )
    thead = "".join(f"<th{cls}>{escape(name)}</th>" for cls, name in columns)
    note = _("What to issue first: open work orders before their penalty, then by deadline.")
    return (
        f"{head}<p class='muted'>{escape(note)}</p><table><thead><tr>{thead}</tr></thead><tbody>{body}</tbody>"
        f"</table>{tail}"
    )


def _tag(level: str) -> str:
    cls = {"work_order": "overdue", "penalized": "stalled", "overdue": "at_risk", "late": "due"}.get(level, "quiet")
    name = _(_NAMES[level])
    return f'<span class="tag {cls}">{escape(name)}</span>'

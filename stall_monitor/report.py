"""The stall report as data (JSON) and as a terminal table; the HTML page is in ``report_html``, the
spreadsheets (XLSX, CSV) in ``export``.

``report_data`` is the one source: JSON is it verbatim, the spreadsheets flatten it into a table a section,
HTML lays it out. Pure: takes a ``ScanResult``, returns text.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stall_monitor.dated import as_written
from stall_monitor.invoices.report import invoice_report_data
from stall_monitor.rules import RuleSet, normalise_province
from stall_monitor.scan import LEVELS, ScanResult, Stall
from stall_monitor.words import count_phrase, headline, level_name, short_time, status_name
from waybill.i18n import _, ngettext
from waybill.terminal import aligned, clip
from waybill.times import beijing_iso, hours_down

if TYPE_CHECKING:  # the invoice scan reads the store with SQLAlchemy; a stall table needs none of it
    from stall_monitor.invoices.scan import InvoiceScan

__all__ = ["histogram", "limit_hours", "quiet_feed", "render", "render_data", "report_data", "stall_table"]

BUCKET_HOURS = 12


def report_data(result: ScanResult, invoices: InvoiceScan | None = None) -> dict[str, Any]:
    """The report's data; with ``invoices`` (the invoice scan at the same instant) its invoice section too."""
    rule = result.rule_set
    data = {
        "at": beijing_iso(result.at),
        "rule_set": {
            "name": rule.name,
            "from": beijing_iso(rule.effective_from),
            "normal_hours": as_written(rule.normal_hours),
            "remote_hours": as_written(rule.remote_hours),
            "remote_provinces": sorted(rule.remote_provinces),
            "warning_margin_hours": as_written(rule.warning_margin_hours),
            "pickup_window_hours": as_written(rule.pickup_window_hours),
            "response_hours": as_written(rule.response_hours),
            "feed_quiet_hours": as_written(rule.feed_quiet_hours),
        },
        "open_waybills": result.open_waybills,
        "counts": dict(result.counts),
        "by_carrier": _breakdown(result, "carrier"),
        "by_province": _breakdown(result, "province"),
        "silent_hours_histogram": histogram(result),
        "stalls": [{**s.as_json(), "hours_left": _hours_left(s.entry_opens_at, result.at)} for s in result.stalls],
        "work_orders": [o.as_json() for o in result.work_orders],
        "feeds": [f.as_json() for f in result.feeds],
        "unknown_statuses": [u.as_json() for u in result.unknown_statuses],
    }
    if invoices is not None:
        data["invoices"] = invoice_report_data(invoices)
    return data


def _hours_left(deadline: datetime, at: datetime) -> float:
    """Hours until the buyer can open a stall work order (negative: since they could), as the scan rounds."""
    return hours_down(deadline - at)


def _breakdown(result: ScanResult, by: str) -> list[dict[str, Any]]:
    tally: dict[str, Counter[str]] = {}
    remote: dict[str, bool] = {}
    for stall in result.stalls:
        key = stall.carrier if by == "carrier" else normalise_province(stall.province)
        tally.setdefault(key or "(unknown)", Counter())[stall.level] += 1
        remote[key or "(unknown)"] = stall.remote
    rows = []
    for key, counter in tally.items():
        row: dict[str, Any] = {by: key}
        if by == "province":
            row["remote"] = remote[key]
        row.update({level: counter[level] for level in LEVELS})
        row["total"] = sum(counter.values())
        rows.append(row)
    rows.sort(key=lambda r: (-r["stalled"], -r["total"], r[by]))
    return rows


def histogram(result: ScanResult) -> list[dict[str, Any]]:
    """Listed parcels by silent hours in 12-hour buckets, per level; the last bucket is open-ended."""
    if not result.stalls:
        return []
    top = int(max(result.rule_set.remote_hours, result.rule_set.normal_hours) // BUCKET_HOURS + 3) * BUCKET_HOURS
    buckets = {start: Counter[str]() for start in range(0, top + 1, BUCKET_HOURS)}
    for stall in result.stalls:
        start = min(int(stall.silent_hours // BUCKET_HOURS) * BUCKET_HOURS, top)
        buckets[max(start, 0)][stall.level] += 1
    first = min(start for start, counter in buckets.items() if counter)
    return [
        {
            "from_hours": start,
            "to_hours": None if start == top else start + BUCKET_HOURS,
            **{level: counter[level] for level in LEVELS},
        }
        for start, counter in buckets.items()
        if start >= first
    ]


def render(result: ScanResult, fmt: str, invoices: InvoiceScan | None = None) -> str:
    return render_data(result, report_data(result, invoices), fmt)


def render_data(result: ScanResult, data: dict[str, Any], fmt: str) -> str:
    """``data`` (``report_data`` of ``result``) as JSON or as the HTML page."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from stall_monitor.report_html import render_html

        return render_html(result, data)
    raise ValueError(f"unknown report format {fmt!r}")


def stall_table(result: ScanResult) -> str:
    """The scan for a terminal: the stall list, then open work orders, quiet feeds and unknown statuses."""
    rule = result.rule_set
    lines = [
        _(
            "Stall scan at {at} (times are Beijing time) — rule set {name!r}: {normal} h normal, "
            "{remote} h remote, at risk {margin} h before"
        ).format(
            at=beijing_iso(result.at),
            name=rule.name,
            normal=as_written(rule.normal_hours),
            remote=as_written(rule.remote_hours),
            margin=as_written(rule.warning_margin_hours),
        ),
        _("{waybills}; {levels}; {open} ({overdue})").format(
            waybills=ngettext("{n} open waybill", "{n} open waybills", result.open_waybills).format(
                n=result.open_waybills
            ),
            levels=headline({level: result.counts[level] for level in LEVELS}),
            open=count_phrase("work_orders_open", result.counts["work_orders_open"]),
            overdue=_("{n} overdue").format(n=result.counts["work_orders_overdue"]),
        ),
        "",
    ]
    header = (
        _("LEVEL"),
        _("WAYBILL"),
        _("CARRIER"),
        _("PROVINCE"),
        _("SILENT/LIMIT"),
        _("ENTRY OPENS"),
        _("LAST EVENT"),
        _("STATUS"),
        _("CONTEXT"),
    )
    body = [
        (
            level_name(s.level) + (_(" !feed") if s.feed_quiet else ""),
            s.waybill_no,
            s.carrier,
            (s.province or "?") + (_(" (remote)") if s.remote else ""),
            f"{s.silent_hours:.1f}/{as_written(limit_hours(s, rule))} h",
            short_time(s.entry_opens_at),
            short_time(s.last_event_at) or "-",
            status_name(s.last_status or "-") + ("" if s.last_status_known else _(" (unknown)")),
            clip(s.last_context or "", 30),
        )
        for s in result.stalls
    ]
    lines.extend(aligned([header, *body]) if body else [_("No parcel is stalled, at risk or waiting for pick-up.")])
    if result.work_orders:
        lines += ["", _("Open work orders (answer within the response time):")]
        rows = [(_("WAYBILL"), _("CARRIER"), _("OPENED"), _("DUE"), _("HOURS LEFT"), _("STATE"), _("LEVEL"))]
        rows += [
            (
                o.waybill_no,
                o.carrier,
                short_time(o.opened_at),
                short_time(o.due_at),
                f"{o.hours_left:.1f}",
                _("OVERDUE") if o.overdue else _("due"),
                level_name(o.level) if o.level else "-",
            )
            for o in result.work_orders
        ]
        lines.extend(aligned(rows))
    for feed in result.feeds:
        if feed.quiet:
            lines.append(
                _("warning: {feed}").format(feed=quiet_feed(feed.carrier, feed.silent_hours, feed.open_waybills))
            )
    for unknown in result.unknown_statuses:
        lines.append(
            ngettext(
                "warning: {n} event with unknown status {status!r} (e.g. {waybill}); stored as it came, "
                "not treated as in transit",
                "warning: {n} events with unknown status {status!r} (e.g. {waybill}); stored as they came, "
                "not treated as in transit",
                unknown.events,
            ).format(n=unknown.events, status=unknown.status, waybill=unknown.last_waybill_no)
        )
    return "\n".join(lines)


def limit_hours(stall: Stall, rule: RuleSet) -> float:
    """The limit a listed parcel is measured against: the pick-up window before its first event, else the
    stall threshold of its destination."""
    return rule.pickup_window_hours if stall.level == "no_pickup" else stall.threshold_hours


def quiet_feed(carrier: str | None, silent_hours: float | None, open_waybills: int) -> str:
    """A quiet feed in words, one sentence for the terminal and the page."""
    name = carrier or _("(unknown carrier)")
    waybills = ngettext("{n} open waybill", "{n} open waybills", open_waybills).format(n=open_waybills)
    if silent_hours is None:
        return _(
            "the {carrier} feed is quiet (no event at all, {waybills}): check the feed before chasing its parcels"
        ).format(carrier=name, waybills=waybills)
    return _(
        "the {carrier} feed is quiet (no event for {hours} h, {waybills}): check the feed before chasing its parcels"
    ).format(carrier=name, hours=silent_hours, waybills=waybills)

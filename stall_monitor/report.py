"""The stall report as data (JSON, CSV) and as a terminal table; the HTML page is in ``report_html``.

``report_data`` is the one source: JSON is it verbatim, CSV is it flattened into rows with a ``section``
column, HTML lays it out. Pure: takes a ``ScanResult``, returns text.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from stall_monitor.dated import as_written
from stall_monitor.invoices.report import invoice_report_data
from stall_monitor.invoices.scan import InvoiceScan
from stall_monitor.rules import normalise_province
from stall_monitor.scan import LEVELS, ScanResult
from waybill.times import beijing_iso

__all__ = ["histogram", "render", "report_data", "stall_table"]

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
        "stalls": [s.as_json() for s in result.stalls],
        "work_orders": [o.as_json() for o in result.work_orders],
        "feeds": [f.as_json() for f in result.feeds],
        "unknown_statuses": [u.as_json() for u in result.unknown_statuses],
    }
    if invoices is not None:
        data["invoices"] = invoice_report_data(invoices)
    return data


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
    data = report_data(result, invoices)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(data)
    if fmt == "html":
        from stall_monitor.report_html import render_html

        return render_html(result, data)
    raise ValueError(f"unknown report format {fmt!r}")


def _csv(data: dict[str, Any]) -> str:
    """Every part of the report as rows of one table; ``section`` says which part a row belongs to."""
    rows: list[dict[str, Any]] = [{"section": "report", **_flat({"at": data["at"], **data["rule_set"]})}]
    rows.append({"section": "counts", "open_waybills": data["open_waybills"], **data["counts"]})
    for section in ("by_carrier", "by_province", "silent_hours_histogram", "stalls", "work_orders", "feeds"):
        rows.extend({"section": section, **_flat(item)} for item in data[section])
    rows.extend({"section": "unknown_statuses", **item} for item in data["unknown_statuses"])
    if "invoices" in data:
        invoices = data["invoices"]
        rows.append({"section": "invoice_points", **_flat({"at": invoices["at"], **invoices["points"]})})
        rows.extend({"section": "invoices", **_flat(item)} for item in invoices["issue_first"])
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _flat(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = "|".join(map(str, value))
        elif value is None and key == "work_order":
            continue
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def stall_table(result: ScanResult) -> str:
    """The scan for a terminal: the stall list, then open work orders, quiet feeds and unknown statuses."""
    rule = result.rule_set
    lines = [
        f"Stall scan at {beijing_iso(result.at)} (times are Beijing time) — rule set {rule.name!r}: "
        f"{as_written(rule.normal_hours)} h normal, {as_written(rule.remote_hours)} h remote, "
        f"at risk {as_written(rule.warning_margin_hours)} h before",
        f"{result.open_waybills} open waybills; "
        + ", ".join(f"{result.counts[level]} {level}" for level in LEVELS)
        + f"; {result.counts['work_orders_open']} open work orders ({result.counts['work_orders_overdue']} overdue)",
        "",
    ]
    header = (
        "LEVEL",
        "WAYBILL",
        "CARRIER",
        "PROVINCE",
        "SILENT/LIMIT",
        "ENTRY OPENS",
        "LAST EVENT",
        "STATUS",
        "CONTEXT",
    )
    body = [
        (
            s.level + (" !feed" if s.feed_quiet else ""),
            s.waybill_no,
            s.carrier,
            (s.province or "?") + (" (remote)" if s.remote else ""),
            f"{s.silent_hours:.1f}/{as_written(s.threshold_hours)} h",
            _short(beijing_iso(s.entry_opens_at)),
            _short(beijing_iso(s.last_event_at)) or "-",
            (s.last_status or "-") + ("" if s.last_status_known else " (unknown)"),
            _clip(s.last_context or "", 30),
        )
        for s in result.stalls
    ]
    lines.extend(_aligned([header, *body]) if body else ["No parcel is stalled, at risk or waiting for pick-up."])
    if result.work_orders:
        lines += ["", "Open work orders (answer within the response time):"]
        rows = [("WAYBILL", "CARRIER", "OPENED", "DUE", "HOURS LEFT", "STATE", "LEVEL")]
        rows += [
            (
                o.waybill_no,
                o.carrier,
                _short(beijing_iso(o.opened_at)),
                _short(beijing_iso(o.due_at)),
                f"{o.hours_left:.1f}",
                "OVERDUE" if o.overdue else "due",
                o.level or "-",
            )
            for o in result.work_orders
        ]
        lines.extend(_aligned(rows))
    for feed in result.feeds:
        if feed.quiet:
            since = f"no event for {feed.silent_hours} h" if feed.last_event_at else "no event at all"
            lines.append(
                f"warning: the {feed.carrier or '(unknown carrier)'} feed is quiet ({since}, "
                f"{feed.open_waybills} open waybills): check the feed before chasing its parcels"
            )
    for unknown in result.unknown_statuses:
        lines.append(
            f"warning: {unknown.events} events with unknown status {unknown.status!r} "
            f"(e.g. {unknown.last_waybill_no}); stored as they came, not treated as in transit"
        )
    return "\n".join(lines)


def _short(text: str | None) -> str:
    """2022-12-15T08:00:00+08:00 → 2022-12-15 08:00 (the table's header says times are Beijing time)."""
    return "" if text is None else text[:16].replace("T", " ")


def _clip(text: str, width: int) -> str:
    out, used = "", 0
    for char in text:
        used += _width(char)
        if used > width:
            return out + "…"
        out += char
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _aligned(rows: Sequence[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        yield "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()

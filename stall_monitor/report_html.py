"""The stall report as one self-contained HTML page: inline CSS, an inline SVG chart, no network, prints on A4.

Read top to bottom it answers, in order: how bad is it (headline), is a feed silent rather than the parcels,
which work orders must be answered first, which invoices to issue first (and the penalty points at
stake), whom to chase first and why, where the stalls are.
"""

from __future__ import annotations

from html import escape
from typing import Any

from stall_monitor.invoices.report import invoice_section_html
from stall_monitor.scan import ScanResult

__all__ = ["render_html"]

MAX_ROWS = 1000  # the urgent list on the page; CSV and JSON carry every row

_LEVEL_NAMES = {"stalled": "Stalled", "at_risk": "At risk", "no_pickup": "No pick-up"}
_COLOURS = {"stalled": "#c62828", "at_risk": "#ef8f00", "no_pickup": "#6a1b9a"}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       color: #1c1c1c; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #ddd; }
.sub { color: #555; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid #ccc; border-left-width: 6px; border-radius: 4px; padding: 8px 14px; min-width: 130px; }
.card b { display: block; font-size: 28px; line-height: 1.1; }
.card.stalled { border-left-color: #c62828; } .card.at_risk { border-left-color: #ef8f00; }
.card.no_pickup { border-left-color: #6a1b9a; } .card.wo { border-left-color: #1565c0; }
.card.warn { border-left-color: #555; }
.alert { background: #fff4e5; border: 1px solid #ef8f00; border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.alert.bad { background: #fdecea; border-color: #c62828; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; white-space: nowrap; }
.tag.stalled { background: #c62828; } .tag.at_risk { background: #ef8f00; } .tag.no_pickup { background: #6a1b9a; }
.tag.overdue { background: #c62828; } .tag.due { background: #1565c0; } .tag.quiet { background: #555; }
.muted { color: #666; } .why { color: #333; font-size: 12px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.mono { font-family: ui-monospace, Menlo, Consolas, monospace; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr, .card, svg, .alert { break-inside: avoid; }
  h2 { break-after: avoid; }
  .cols { grid-template-columns: 1fr 1fr; }
}
"""


def render_html(result: ScanResult, data: dict[str, Any]) -> str:
    rule = data["rule_set"]
    counts = data["counts"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Stall report {escape(data['at'])}</title><style>{_CSS}</style></head><body>",
        "<h1>Logistics stall report</h1>",
        f'<p class="sub">At <b>{escape(data["at"])}</b> (Beijing time) · rule set <b>{escape(rule["name"])}</b>: '
        f"{rule['normal_hours']} h normal, {rule['remote_hours']} h remote "
        f"({escape('、'.join(rule['remote_provinces']))}), at risk {rule['warning_margin_hours']} h before, "
        f"pick-up within {rule['pickup_window_hours']} h, work orders answered within {rule['response_hours']} h"
        f" · {data['open_waybills']} open waybills</p>",
        _cards(counts),
        *_alerts(data),
        "<h2>Silent hours of listed parcels</h2>",
        _chart(data["silent_hours_histogram"], rule),
        _work_orders(data["work_orders"]),
        invoice_section_html(data["invoices"]) if "invoices" in data else "",
        _urgent(data["stalls"]),
        '<div class="cols"><div>',
        _breakdown("By carrier", data["by_carrier"], "carrier"),
        "</div><div>",
        _breakdown("By destination province", data["by_province"], "province"),
        "</div></div>",
        _feeds(data["feeds"]),
        _unknown(data["unknown_statuses"]),
        f"<footer>waybill stall report · rules: {escape(result.rule_set.name)} · generated for {escape(data['at'])}"
        " · CSV and JSON of the same data: <span class='mono'>waybill stall report -f csv|json</span></footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(counts: dict[str, int]) -> str:
    cards = [(level, _LEVEL_NAMES[level], counts[level]) for level in ("stalled", "at_risk", "no_pickup")]
    cards.append(("wo", "Work orders open", counts["work_orders_open"]))
    cards.append(("stalled" if counts["work_orders_overdue"] else "wo", "Overdue", counts["work_orders_overdue"]))
    cards.append(("warn", "Quiet feeds", counts["feeds_quiet"]))
    cards.append(("warn", "Unknown-status events", counts["unknown_status_events"]))
    inner = "".join(f'<div class="card {cls}"><b>{n}</b>{escape(name)}</div>' for cls, name, n in cards)
    return f'<div class="cards">{inner}</div>'


def _alerts(data: dict[str, Any]) -> list[str]:
    alerts = []
    listed: dict[str, int] = {}
    for stall in data["stalls"]:
        listed[stall["carrier"]] = listed.get(stall["carrier"], 0) + 1
    for feed in data["feeds"]:
        if not feed["quiet"]:
            continue
        since = f"no event for {feed['silent_hours']} h" if feed["last_event_at"] else "no tracking event at all"
        alerts.append(
            f'<div class="alert"><b>{escape(feed["carrier"] or "(unknown carrier)")} feed is quiet</b>: {since} '
            f"across its {feed['open_waybills']} open waybills. {listed.get(feed['carrier'], 0)} listed parcels "
            "are with this carrier — check the feed (subscription, webhook, import) before chasing them.</div>"
        )
    overdue = data["counts"]["work_orders_overdue"]
    if overdue:
        alerts.append(f'<div class="alert bad"><b>{overdue} work order(s) overdue</b>: answer them first.</div>')
    return alerts


def _chart(buckets: list[dict[str, Any]], rule: dict[str, Any]) -> str:
    if not buckets:
        return '<p class="muted">No parcel is listed.</p>'
    width, height, left, bottom, top = 760, 220, 44, 34, 14
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(b["stalled"] + b["at_risk"] + b["no_pickup"] for b in buckets) or 1
    step = plot_w / len(buckets)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="Listed parcels by silent hours">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="4" y="{top + 10}" font-size="11" fill="#555">{peak}</text>',
        f'<text x="4" y="{top + plot_h}" font-size="11" fill="#555">0</text>',
    ]
    for i, bucket in enumerate(buckets):
        x = left + i * step
        y = top + plot_h
        for level in ("stalled", "at_risk", "no_pickup"):
            n = bucket[level]
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            out.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{_COLOURS[level]}">'
                f"<title>{bucket['from_hours']}–{bucket['to_hours'] or '∞'} h: {n} {level}</title></rect>"
            )
        label = f"{bucket['from_hours']}" + ("+" if bucket["to_hours"] is None else "")
        out.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 14}" font-size="11" text-anchor="middle" '
            f'fill="#333">{label}</text>'
        )
    first = buckets[0]["from_hours"]
    span = (len(buckets)) * 12
    for hours, name in ((rule["normal_hours"], "normal"), (rule["remote_hours"], "remote")):
        if first <= hours <= first + span:
            x = left + (hours - first) / 12 * step
            out.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#000" '
                f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{top + 10}" font-size="11">{name} {hours} h</text>'
            )
    legend_x = left
    for level in ("stalled", "at_risk", "no_pickup"):
        out.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" fill="{_COLOURS[level]}"/>'
            f'<text x="{legend_x + 14}" y="{height - 3}" font-size="11">{_LEVEL_NAMES[level]}</text>'
        )
        legend_x += 100
    out.append(f'<text x="{width - 10}" y="{height - 3}" font-size="11" text-anchor="end">silent hours</text>')
    out.append("</svg>")
    return "".join(out)


def _work_orders(orders: list[dict[str, Any]]) -> str:
    if not orders:
        return "<h2>Work orders</h2><p class='muted'>No open work order.</p>"
    rows = sorted(orders, key=lambda o: (not o["overdue"], o["due_at"]))
    body = "".join(
        f"<tr><td>{_tag('overdue' if o['overdue'] else 'due', 'OVERDUE' if o['overdue'] else 'due')}</td>"
        f"<td class='mono'>{escape(o['waybill_no'])}</td><td>{escape(o['carrier'])}</td>"
        f"<td>{escape(o['order_id'] or '')}</td><td>{escape(o['opened_at'])}</td><td><b>{escape(o['due_at'])}</b></td>"
        f"<td class='n'>{o['hours_left']:.1f}</td><td>{escape(_LEVEL_NAMES.get(o['level'] or '', '—'))}</td></tr>"
        for o in rows
    )
    return (
        "<h2>Work orders due and overdue</h2><table><thead><tr><th></th><th>Waybill</th><th>Carrier</th>"
        "<th>Order</th><th>Opened</th><th>Answer by</th><th class='n'>Hours left</th><th>Parcel now</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _urgent(stalls: list[dict[str, Any]]) -> str:
    if not stalls:
        return "<h2>Whom to chase first</h2><p class='muted'>No parcel is stalled, at risk or waiting for pick-up.</p>"
    rows = []
    for i, s in enumerate(stalls[:MAX_ROWS], start=1):
        province = escape(s["province"] or "?") + (" <b>remote</b>" if s["remote"] else "")
        last = (
            f"{escape(s['last_event_at'])}<br>{escape(s['last_status'] or '')} · {escape(s['last_context'] or '')}"
            if s["last_event_at"]
            else "<span class='muted'>no event yet</span>"
        )
        notes = [escape(s["reason"]), f"rule: {escape(s['rule'])}"]
        if s["feed_quiet"]:
            notes.append(_tag("quiet", "carrier feed quiet"))
        if s["work_order"]:
            wo = s["work_order"]
            notes.append(f"work order due {escape(wo['due_at'])}" + (" — OVERDUE" if wo["overdue"] else ""))
        rows.append(
            f"<tr><td class='n'>{i}</td><td>{_tag(s['level'], _LEVEL_NAMES[s['level']])}</td>"
            f"<td class='mono'>{escape(s['waybill_no'])}<br><span class='muted'>{escape(s['order_id'] or '')}</span>"
            f"</td><td>{escape(s['carrier'])}</td><td>{province}</td><td><b>{escape(s['entry_opens_at'])}</b></td>"
            f"<td class='n'>{s['silent_hours']:.1f} / {s['threshold_hours']}</td><td>{last}</td>"
            f"<td class='why'>{'<br>'.join(notes)}</td></tr>"
        )
    more = (
        f"<p class='muted'>{len(stalls) - MAX_ROWS} more parcels are in the CSV and JSON reports.</p>"
        if len(stalls) > MAX_ROWS
        else ""
    )
    return (
        "<h2>Whom to chase first</h2><p class='muted'>Sorted by when the buyer can open a stall work order.</p>"
        "<table><thead><tr><th class='n'>#</th><th>Level</th><th>Waybill / order</th><th>Carrier</th>"
        "<th>Destination</th><th>Work order possible from</th><th class='n'>Silent / limit h</th>"
        f"<th>Last event</th><th>Why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _breakdown(title: str, rows: list[dict[str, Any]], key: str) -> str:
    if not rows:
        return f"<h2>{escape(title)}</h2><p class='muted'>Nothing listed.</p>"
    body = "".join(
        f"<tr><td>{escape(r[key])}{' <b>remote</b>' if r.get('remote') else ''}</td><td class='n'>{r['stalled']}</td>"
        f"<td class='n'>{r['at_risk']}</td><td class='n'>{r['no_pickup']}</td><td class='n'>{r['total']}</td></tr>"
        for r in rows
    )
    return (
        f"<h2>{escape(title)}</h2><table><thead><tr><th></th><th class='n'>Stalled</th><th class='n'>At risk</th>"
        f"<th class='n'>No pick-up</th><th class='n'>Total</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _feeds(feeds: list[dict[str, Any]]) -> str:
    if not feeds:
        return "<h2>Feed freshness</h2><p class='muted'>No open waybill.</p>"
    body = "".join(
        f"<tr><td>{escape(f['carrier'] or '(unknown)')}</td><td class='n'>{f['open_waybills']}</td>"
        f"<td>{escape(f['last_event_at'] or 'never')}</td>"
        f"<td class='n'>{_hours(f['silent_hours'])}</td>"
        f"<td>{_tag('quiet', 'QUIET') if f['quiet'] else 'ok'}</td></tr>"
        for f in feeds
    )
    return (
        "<h2>Feed freshness</h2><table><thead><tr><th>Carrier</th><th class='n'>Open waybills</th>"
        "<th>Newest event</th><th class='n'>Hours since</th><th>Feed</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _unknown(unknown: list[dict[str, Any]]) -> str:
    if not unknown:
        return ""
    body = "".join(
        f"<tr><td class='mono'>{escape(repr(u['status']))}</td><td class='n'>{u['events']}</td>"
        f"<td class='mono'>{escape(u['last_waybill_no'])}</td></tr>"
        for u in unknown
    )
    return (
        "<h2>Unknown statuses</h2><p class='muted'>Stored as they came and never taken for “in transit”; "
        "map them in the source or ask the carrier.</p><table><thead><tr><th>Status</th><th class='n'>Events</th>"
        f"<th>Example waybill</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _tag(cls: str, text: str) -> str:
    return f'<span class="tag {cls}">{escape(text)}</span>'

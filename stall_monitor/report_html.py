"""The stall report as one self-contained HTML page: inline CSS, an inline SVG chart, no network, prints on A4.

The page carries its own font: a subset of the bundled one with exactly the characters it shows, so it
looks the same on a machine without Chinese fonts. Times read as 月-日 时:分 with how far off they are.

Read top to bottom it answers, in order: how bad is it (headline), is a feed silent rather than the parcels,
which work orders must be answered first, which invoices to issue first (and the penalty points at
stake), whom to chase first and why, where the stalls are.
"""

from __future__ import annotations

from html import escape
from typing import Any

from stall_monitor.invoices.report import invoice_section_html
from stall_monitor.report import quiet_feed
from stall_monitor.scan import ScanResult
from stall_monitor.words import count_phrase, hours, level_name, short_time, status_name, when_html
from waybill.fonts.web import WEB_FAMILY, font_face_css
from waybill.i18n import _, current_language, ngettext

__all__ = ["render_html"]

MAX_ROWS = 1000  # the urgent list on the page; CSV and JSON carry every row

_COLOURS = {"stalled": "#c62828", "at_risk": "#ef8f00", "no_pickup": "#6a1b9a"}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "FAMILY", sans-serif;
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
.mono { font-variant-numeric: tabular-nums; letter-spacing: 0.02em; }
.when { white-space: nowrap; } .rel { color: #555; font-size: 12px; white-space: nowrap; }
.rel.late { color: #c62828; font-weight: 600; }
svg text { font-family: "FAMILY", sans-serif; }
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
    at = data["at"]
    body = [
        _h("h1", _("Logistics stall report")),
        '<p class="sub">'
        + _(
            "At {at} (Beijing time) · rule set {name}: {normal} h normal, {remote} h remote ({provinces}), "
            "at risk {margin} h before, pick-up within {pickup} h, work orders answered within {response} h · "
            "{waybills}"
        ).format(
            at=f"<b>{escape(at[:16].replace('T', ' '))}</b>",
            name=f"<b>{escape(rule['name'])}</b>",
            normal=rule["normal_hours"],
            remote=rule["remote_hours"],
            provinces=escape("、".join(rule["remote_provinces"])),
            margin=rule["warning_margin_hours"],
            pickup=rule["pickup_window_hours"],
            response=rule["response_hours"],
            waybills=escape(
                ngettext("{n} open waybill", "{n} open waybills", data["open_waybills"]).format(n=data["open_waybills"])
            ),
        )
        + "</p>",
        _cards(data["counts"]),
        *_alerts(data),
        _h("h2", _("Silent hours of listed parcels")),
        _chart(data["silent_hours_histogram"], rule),
        _work_orders(data["work_orders"], at),
        invoice_section_html(data["invoices"]) if "invoices" in data else "",
        _urgent(data["stalls"], rule, at),
        '<div class="cols"><div>',
        _breakdown(_("By carrier"), data["by_carrier"], "carrier"),
        "</div><div>",
        _breakdown(_("By destination province"), data["by_province"], "province"),
        "</div></div>",
        _feeds(data["feeds"], at),
        _unknown(data["unknown_statuses"]),
        "<footer>"
        + _(
            "waybill stall report · rules: {rules} · generated for {at} · "
            "CSV, Excel and JSON of the same data: {command}"
        ).format(
            rules=escape(result.rule_set.name),
            at=escape(at),
            command="<span class='mono'>waybill stall report -o report.xlsx|report.csv|report.json</span>",
        )
        + "</footer>",
    ]
    title = _("Stall report {at}").format(at=at[:16].replace("T", " "))
    # The font is cut to the characters of this page (title and body); CSS and markup are ASCII, always kept.
    font = font_face_css(title + "".join(body))
    css = _CSS.replace("FAMILY", WEB_FAMILY)
    lang = "zh-CN" if current_language() == "zh_CN" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{font}\n{css}</style></head><body>",
        *body,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(counts: dict[str, int]) -> str:
    cards = [(level, level_name(level).capitalize(), counts[level]) for level in ("stalled", "at_risk", "no_pickup")]
    cards.append(("wo", _("Work orders open"), counts["work_orders_open"]))
    cards.append(("stalled" if counts["work_orders_overdue"] else "wo", _("Overdue"), counts["work_orders_overdue"]))
    cards.append(("warn", _("Quiet feeds"), counts["feeds_quiet"]))
    cards.append(("warn", _("Unknown-status events"), counts["unknown_status_events"]))
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
        n = listed.get(feed["carrier"], 0)
        sentence = quiet_feed(
            feed["carrier"], feed["silent_hours"] if feed["last_event_at"] else None, feed["open_waybills"]
        )
        chase = ngettext(
            "{n} listed parcel is with this carrier.", "{n} listed parcels are with this carrier.", n
        ).format(n=n)
        text = _("{sentence}. {chase}").format(sentence=f"<b>{escape(sentence)}</b>", chase=escape(chase))
        alerts.append(f'<div class="alert">{text}</div>')
    overdue = data["counts"]["work_orders_overdue"]
    if overdue:
        text = count_phrase("work_orders_overdue", overdue)
        text = _("{overdue}: answer them first.").format(overdue=f"<b>{escape(text)}</b>")
        alerts.append(f'<div class="alert bad">{text}</div>')
    return alerts


def _text_width(text: str, size: float) -> float:
    """Rough width of SVG text (wide CJK glyphs a full em, others ~0.6 em), to keep labels apart."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def _chart(buckets: list[dict[str, Any]], rule: dict[str, Any]) -> str:
    if not buckets:
        return _muted(_("No parcel is listed."))
    # Threshold labels sit in a band above the bars (two rows when the lines are close), never on them.
    width, height, left, bottom, top = 760, 250, 44, 34, 40
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(b["stalled"] + b["at_risk"] + b["no_pickup"] for b in buckets) or 1
    step = plot_w / len(buckets)
    label = escape(_("Listed parcels by silent hours"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="{label}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" fill="#555" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" fill="#555" text-anchor="end">0</text>',
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
            hours_span = f"{bucket['from_hours']}–{bucket['to_hours'] or '∞'} h"
            out.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{_COLOURS[level]}">'
                f"<title>{escape(hours_span)}: {n} {escape(level_name(level))}</title></rect>"
            )
        label = f"{bucket['from_hours']}" + ("+" if bucket["to_hours"] is None else "")
        out.append(
            f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 14}" font-size="11" text-anchor="middle" '
            f'fill="#333">{label}</text>'
        )
    first = buckets[0]["from_hours"]
    span = len(buckets) * 12
    right_edge = -1e9  # where the previous label on the first row ends
    for hours_at, name in (
        (rule["normal_hours"], _("normal {hours} h")),
        (rule["remote_hours"], _("remote {hours} h")),
    ):
        if first <= hours_at <= first + span:
            x = left + (hours_at - first) / 12 * step
            text = name.format(hours=hours_at)
            w = _text_width(text, 11)
            anchor_x = min(x + 3, width - 10 - w)  # keep the label inside the chart
            row_y = top - 8 if anchor_x > right_edge + 6 else top - 22
            if row_y == top - 8:
                right_edge = anchor_x + w
            out.append(
                f'<line x1="{x:.1f}" y1="{row_y + 2}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#000" '
                f'stroke-dasharray="4 3"/><text x="{anchor_x:.1f}" y="{row_y}" font-size="11">{escape(text)}</text>'
            )
    legend_x = float(left)
    for level in ("stalled", "at_risk", "no_pickup"):
        name = level_name(level).capitalize()
        out.append(
            f'<rect x="{legend_x:.0f}" y="{height - 12}" width="10" height="10" fill="{_COLOURS[level]}"/>'
            f'<text x="{legend_x + 14:.0f}" y="{height - 3}" font-size="11">{escape(name)}</text>'
        )
        legend_x += 14 + _text_width(name, 11) + 18
    axis = escape(_("silent hours"))
    out.append(f'<text x="{width - 10}" y="{height - 3}" font-size="11" text-anchor="end">{axis}</text>')
    out.append("</svg>")
    return "".join(out)


def _work_orders(orders: list[dict[str, Any]], at: str) -> str:
    if not orders:
        return _h("h2", _("Work orders")) + _muted(_("No open work order."))
    rows = sorted(orders, key=lambda o: (not o["overdue"], o["due_at"]))
    overdue, due = _tag("overdue", _("OVERDUE")), _tag("due", _("due"))
    body = "".join(
        f"<tr><td>{overdue if o['overdue'] else due}</td>"
        f"<td class='mono'>{escape(o['waybill_no'])}</td><td>{escape(o['carrier'])}</td>"
        f"<td>{escape(o['order_id'] or '')}</td><td>{when_html(o['opened_at'], at, deadline=False)}</td>"
        f"<td><b>{when_html(o['due_at'], at)}</b></td>"
        f"<td class='n'>{o['hours_left']:.1f}</td>"
        f"<td>{escape(level_name(o['level']).capitalize() if o['level'] else '—')}</td></tr>"
        for o in rows
    )
    head = "".join(
        f"<th{cls}>{escape(name)}</th>"
        for cls, name in (
            ("", ""),
            ("", _("Waybill")),
            ("", _("Carrier")),
            ("", _("Order")),
            ("", _("Opened")),
            ("", _("Answer by")),
            (" class='n'", _("Hours left")),
            ("", _("Parcel now")),
        )
    )
    return (
        _h("h2", _("Work orders due and overdue")) + f"<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _urgent(stalls: list[dict[str, Any]], rule: dict[str, Any], at: str) -> str:
    title = _h("h2", _("Whom to chase first"))
    if not stalls:
        return title + _muted(_("No parcel is stalled, at risk or waiting for pick-up."))
    remote, no_event = " <b>" + escape(_("remote")) + "</b>", _muted(_("no event yet"), "span")
    rows = []
    for i, s in enumerate(stalls[:MAX_ROWS], start=1):
        province = escape(s["province"] or "?") + (remote if s["remote"] else "")
        if s["last_event_at"]:
            last = (
                f"{when_html(s['last_event_at'], at, deadline=False)}<br>"
                f"{escape(status_name(s['last_status'] or ''))} · {escape(s['last_context'] or '')}"
            )
        else:
            last = no_event
        notes = [escape(s["reason"]), escape(_("rule: {name}").format(name=s["rule"]))]
        if s["feed_quiet"]:
            notes.append(_tag("quiet", _("carrier feed quiet")))
        if s["work_order"]:
            wo = s["work_order"]
            due = _("work order due {due}").format(due=short_time(wo["due_at"]))
            notes.append(escape(due + (_(" — OVERDUE") if wo["overdue"] else "")))
        # Before the first event the parcel is measured against the pick-up window, not the stall threshold.
        limit = rule["pickup_window_hours"] if s["level"] == "no_pickup" else s["threshold_hours"]
        rows.append(
            f"<tr><td class='n'>{i}</td><td>{_tag(s['level'], level_name(s['level']).capitalize())}</td>"
            f"<td class='mono'>{escape(s['waybill_no'])}<br><span class='muted'>{escape(s['order_id'] or '')}</span>"
            f"</td><td>{escape(s['carrier'])}</td><td>{province}</td>"
            f"<td><b>{when_html(s['entry_opens_at'], at)}</b></td>"
            f"<td class='n'>{hours(s['hours_left'])}</td>"
            f"<td class='n'>{s['silent_hours']:.1f} / {limit}</td><td>{last}</td>"
            f"<td class='why'>{'<br>'.join(notes)}</td></tr>"
        )
    more = len(stalls) - MAX_ROWS
    tail = (
        "<p class='muted'>"
        + escape(
            ngettext(
                "{n} more parcel is in the CSV, Excel and JSON reports.",
                "{n} more parcels are in the CSV, Excel and JSON reports.",
                more,
            ).format(n=more)
        )
        + "</p>"
        if more > 0
        else ""
    )
    head = "".join(
        f"<th{cls}>{escape(name)}</th>"
        for cls, name in (
            (" class='n'", "#"),
            ("", _("Level")),
            ("", _("Waybill / order")),
            ("", _("Carrier")),
            ("", _("Destination")),
            ("", _("Work order possible from")),
            (" class='n'", _("Hours left")),
            (" class='n'", _("Silent / limit h")),
            ("", _("Last event")),
            ("", _("Why")),
        )
    )
    return (
        title
        + _muted(_("Sorted by when the buyer can open a stall work order."))
        + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{tail}"
    )


def _breakdown(title: str, rows: list[dict[str, Any]], key: str) -> str:
    if not rows:
        return _h("h2", title) + _muted(_("Nothing listed."))
    remote = " <b>" + escape(_("remote")) + "</b>"
    body = "".join(
        f"<tr><td>{escape(r[key])}{remote if r.get('remote') else ''}</td><td class='n'>{r['stalled']}</td>"
        f"<td class='n'>{r['at_risk']}</td><td class='n'>{r['no_pickup']}</td><td class='n'>{r['total']}</td></tr>"
        for r in rows
    )
    names = [level_name(level).capitalize() for level in ("stalled", "at_risk", "no_pickup")] + [_("Total")]
    head = "".join(f"<th class='n'>{escape(name)}</th>" for name in names)
    return f"<h2>{escape(title)}</h2><table><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _feeds(feeds: list[dict[str, Any]], at: str) -> str:
    title = _h("h2", _("Feed freshness"))
    if not feeds:
        return title + _muted(_("No open waybill."))
    unknown, never, quiet, ok = _("(unknown)"), escape(_("never")), _tag("quiet", _("QUIET")), escape(_("ok"))
    body = "".join(
        f"<tr><td>{escape(f['carrier'] or unknown)}</td><td class='n'>{f['open_waybills']}</td>"
        f"<td>{when_html(f['last_event_at'], at, deadline=False) if f['last_event_at'] else never}</td>"
        f"<td class='n'>{_hours(f['silent_hours'])}</td>"
        f"<td>{quiet if f['quiet'] else ok}</td></tr>"
        for f in feeds
    )
    head = "".join(
        f"<th{cls}>{escape(name)}</th>"
        for cls, name in (
            ("", _("Carrier")),
            (" class='n'", _("Open waybills")),
            ("", _("Newest event")),
            (" class='n'", _("Hours since")),
            ("", _("Feed")),
        )
    )
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _unknown(unknown: list[dict[str, Any]]) -> str:
    if not unknown:
        return ""
    body = "".join(
        f"<tr><td class='mono'>{escape(repr(u['status']))}</td><td class='n'>{u['events']}</td>"
        f"<td class='mono'>{escape(u['last_waybill_no'])}</td></tr>"
        for u in unknown
    )
    note = _("Stored as they came and never taken for “in transit”; map them in the source or ask the carrier.")
    return (
        _h("h2", _("Unknown statuses"))
        + _muted(note)
        + "<table><thead><tr>"
        + _h("th", _("Status"))
        + "<th class='n'>"
        + escape(_("Events"))
        + "</th>"
        + _h("th", _("Example waybill"))
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _h(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def _muted(text: str, tag: str = "p") -> str:
    return f"<{tag} class='muted'>{escape(text)}</{tag}>"


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _tag(cls: str, text: str) -> str:
    return f'<span class="tag {cls}">{escape(text)}</span>'

"""The stall-monitor part of ``waybill demo``: the bundled tracking events, work orders and invoice requests
for the sample orders (which printing has registered), scanned at a fixed instant so the demo always shows
the same stalled, at-risk and not-picked-up parcels and the same invoices to issue, written as the HTML
report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from stall_monitor.errors import TrackingError
from stall_monitor.ingest import ingest_events
from stall_monitor.invoices.ingest import ingest_invoice_requests
from stall_monitor.invoices.rules import default_invoice_rules
from stall_monitor.invoices.scan import invoice_scan
from stall_monitor.report import render
from stall_monitor.rules import default_rules
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_events, read_invoice_requests, read_work_orders
from stall_monitor.store import open_store
from stall_monitor.words import headline
from stall_monitor.workorders import ingest_work_orders
from waybill.atomic import write_file
from waybill.errors import Problem
from waybill.i18n import _
from waybill.times import BEIJING

__all__ = [
    "DEMO_AT",
    "stall_demo",
]

# The sample events run up to this instant (a few days after the sample orders shipped).
DEMO_AT = datetime(2026, 11, 30, 10, 0, tzinfo=BEIJING)


def _refuse(problem: Problem) -> None:
    raise TrackingError(_("bundled sample data is broken: {problem}").format(problem=problem))


def stall_demo(db: Path, events: Path, work_orders: Path, invoices: Path, report: Path) -> str:
    engine = open_store(str(db))
    counts = ingest_events(engine, read_events(events), received_at=datetime.now(UTC), on_problem=_refuse)
    ingest_work_orders(engine, read_work_orders(work_orders), on_problem=_refuse)
    ingest_invoice_requests(engine, read_invoice_requests(invoices), on_problem=_refuse)
    result = scan(engine, default_rules(), DEMO_AT)
    invoice_result = invoice_scan(engine, default_invoice_rules(), DEMO_AT)
    write_file(report, render(result, "html", invoice_result).encode("utf-8"))
    points = invoice_result.points
    return _(
        "{events} tracking events ingested; scan at {at} (Beijing): {headline}; {invoices} invoices to issue, "
        "{incurred} of {cap} points incurred, {exposure} at stake → {report}"
    ).format(
        events=counts.new,
        at=f"{DEMO_AT:%Y-%m-%d %H:%M}",
        headline=headline(result.counts, nonzero=True),
        invoices=len(invoice_result.requests),
        incurred=points.incurred_30d,
        cap=points.cap,
        exposure=points.exposure,
        report=report,
    )

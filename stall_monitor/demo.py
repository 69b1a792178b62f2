"""The stall-monitor part of ``waybill demo``: the bundled tracking events and work orders for the sample
orders (which printing has registered), scanned at a fixed instant so the demo always shows the same
stalled, at-risk and not-picked-up parcels, and written as the HTML report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from stall_monitor.errors import TrackingError
from stall_monitor.events import BEIJING
from stall_monitor.ingest import ingest_events
from stall_monitor.report import render
from stall_monitor.rules import default_rules
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_events, read_work_orders
from stall_monitor.store import open_store
from stall_monitor.workorders import ingest_work_orders
from waybill.atomic import write_file
from waybill.errors import Problem

# The sample events run up to this instant (a few days after the sample orders shipped).
DEMO_AT = datetime(2026, 11, 30, 10, 0, tzinfo=BEIJING)


def _refuse(problem: Problem) -> None:
    raise TrackingError(f"bundled sample data is broken: {problem}")


def stall_demo(db: Path, events: Path, work_orders: Path, report: Path) -> str:
    engine = open_store(str(db))
    counts = ingest_events(engine, read_events(events), received_at=datetime.now(UTC), on_problem=_refuse)
    ingest_work_orders(engine, read_work_orders(work_orders), on_problem=_refuse)
    result = scan(engine, default_rules(), DEMO_AT)
    write_file(report, render(result, "html").encode("utf-8"))
    headline = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items() if n)
    return f"{counts.new} tracking events ingested; scan at {DEMO_AT:%Y-%m-%d %H:%M} (Beijing): {headline} → {report}"

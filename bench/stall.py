"""Stall monitor benchmark: ingest N waybills × ~10 events from a JSON Lines file, then scan.

    python bench/stall.py                      # 200,000 waybills × 10 events into a temporary SQLite file
    python bench/stall.py --waybills 20000     # quicker
    python bench/stall.py --db 'postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench'
                                               # an empty database or schema: the bench refuses to mix data

Prints ingest events/s (target ≥ 20,000/s into SQLite), the scan time over every open waybill (target ≤ 2 s
for 200,000), a scan of the past (which corrects waybills with later events from the events key), and the peak
resident memory of the process (which also holds SQLite's page cache).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from stall_monitor.ingest import ingest_events
from stall_monitor.rules import default_rules
from stall_monitor.samples import synthetic_events, write_jsonl
from stall_monitor.scan import scan
from stall_monitor.sources.files import read_events
from stall_monitor.store import open_store, waybills
from waybill.times import beijing_iso

END = datetime(2024, 3, 10, 12, tzinfo=UTC)  # the scan instant: most parcels moved in the 48 h before it


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waybills", type=int, default=200_000)
    parser.add_argument("--events-per-waybill", type=int, default=10)
    parser.add_argument("--db", help="database path or URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        events_file = Path(tmp) / "events.jsonl"
        t0 = time.perf_counter()
        records = synthetic_events(args.waybills, args.events_per_waybill, end=END)
        write_jsonl(events_file, records)
        total = args.waybills * args.events_per_waybill
        size = events_file.stat().st_size / 2**20
        print(f"generated {total:,} events ({size:.0f} MiB JSON Lines) in {time.perf_counter() - t0:.1f} s")
        print(f"peak RSS before ingest: {peak_mib():.0f} MiB")

        engine = open_store(args.db or str(Path(tmp) / "bench.db"))
        with engine.connect() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(waybills)).scalar_one():
                print(f"{args.db} already holds tracking data; give an empty database", file=sys.stderr)
                return 2

        t0 = time.perf_counter()
        counts = ingest_events(engine, read_events(events_file), received_at=datetime.now(UTC))
        elapsed = time.perf_counter() - t0
        print(f"ingest: {counts.summary()} in {elapsed:.1f} s = {counts.new / elapsed:,.0f} events/s")
        print(f"peak RSS after ingest: {peak_mib():.0f} MiB")

        t0 = time.perf_counter()
        again = ingest_events(engine, read_events(events_file), received_at=datetime.now(UTC))
        elapsed = time.perf_counter() - t0
        print(f"re-ingest (idempotent): {again.summary()} in {elapsed:.1f} s = {total / elapsed:,.0f} events/s")

        rules = default_rules()
        for label, at in (
            ("scan now (every waybill open)", END),
            ("scan of the past (many waybills have later events)", END - timedelta(hours=36)),
        ):
            t0 = time.perf_counter()
            result = scan(engine, rules, at)
            elapsed = time.perf_counter() - t0
            listed = ", ".join(f"{n:,} {k}" for k, n in result.counts.items() if k in ("stalled", "at_risk"))
            print(f"{label} at {beijing_iso(at)}: {result.open_waybills:,} open waybills, {listed} in {elapsed:.2f} s")
        print(f"peak RSS: {peak_mib():.0f} MiB")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Invoice benchmark: ingest N invoice requests from a JSON Lines file, then scan.

    python bench/invoices.py                     # 100,000 requests into a temporary SQLite file
    python bench/invoices.py --db 'postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench'
                                                 # an empty database or schema: the bench refuses to mix data

Prints the ingest rate (lines/s), a second ingest of the same file (idempotent: nothing changes), and the scan
time at the end of the data and 90 days earlier (target: ≤ 0.5 s for 100,000 requests).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from stall_monitor.invoices.ingest import ingest_invoice_requests
from stall_monitor.invoices.rules import default_invoice_rules
from stall_monitor.invoices.scan import invoice_scan
from stall_monitor.invoices.store import invoice_requests, prepare
from stall_monitor.samples import synthetic_invoice_requests, write_jsonl
from stall_monitor.sources.files import read_invoice_requests
from stall_monitor.store import open_store
from waybill.times import beijing_iso

END = datetime(2024, 3, 10, 12, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--db", help="database path or URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_jsonl(Path(tmp) / "invoices.jsonl", synthetic_invoice_requests(args.requests, end=END))
        with path.open(encoding="utf-8") as lines:
            total = sum(1 for _ in lines)
        print(f"generated {args.requests:,} requests ({total:,} lines, {path.stat().st_size / 2**20:.1f} MiB)")

        engine = prepare(open_store(args.db or str(Path(tmp) / "bench.db")))
        with engine.connect() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(invoice_requests)).scalar_one():
                print(f"{args.db} already holds invoice requests; give an empty database", file=sys.stderr)
                return 2

        for label in ("ingest", "re-ingest (idempotent)"):
            t0 = time.perf_counter()
            counts = ingest_invoice_requests(engine, read_invoice_requests(path))
            elapsed = time.perf_counter() - t0
            print(f"{label}: {counts.summary()} in {elapsed:.2f} s = {total / elapsed:,.0f} lines/s")

        rules = default_invoice_rules()
        for label, at in (("scan at the end", END), ("scan 90 days earlier", END - timedelta(days=90))):
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                result = invoice_scan(engine, rules, at)
                best = min(best, time.perf_counter() - t0)
            levels: dict[str, int] = {}
            for case in result.requests:
                levels[case.level] = levels.get(case.level, 0) + 1
            listed = ", ".join(f"{n:,} {level}" for level, n in sorted(levels.items()))
            p = result.points
            print(
                f"{label} ({beijing_iso(at)}): {len(result.requests):,} listed ({listed}); points "
                f"{p.incurred_30d}/{p.cap}, exposure {p.exposure:,}; best of 3: {best:.3f} s"
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

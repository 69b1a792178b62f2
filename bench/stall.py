"""Stall monitor benchmark, whole process: ``waybill stall ingest`` and ``waybill stall scan`` as a user runs them.

    python bench/stall.py                          # SQLite and PostgreSQL (127.0.0.1:5432 db test, private schema)
    python bench/stall.py --backends sqlite        # SQLite only
    python bench/stall.py --events 30000 --open 100000   # quicker

Rows (issue 14), each on every backend:

- ``waybill stall ingest --events FILE`` of ``--events`` events (10 a waybill), events/s and peak RSS;
  the same file again (idempotent: every event a duplicate);
- ``waybill stall scan --json`` at an instant when every one of those waybills is stalled (one listed row each);
- ``waybill stall scan`` (the table) at the same instant;
- a scan over ``--open`` open waybills (one event each, 5 % of them silent long enough to be listed):
  whole process, the first after the load and again, and ``scan()`` alone in this process;
- a scan of a store with history: ``--history`` waybills registered (shipped over 100 days), each picked up,
  95 % of them delivered (retention keeps their summaries), the rest open, so listed.

Each process is timed from start to exit (``os.wait4`` gives its own peak RSS).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import sqlalchemy as sa
from machine import as_a_user_runs_it, describe

from stall_monitor.rules import default_rules
from stall_monitor.samples import synthetic_events, write_jsonl
from stall_monitor.scan import scan
from stall_monitor.store import Registration, open_store, register_waybills

END = datetime(2024, 3, 10, 12, tzinfo=UTC)  # most parcels moved in the 48 h before it
LATER = END + timedelta(days=6)  # every synthetic parcel is stalled by then
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
WAYBILL = [sys.executable, "-m", "waybill"]


def run(args: list[str], db: str) -> tuple[float, float, float, int]:
    """Wall and CPU seconds (on a shared machine the wall time also holds waiting for a core), peak RSS (MiB)
    and bytes written to stdout of one ``waybill`` process."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        process = subprocess.Popen([*WAYBILL, *args, "--db", db], stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - t0
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.returncode:
            raise SystemExit(f"{' '.join(args)}: exit {process.returncode}: {stderr.strip()[-500:]}")
        size = out.tell()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp / f"bench-{uuid.uuid4().hex[:8]}.db")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def row(label: str, elapsed: float, cpu: float | None, rss: float, extra: str = "") -> None:
    used = "" if cpu is None else f"({cpu:5.2f} s CPU)"
    print(f"  {label:<56} {elapsed:6.2f} s {used:<14} peak RSS {rss:4.0f} MiB  {extra}", flush=True)


def bench(backend: str, tmp: Path, events_file: Path, events: int, open_file: Path, open_count: int) -> None:
    with database(backend, tmp) as db:
        elapsed, cpu, rss, _ = run(["stall", "ingest", "--events", str(events_file)], db)
        row(f"stall ingest {events:,} events", elapsed, cpu, rss, f"{events / elapsed:,.0f} events/s")
        elapsed, cpu, rss, _ = run(["stall", "ingest", "--events", str(events_file)], db)
        row("  the same again (all duplicate)", elapsed, cpu, rss, f"{events / elapsed:,.0f} events/s")
        at = LATER.isoformat()
        elapsed, cpu, rss, size = run(["stall", "scan", "--json", "--at", at], db)
        row(f"stall scan --json ({events // 10:,} stalled parcels)", elapsed, cpu, rss, f"{size / 2**20:.1f} MiB")
        elapsed, cpu, rss, size = run(["stall", "scan", "--at", at], db)
        row("stall scan (table), the same", elapsed, cpu, rss, f"{size / 2**20:.1f} MiB")
    with database(backend, tmp) as db:
        elapsed, cpu, rss, _ = run(["stall", "ingest", "--events", str(open_file)], db)
        row(
            f"stall ingest {open_count:,} events (one per waybill)", elapsed, cpu, rss, f"{open_count / elapsed:,.0f}/s"
        )
        for label in (f"stall scan --json over {open_count:,} open waybills", "  the same again"):
            # The first read of a page after a bulk load also writes it (PostgreSQL's hint bits): both are shown.
            elapsed, cpu, rss, size = run(["stall", "scan", "--json", "--at", END.isoformat()], db)
            row(label, elapsed, cpu, rss, f"{size / 2**20:.1f} MiB")
        engine = open_store(db)
        t0 = time.perf_counter()
        result = scan(engine, default_rules(), END)
        listed = ", ".join(f"{n:,} {k}" for k, n in result.counts.items() if k in ("stalled", "at_risk"))
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row(f"  scan() alone: {result.open_waybills:,} open, {listed}", time.perf_counter() - t0, None, own)
        engine.dispose()


def history(db: str, path: Path, count: int) -> None:
    """Register ``count`` waybills shipped over the 100 days before END (through the API: no order files) and
    write their events: each picked up 3 h after shipping; all but every 20th, and the newest 3 %, delivered
    two days later. Run in a child process: each measured ``waybill`` starts as a copy of this one, whose
    memory would count in its peak RSS."""
    engine = open_store(db)
    carriers = ("SF", "YTO", "ZTO", "STO", "YUNDA", "JD", "EMS", "JT")
    with path.open("wb") as out:
        for start in range(0, count, 50_000):
            registrations = []
            for i in range(start, min(start + 50_000, count)):
                shipped = END - timedelta(days=100) * (i / count) - timedelta(hours=i % 5)
                waybill_no, carrier = f"HX{i:010d}", carriers[i % len(carriers)]
                registrations.append(Registration(waybill_no, carrier, f"o{i}", ("浙江省", "新疆")[i % 2], shipped))
                event = {"waybill_no": waybill_no, "carrier": carrier, "location": "杭州"}
                out.write(orjson.dumps({**event, "time": shipped + timedelta(hours=3), "status": "picked_up"}) + b"\n")
                if i % 20 and i > count * 0.03:
                    delivered = {**event, "time": shipped + timedelta(hours=50), "status": "delivered"}
                    out.write(orjson.dumps(delivered) + b"\n")
            register_waybills(engine, registrations)
    engine.dispose()


def bench_history(backend: str, tmp: Path, count: int) -> None:
    print(f"{backend}:")
    with database(backend, tmp) as db:
        events_file = tmp / "history.jsonl"
        registering = multiprocessing.get_context("fork").Process(target=history, args=(db, events_file, count))
        registering.start()
        registering.join()
        if registering.exitcode:
            raise SystemExit(f"registering the history failed (exit {registering.exitcode})")
        run(["stall", "ingest", "--events", str(events_file)], db)
        elapsed, cpu, rss, size = run(["stall", "scan", "--json", "--at", END.isoformat()], db)
        row(f"stall scan --json, {count:,} waybills of which 5 % open", elapsed, cpu, rss, f"{size / 2**20:.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300_000, help="events to ingest (10 a waybill)")
    parser.add_argument("--open", type=int, default=1_000_000, help="open waybills for the big scan")
    parser.add_argument("--history", type=int, default=1_000_000, help="waybills in the store with history")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    as_a_user_runs_it()
    print(describe())
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        events_file = write_jsonl(tmp / "events.jsonl", synthetic_events(args.events // 10, 10, end=END))
        open_file = write_jsonl(tmp / "open.jsonl", synthetic_events(args.open, 1, end=END))
        print(f"generated {events_file.stat().st_size / 2**20:.0f} + {open_file.stat().st_size / 2**20:.0f} MiB "
              f"of JSON Lines in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        for backend in args.backends.split(","):
            bench_history(backend, tmp, args.history)  # first: ``scan()`` in this process grows it (see ``history``)
            bench(backend, tmp, events_file, args.events, open_file, args.open)
    return 0


if __name__ == "__main__":
    sys.exit(main())

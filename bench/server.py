"""Webhook load benchmark: signed Kuaidi100 pushes from many concurrent clients into ``waybill stall serve``.

    python bench/server.py                           # 600 pushes from 150 clients, temporary SQLite store
    python bench/server.py --pushes 3000 --clients 300
    python bench/server.py --db 'postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench'
                                                     # an empty database or schema

Starts the server as a real process on 127.0.0.1 (loopback only, a free port), sends every push once from
``--clients`` concurrent connections, stops the server with SIGTERM, then reads the store: every push must be
answered 200 and each of its events stored exactly once. Prints requests/s and the latency percentiles.
Bounded: the whole run is given ``--deadline`` seconds, after which the server is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import sqlalchemy as sa
from machine import as_a_user_runs_it, describe

from stall_monitor.samples import kuaidi100_param
from stall_monitor.sources.kuaidi100 import signature
from stall_monitor.store import events, open_store

SALT = "bench-salt"
EVENTS = [("2022-12-20 18:00:00", "在途", "到达杭州"), ("2022-12-20 10:00:00", "揽收", "已揽收")]


def start_server(db: str) -> tuple[subprocess.Popen[str], int]:
    command = [sys.executable, "-u", "-m", "waybill", "stall", "serve", "--db", db, "--port", "0", "--salt", SALT]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    if not select.select([server.stdout], [], [], 30)[0]:
        server.kill()
        raise SystemExit("the server did not start within 30 s")
    first = server.stdout.readline()
    match = re.match(r"serving on http://127\.0\.0\.1:(\d+)/", first)
    if not match:
        server.kill()
        raise SystemExit(f"unexpected first line from the server: {first!r}")
    return server, int(match.group(1))


async def load(port: int, bodies: list[bytes], clients: int) -> tuple[list[int], list[float], float]:
    """Send every body once from ``clients`` connections; the statuses, latencies (s) and wall time."""
    url = f"http://127.0.0.1:{port}/webhooks/kuaidi100"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    queue = list(reversed(bodies))
    statuses: list[int] = []
    latencies: list[float] = []

    async def client(session: aiohttp.ClientSession) -> None:
        while queue:
            body = queue.pop()
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    statuses.append(response.status)
            except (aiohttp.ClientError, TimeoutError):
                statuses.append(0)  # a reset, a refused connection or no answer in time
            latencies.append(time.perf_counter() - t0)

    timeout = aiohttp.ClientTimeout(total=30)
    # One connection per client, opened as the client starts: 150 clients are 150 concurrent connections.
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        return statuses, latencies, time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=600)
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run (default 300)")
    args = parser.parse_args()
    as_a_user_runs_it()
    print(describe())
    if not 1 <= args.pushes <= 100_000 or not 1 <= args.clients <= 1000:
        parser.error("--pushes must be 1..100000 and --clients 1..1000")

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        engine = open_store(db)
        with engine.connect() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one():
                print(f"{db} already holds tracking events; give an empty database", file=sys.stderr)
                return 1
        waybills = [f"SF{n:010d}" for n in range(args.pushes)]
        params = [kuaidi100_param(w, EVENTS) for w in waybills]
        bodies = [urlencode({"param": p, "sign": signature(p, SALT)}).encode() for p in params]

        server, port = start_server(db)
        signal.signal(signal.SIGALRM, lambda *_: os.kill(server.pid, signal.SIGKILL))
        signal.alarm(int(args.deadline))  # the server dies at the deadline whatever happens here
        try:
            statuses, latencies, wall = asyncio.run(load(port, bodies, args.clients))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                code = server.wait()
            signal.alarm(0)

        with engine.connect() as connection:
            query = sa.select(events.c.waybill_no, sa.func.count()).group_by(events.c.waybill_no)
            counts = {str(w): int(n) for w, n in connection.execute(query)}
        engine.dispose()

    ok = statuses.count(200)
    stored_once = sum(1 for w in waybills if counts.get(w) == len(EVENTS))
    print(f"{args.pushes} signed pushes from {args.clients} concurrent clients over loopback")
    others = Counter("no answer" if s == 0 else str(s) for s in statuses if s != 200)
    print(f"answered 200: {ok}/{args.pushes}; other outcomes: {dict(others) or 'none'}")
    print(f"stored exactly once: {stored_once}/{args.pushes} waybills × {len(EVENTS)} events; "
          f"rows {sum(counts.values())} (expected {args.pushes * len(EVENTS)})")  # fmt: skip
    print(f"{args.pushes / wall:.0f} requests/s over {wall:.2f} s")
    ms = [t * 1000 for t in latencies]
    print(f"latency p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms")
    print(f"server exit after SIGTERM: {code}")
    good = ok == stored_once == args.pushes and sum(counts.values()) == args.pushes * len(EVENTS) and code == 0
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())

"""Two serve-print processes on one store, one killed mid-job: the other takes the dead host's runs once its
lease lapses, and prints every label (the ones in flight again, as recorded reprints)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from printers.pool_store import PoolStore
from printers.pools import PoolJob
from printers.simulator import PrinterSimulator
from tests.printers.test_pools import FAST, expected_pages, reprints
from tests.printers.test_print_e2e import printed_waybills
from tests.service.helpers import Running, order_objects, shop_object
from waybill.database import open_database


@contextmanager
def serve_print(
    tmp_path: Path, name: str, sim: PrinterSimulator, db: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``waybill serve-print`` as its own process, for pool line-a of one printer ``name``; its URL."""
    pool = tmp_path / f"{name}.toml"
    pool.write_text(f'[printers.{name}]\nuri = "{sim.uri}"\nprofile = "tspl-203"\n[pools]\nline-a = ["{name}"]\n')
    command = [sys.executable, "-m", "waybill", "serve-print", "--pool", str(pool), "--port", "0", "--db", db]
    with subprocess.Popen(
        [*command, "--lease", "2", "--grace", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            ready = process.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+)/", ready)
            assert match, ready
            yield process, match[1]
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def first_event(base: str, until: Any, timeout: float = 20.0) -> dict[str, Any]:
    """The first live-page event (``GET /events``) for which ``until(data)`` holds."""
    deadline = time.monotonic() + timeout
    with urllib.request.urlopen(base + "/events", timeout=timeout) as stream:
        while time.monotonic() < deadline:
            line = stream.readline().decode()
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line[6:])
                if until(data):
                    return data
    raise AssertionError("no such event in time")


def test_two_hosts_one_killed_mid_job(tmp_path: Path, db_url: str) -> None:
    engine = open_database(db_url)
    with ExitStack() as stack:
        slow = stack.enter_context(PrinterSimulator("tspl", speed_mm_s=400.0))  # 0.45 s a label: killed mid-job
        fast = stack.enter_context(PrinterSimulator("tspl", speed_mm_s=FAST))
        host_a, base_a = stack.enter_context(serve_print(tmp_path, "a1", slow, db_url))
        _, base_b = stack.enter_context(serve_print(tmp_path, "b1", fast, db_url))
        a, b = Running(None, None, base_a), Running(None, None, base_b)  # type: ignore[arg-type]
        seen = first_event(base_b, lambda d: any(p["name"] == "a1" for h in d["hosts"] for p in h["printers"]))
        status, answer = a.call("POST", "/jobs", {"orders": order_objects(), "shop": shop_object()})
        assert status == 201, answer
        assert slow.wait_printed(3, timeout=60)
        host_a.kill()  # SIGKILL: no graceful stop, its claims stay until their lease lapses
        host_a.wait(30)
        killed_at = len(slow.labels)
        done = b.wait_job(answer["job"], timeout=120)
        assert fast.wait_idle(timeout=30) and slow.wait_idle(timeout=30)
    assert [p["name"] for p in seen["printers"]] == ["b1"]  # B's own, and A's from the store
    assert done["status"] == "done" and done["printed"] == done["labels"] == sum(expected_pages().values())
    assert 3 <= killed_at < done["labels"] and fast.labels  # A printed part; B the rest
    job = PoolJob(None, PoolStore(engine).pool_job(answer["job"]))  # type: ignore[arg-type]
    recorded = reprints(engine, job)
    printed = printed_waybills(slow) + printed_waybills(fast)
    for waybill, pages in expected_pages().items():
        assert printed[waybill] >= pages, f"{waybill}: {printed[waybill]} of {pages} label(s) on paper"
        assert printed[waybill] - pages <= recorded[waybill], f"{waybill}: printed again without a record"
    assert set(printed) == set(expected_pages()) and sum(recorded.values()) == done["reprints"]
    engine.dispose()

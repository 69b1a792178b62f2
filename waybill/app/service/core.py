"""The print service's state: one running pool, the jobs given to it, and what the live page shows.

``PrintService.submit_orders`` is the one way a job comes in (the HTTP API and the print-component protocol
both call it): orders validated as a whole (``waybill.orders.check_orders``), numbered from the shop's
source when they have none, then ``Pool.submit``. Everything here is blocking (the journal, the pool); the
HTTP layer calls it on a thread pool.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from printers.journal import LabelRow, new_owner
from printers.pool_claims import PoolClaims
from printers.pool_file import PoolFile
from printers.pools import Pool, PoolJob
from waybill.errors import OrderError, Problem
from waybill.model import Order
from waybill.numbers.assign import assign_numbers, needs_numbers
from waybill.orders import check_orders
from waybill.privacy import mask_phones
from waybill.shop import Shop, parse_shop
from waybill.times import BEIJING

__all__ = ["BUILTIN", "Fault", "PrintService", "Refused"]

BUILTIN = "waybill:"  # templateURL prefix of a built-in template
THROUGHPUT_WINDOW = 300.0  # s of printed labels the labels/h figure is taken over
LAST_JOBS = 10
WATCH_S = 0.2  # s between looks at the printers' states, to log each fault as it happens
SHARE_S = 1.0  # s between writes of this host's printers and claims to the store (many hosts)
HOST_S = 10.0  # a host not heard from in this long is not shown


class Refused(Exception):
    """A job refused as a whole, with every problem (``orders[3].recipient.phone: …``)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Fault:
    at: datetime
    printer: str
    detail: str


def problem_text(problem: Problem) -> str:
    """``orders[3].recipient.phone: is not a phone number`` (phones masked, as everywhere)."""
    where = f"{problem.source}.{problem.field}" if problem.field else problem.source
    return mask_phones(f"{where}: {problem.message}")


class PrintService:
    """One pool at work, and what it has printed; ``start``/``close``."""

    def __init__(
        self,
        pool_file: PoolFile,
        pool_name: str,
        engine: Engine,
        *,
        templates: dict[str, Path] | None = None,
        shop: Path | None = None,
        grace: float = 20.0,
        poll: float = 1.0,
        lease: float = 30.0,
    ) -> None:
        self.engine = engine
        self.templates = dict(templates or {})
        self.shop = shop  # the shop profile of jobs that give none (--shop)
        self.host = new_owner()
        self.claims = PoolClaims(engine, pool_name, self.host, lease_seconds=lease)
        self.pool = Pool.from_file(
            pool_file, pool_name, engine, grace=grace, poll=poll, on_printed=self._printed, claims=self.claims
        )
        self._lock = threading.Lock()
        self._printed_at: deque[float] = deque()  # monotonic times of confirmed labels, for labels/h
        self._started = time.monotonic()
        self._listeners: list[Callable[[list[LabelRow]], None]] = []
        self.faults: deque[Fault] = deque(maxlen=50)
        self._watch_lock = threading.Lock()
        self._last_state: dict[str, str] = {}  # "state:detail" of each printer at the last look
        self.jobs: deque[int] = deque(maxlen=LAST_JOBS)
        self._closing = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="print-service-watch", daemon=True)

    def start(self) -> PrintService:
        self.pool.start()
        self._watcher.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._watcher.join()
        self.pool.close()
        self.claims.leave()

    def _watch(self) -> None:
        """Faults as they happen; each second, this host's printers and claims to the store, and the runs
        of hosts that died taken over."""
        last = 0.0
        while not self._closing.wait(WATCH_S):
            self.watch()
            if time.monotonic() - last >= SHARE_S:
                last = time.monotonic()
                self.claims.publish(self.printers_json())
                self.claims.renew()
                for job_id in self.pool.adopt_lapsed():
                    run = self.pool.store.run(job_id)
                    if run is not None:
                        with self._lock:
                            if run.pool_job_id not in self.jobs:
                                self.jobs.appendleft(run.pool_job_id)

    # ── jobs ─────────────────────────────────────────────────────────────────────────────────────
    def template(self, name: str) -> str:
        """What ``Pool.submit`` loads for a template name: ``100x180`` or ``waybill:100x180`` (built in), or a
        name the service was given a file for (``--template NAME=FILE``)."""
        if name in self.templates:
            return str(self.templates[name])
        base = name.removeprefix(BUILTIN)
        if "/" in base or "\\" in base or base.startswith("."):
            raise Refused([f"template: {name!r} is neither built in nor given to the service (--template)"])
        return base

    def submit_orders(
        self,
        objects: Sequence[Any],
        template: str,
        shop: dict[str, Any] | None,
        *,
        name: str = "orders",
        printer: str | None = None,
    ) -> PoolJob:
        """Validate every order (any problem refuses the job), number those without a waybill number, and
        queue the job on the pool."""
        template_path = self.template(template)
        with tempfile.TemporaryDirectory(prefix="waybill-shop-") as folder:
            shop_path = self.shop
            if shop is not None:
                shop_path = Path(folder) / "shop.toml"
                shop_path.write_text(toml_text(shop), encoding="utf-8")
            try:
                profile = self.shop_profile(shop_path)
            except OrderError as error:
                raise Refused([problem_text(p) for p in error.problems]) from error
            loaded = check_orders(objects, profile, name)
            if loaded.problems:
                raise Refused([problem_text(p) for p in loaded.problems])
            orders: Sequence[Order] = loaded.orders
            if needs_numbers(orders, profile):
                numbered = assign_numbers(self.engine, orders, profile)
                if numbered.refused:
                    index = {order.order_id: n for n, order in enumerate(orders)}
                    raise Refused([f"{name}[{index[o.order_id]}].waybill_no: {why}" for o, why in numbered.refused])
                orders = numbered.orders
            job = self.pool.submit(orders, template_path, shop=shop_path, printer=printer)
        with self._lock:
            self.jobs.appendleft(job.id)
        return job

    def shop_profile(self, path: Path | None = None) -> Shop | None:
        path = path or self.shop
        return parse_shop(path.read_text(encoding="utf-8"), "shop") if path else None

    # ── what the page shows ──────────────────────────────────────────────────────────────────────
    def on_printed(self, listener: Callable[[list[LabelRow]], None]) -> None:
        """Call ``listener`` (on a printer's thread) with the labels each printer confirms."""
        with self._lock:
            self._listeners.append(listener)

    def _printed(self, rows: list[LabelRow]) -> None:
        now = time.monotonic()
        with self._lock:
            self._printed_at.extend([now] * len(rows))
            listeners = list(self._listeners)
        for listener in listeners:
            listener(rows)

    def labels_per_hour(self) -> int:
        now = time.monotonic()
        with self._lock:
            while self._printed_at and self._printed_at[0] < now - THROUGHPUT_WINDOW:
                self._printed_at.popleft()
            count = len(self._printed_at)
        span = max(min(now - self._started, THROUGHPUT_WINDOW), 60.0)  # a few seconds say too little
        return round(count * 3600 / span)

    def watch(self) -> None:
        """Log each printer that went into a fault (or a new one) since the last look."""
        with self._watch_lock:
            for view in self.pool.status():
                state = f"{view.state}:{view.detail}"
                if self._last_state.get(view.name) != state and view.state in ("fault", "down"):
                    self.faults.appendleft(Fault(datetime.now(BEIJING), view.name, view.detail))
                self._last_state[view.name] = state

    def printers_json(self) -> list[dict[str, Any]]:
        return [
            {
                "name": view.name,
                "uri": view.uri,
                "profile": view.profile,
                "line": view.line,
                "state": view.state,
                "detail": view.detail,
                "faults": view.faults,
                "queued": view.queued,
                "printed": view.printed,
            }
            for view in self.pool.status()
        ]

    def job_json(self, job_id: int) -> dict[str, Any]:
        status = self.pool.job_status(job_id)
        return {
            "job": status.job,
            "pool": status.pool,
            "status": status.status,
            "labels": status.labels,
            "printed": status.printed,
            "reprints": status.reprints,
            "printers": status.printers,
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything the live page shows, as JSON."""
        with self._lock:
            jobs = list(self.jobs)
        return {
            "pool": self.pool.name,
            "printers": self.printers_json(),
            "labels_per_hour": self.labels_per_hour(),
            "faults": [
                {"at": f.at.isoformat(timespec="seconds"), "printer": f.printer, "detail": f.detail}
                for f in list(self.faults)
            ],
            "jobs": [self.job_json(job_id) for job_id in jobs],
            "hosts": [
                {"host": other.host, "printers": other.printers}
                for other in self.claims.hosts(HOST_S)
                if other.host != self.host
            ],
        }


def toml_text(data: dict[str, Any]) -> str:
    """A JSON object as TOML (top-level keys, inline tables): how a shop given in a request is stored
    with its job, as a shop file would be."""

    def value(item: Any, key: str) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int | float | str):
            return json.dumps(item, ensure_ascii=False)  # JSON's escapes are TOML's
        if isinstance(item, list):
            return "[" + ", ".join(value(x, f"{key}[{n}]") for n, x in enumerate(item)) + "]"
        if isinstance(item, dict):
            return "{" + ", ".join(f"{json.dumps(str(k))} = {value(v, f'{key}.{k}')}" for k, v in item.items()) + "}"
        raise Refused([f"shop.{key}: null is not allowed"])

    if not isinstance(data, dict):
        raise Refused(["shop: must be an object"])
    return "".join(f"{json.dumps(str(key))} = {value(item, str(key))}\n" for key, item in data.items())

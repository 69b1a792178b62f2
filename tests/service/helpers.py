"""A print service on a pool of printer simulators, over loopback, and a plain HTTP client for it."""

from __future__ import annotations

import json
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from printers.pool_file import load_pool_file
from printers.simulator import PrinterSimulator
from tests.printers.test_pools import pool_file
from tests.waybill.labels import SAMPLE_SHOP, sample_orders
from waybill.app.service.core import PrintService
from waybill.app.service.server import ServiceServer
from waybill.order_codec import order_line


def order_objects() -> list[dict[str, Any]]:
    """The sample orders as a client sends them: each a line of an orders file, decoded."""
    return [json.loads(order_line(order)) for order in sample_orders()]


def shop_object() -> dict[str, Any]:
    return tomllib.loads(SAMPLE_SHOP.read_text(encoding="utf-8"))


@dataclass
class Running:
    service: PrintService
    server: ServiceServer
    base: str  # http://127.0.0.1:PORT
    token: str | None = None
    log: list[str] | None = None

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> tuple[int, Any]:
        """``(status, decoded JSON)`` of one request (the service's token unless another is given)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token or self.token:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_job(self, job: int, timeout: float = 120.0) -> dict[str, Any]:
        """The job's status once it is done (bounded poll of ``GET /jobs/ID``)."""
        deadline = time.monotonic() + timeout
        while True:
            status, answer = self.call("GET", f"/jobs/{job}")
            assert status == 200, answer
            if answer["status"] == "done" or time.monotonic() > deadline:
                return dict(answer)
            time.sleep(0.05)


@contextmanager
def running_service(
    tmp_path: Path,
    sims: list[PrinterSimulator],
    engine: sa.Engine,
    *,
    token: str | None = None,
    templates: dict[str, Path] | None = None,
    grace: float = 5.0,
) -> Iterator[Running]:
    spec = load_pool_file(pool_file(tmp_path, [sim.uri for sim in sims]))
    service = PrintService(spec, "line-a", engine, templates=templates, grace=grace, poll=0.05)
    log: list[str] = []
    server = ServiceServer(service, "127.0.0.1", 0, token=token, log=log.append)
    service.start()
    try:
        host, port = server.start()
        try:
            yield Running(service, server, f"http://{host}:{port}", token, log)
        finally:
            server.stop()
    finally:
        service.close()

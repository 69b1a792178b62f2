"""The HTTP routes of ``waybill stall serve``: one table, each entry a handler over a shared ``Context``.

Routes::

    POST /webhooks/kuaidi100   form fields param, sign → {"result":true,"returnCode":"200","message":"成功"}
    GET  /  (/report.html)     the live report (HTML); ?at=TIME for another instant
    GET  /api/stalls?at=TIME   the scan as JSON (the same list as ``waybill stall scan --json``)
    GET  /api/invoices?at=TIME the invoice scan as JSON (the same as ``waybill invoice scan --json``)
    GET  /healthz              {"status": "ok"} when the database answers

Every GET also answers HEAD. A push with a wrong sign (when a salt is set) gets 403 and nothing is stored; a
malformed body 400; no Content-Length 411; a body over the limit 413; a body not sent in time 408. Storing
is idempotent, so Kuaidi100's repeated pushes change nothing. The database and the report run in a bounded
thread pool (``Context.run``) so the event loop only moves bytes.

A new read-only JSON endpoint is one line in ``ROUTES`` with ``json_at`` around a plain function of
``(context, at)``; see ``/api/stalls``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine

from stall_monitor.ingest import ingest_events
from stall_monitor.invoices.rules import InvoiceRules, default_invoice_rules
from stall_monitor.invoices.scan import invoice_scan, invoice_scan_json
from stall_monitor.report import render
from stall_monitor.rules import Rules
from stall_monitor.scan import scan
from stall_monitor.sources.kuaidi100 import PushError, parse_push, sign_matches
from waybill.errors import Problem
from waybill.times import parse_instant

__all__ = ["OK", "ROUTES", "Context", "Handler", "Reply", "json_at", "json_response"]

OK = {"result": True, "returnCode": "200", "message": "成功"}
T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """What the handlers share: the store, the rules, the clock, the log and the database thread pool."""

    engine: Engine
    rules: Rules
    salt: str | None
    max_body: int
    body_timeout: float
    clock: Callable[[], datetime]
    log: Callable[[str], None]
    pool: Executor
    invoice_rules: InvoiceRules = field(default_factory=default_invoice_rules)

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` on the database pool: SQLAlchemy and the report are blocking, the loop must not be."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, work)


Handler = Callable[[Context, web.Request], Awaitable[web.StreamResponse]]


class Reply(Exception):
    """Answer now with this status and message (a client mistake, not a server fault)."""

    def __init__(self, status: int, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close  # the connection cannot be trusted for another request


def json_response(status: int, payload: Any) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(payload, ensure_ascii=False), content_type="application/json", charset="utf-8"
    )


async def kuaidi100_push(context: Context, request: web.Request) -> web.StreamResponse:
    fields = await _form(context, request)
    param = fields.get("param")
    if not param:
        raise Reply(400, "form field param is required")
    if context.salt is not None and not sign_matches(param, fields.get("sign", ""), context.salt):
        raise Reply(403, "sign does not match")
    try:
        items = parse_push(param, "webhook")
    except PushError as error:
        raise Reply(400, str(error)) from error

    def report(problem: Problem) -> None:
        context.log(f"rejected: {problem}")

    counts = await context.run(
        lambda: ingest_events(context.engine, items, received_at=context.clock(), on_problem=report)
    )
    context.log(f"kuaidi100 push: {counts.summary()}")
    return json_response(200, OK)


async def _form(context: Context, request: web.Request) -> dict[str, str]:
    length = request.content_length
    if length is None:
        raise Reply(411, "Content-Length is required", close=True)
    if length > context.max_body:
        # Not read: aiohttp discards the rest of the body for a bounded time, so the client reads this answer.
        raise Reply(413, f"body over {context.max_body} bytes")
    try:
        async with asyncio.timeout(context.body_timeout):
            body = await request.read()
    except TimeoutError as error:
        raise Reply(408, f"the body did not arrive within {context.body_timeout:g} s", close=True) from error
    if request.content_type != "application/x-www-form-urlencoded":
        raise Reply(400, "expected an application/x-www-form-urlencoded body")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise Reply(400, "the body is not a URL-encoded form") from error
    return {key: values[0] for key, values in parsed.items()}


def at_of(context: Context, request: web.Request) -> datetime:
    """``?at=TIME`` (ISO 8601, Beijing time without a zone), else the clock."""
    text = request.query.get("at")
    if text is None:
        return context.clock()
    try:
        # An unencoded "+08:00" arrives as " 08:00" in a query string.
        return parse_instant(text if "T" not in text else text.replace(" ", "+"))
    except (ValueError, OverflowError) as error:
        raise Reply(400, f"at={text!r} is not an ISO 8601 time") from error


def json_at(function: Callable[[Context, datetime], Any]) -> Handler:
    """A GET handler answering ``function(context, at)`` as JSON, computed on the database pool."""

    async def handler(context: Context, request: web.Request) -> web.StreamResponse:
        at = at_of(context, request)
        return json_response(200, await context.run(lambda: function(context, at)))

    return handler


def _stalls(context: Context, at: datetime) -> Any:
    return [s.as_json() for s in scan(context.engine, context.rules, at).stalls]


async def live_report(context: Context, request: web.Request) -> web.StreamResponse:
    at = at_of(context, request)

    def page_at() -> str:
        invoices = invoice_scan(context.engine, context.invoice_rules, at)
        return render(scan(context.engine, context.rules, at), "html", invoices)

    page = await context.run(page_at)
    return web.Response(text=page, content_type="text/html", charset="utf-8")


async def healthz(context: Context, request: web.Request) -> web.StreamResponse:
    def ping() -> None:
        with context.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    await context.run(ping)
    return json_response(200, {"status": "ok"})


def _invoices(context: Context, at: datetime) -> Any:
    return invoice_scan_json(context.engine, at, context.invoice_rules)


# (method, path, handler). GET routes answer HEAD too; a new read-only endpoint is one line here.
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("POST", "/webhooks/kuaidi100", kuaidi100_push),
    ("GET", "/", live_report),
    ("GET", "/report.html", live_report),
    ("GET", "/api/stalls", json_at(_stalls)),
    ("GET", "/api/invoices", json_at(_invoices)),
    ("GET", "/healthz", healthz),
)

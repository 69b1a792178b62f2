"""``waybill stall serve``: the Kuaidi100 webhook and the live report over the stdlib's threading HTTP server.

Routes::

    POST /webhooks/kuaidi100   form fields param, sign → {"result":true,"returnCode":"200","message":"成功"}
    GET  /                     the live report (HTML); ?at=TIME for another instant
    GET  /api/stalls?at=TIME   the scan as JSON (the same list as ``waybill stall scan --json``)
    GET  /healthz              {"status": "ok"} when the database answers

A push with a wrong sign (when a salt is set) gets 403 and nothing is stored; a malformed body gets 400;
a body over the size limit gets 413. Each request is handled on its own thread and an error in one never
stops the server. Storing is idempotent, so Kuaidi100's repeated pushes change nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.events import parse_time
from stall_monitor.ingest import ingest_events
from stall_monitor.report import render
from stall_monitor.rules import Rules
from stall_monitor.scan import scan
from stall_monitor.sources.kuaidi100 import PushError, parse_push, sign_matches
from waybill.errors import Problem, WaybillError

__all__ = ["MAX_BODY", "StallServer", "make_server"]

MAX_BODY = 1 << 20  # a push of a long history is tens of KiB; 1 MiB is generous
OK = {"result": True, "returnCode": "200", "message": "成功"}


class StallServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        engine: Engine,
        rules: Rules,
        *,
        salt: str | None,
        max_body: int,
        clock: Callable[[], datetime],
        log: Callable[[str], None],
    ) -> None:
        super().__init__(address, _Handler)
        self.engine = engine
        self.rules = rules
        self.salt = salt
        self.max_body = max_body
        self.clock = clock
        self.log = log


def make_server(
    engine: Engine,
    rules: Rules,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    salt: str | None = None,
    max_body: int = MAX_BODY,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    log: Callable[[str], None] | None = None,
) -> StallServer:
    """A bound server (port 0 picks a free port); call ``serve_forever()``, ``shutdown()``, ``server_close()``."""
    return StallServer(
        (host, port),
        engine,
        rules,
        salt=salt,
        max_body=max_body,
        clock=clock,
        log=log or (lambda line: print(line, file=sys.stderr)),
    )


class _Reply(Exception):
    """Answer now with this status and message (a client mistake, not a server fault)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    server: StallServer
    protocol_version = "HTTP/1.1"
    server_version = "waybill-stall"

    def do_POST(self) -> None:
        self._run(self._post)

    def do_GET(self) -> None:
        self._run(self._get)

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log(f"{self.address_string()} {format % args}")

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except _Reply as reply:
            self._json(reply.status, {"result": False, "returnCode": str(reply.status.value), "message": reply.message})
        except (WaybillError, sa.exc.SQLAlchemyError) as error:
            self.server.log(f"error: {error}")
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"result": False, "returnCode": "500", "message": str(error)})

    def _post(self) -> None:
        if urlsplit(self.path).path != "/webhooks/kuaidi100":
            raise _Reply(HTTPStatus.NOT_FOUND, "no such endpoint")
        fields = self._form()
        param = fields.get("param")
        if not param:
            raise _Reply(HTTPStatus.BAD_REQUEST, "form field param is required")
        if self.server.salt is not None and not sign_matches(param, fields.get("sign", ""), self.server.salt):
            raise _Reply(HTTPStatus.FORBIDDEN, "sign does not match")
        try:
            items = parse_push(param, "webhook")
        except PushError as error:
            raise _Reply(HTTPStatus.BAD_REQUEST, str(error)) from error

        def report(problem: Problem) -> None:
            self.server.log(f"rejected: {problem}")

        counts = ingest_events(self.server.engine, items, received_at=self.server.clock(), on_problem=report)
        self.server.log(f"kuaidi100 push: {counts.summary()}")
        self._json(HTTPStatus.OK, OK)

    def _form(self) -> dict[str, str]:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            raise _Reply(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError(length)
        except ValueError as error:
            self.close_connection = True
            raise _Reply(HTTPStatus.BAD_REQUEST, "Content-Length is not a length") from error
        if length > self.server.max_body:
            self.close_connection = True
            if length <= 8 * self.server.max_body:
                self._drain(length)  # so the client, still sending, reads the 413 instead of a reset
            raise _Reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {self.server.max_body} bytes")
        body = self.rfile.read(length)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise _Reply(HTTPStatus.BAD_REQUEST, "expected an application/x-www-form-urlencoded body")
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as error:
            raise _Reply(HTTPStatus.BAD_REQUEST, "the body is not a URL-encoded form") from error
        return {key: values[0] for key, values in parsed.items()}

    def _drain(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)

    def _get(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/healthz":
            with self.server.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            self._json(HTTPStatus.OK, {"status": "ok"})
        elif url.path == "/api/stalls":
            result = scan(self.server.engine, self.server.rules, self._at(query))
            self._json(HTTPStatus.OK, [s.as_json() for s in result.stalls])
        elif url.path in ("/", "/report.html"):
            result = scan(self.server.engine, self.server.rules, self._at(query))
            self._send(HTTPStatus.OK, render(result, "html").encode("utf-8"), "text/html; charset=utf-8")
        else:
            raise _Reply(HTTPStatus.NOT_FOUND, "no such page")

    def _at(self, query: dict[str, str]) -> datetime:
        if "at" not in query:
            return self.server.clock()
        text = query["at"]
        try:
            # An unencoded "+08:00" arrives as " 08:00" in a query string.
            return parse_time(text if "T" not in text else text.replace(" ", "+"))
        except ValueError as error:
            raise _Reply(HTTPStatus.BAD_REQUEST, f"at={text!r} is not an ISO 8601 time") from error

    def _json(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

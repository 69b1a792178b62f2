"""``waybill stall serve``: the routes of ``stall_monitor.routes`` on aiohttp's asyncio HTTP server, with limits.

Production limits (``Limits``): a body-size limit (413), a header timeout (a connection without a complete
request head that long after connecting or after its previous answer is closed, however slowly it trickles
bytes), a body timeout (408), at most ``max_requests`` requests in progress (beyond, 503 at once with
Retry-After), a listen backlog, and a graceful stop: stop listening, let in-flight requests finish (up to
``shutdown_timeout``), close idle connections. The access log names the route, never the path the client sent
or its query string, so no waybill number or phone reaches it.

Without a salt anyone who can reach the port can post pushes: ``make_server`` refuses a non-loopback address
unless a salt is given, and warns on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.routes import ROUTES, Context, Handler, Reply, json_response
from stall_monitor.rules import Rules
from waybill.errors import UsageError, WaybillError
from waybill.http_server import HttpServer, route_of
from waybill.net import is_loopback

__all__ = ["MAX_BODY", "Limits", "StallServer", "check_exposure", "is_loopback", "make_server"]

MAX_BODY = 1 << 20  # a push of a long history is tens of KiB; 1 MiB is generous


@dataclass(frozen=True)
class Limits:
    max_body: int = MAX_BODY  # bytes of a request body
    header_timeout: float = 10.0  # s from connect (or the previous answer) to a complete request head
    body_timeout: float = 15.0  # s for the whole body; Kuaidi100 itself gives up after 20 s
    max_requests: int = 256  # requests in progress at once
    db_threads: int | None = None  # None: 2 on SQLite (one writer at a time anyway), 4 on PostgreSQL
    backlog: int = 1024  # connections the kernel queues before accept (capped by net.core.somaxconn)
    shutdown_timeout: float = 15.0  # s in-flight requests get to finish on a stop


def check_exposure(host: str, salt: str | None) -> None:
    """Refuse (``UsageError``) to take unauthenticated pushes on an address other machines can reach."""
    if salt is None and not is_loopback(host):
        raise UsageError(f"refusing to serve on {host or 'every interface'} without --salt: anyone could post pushes")


class StallServer(HttpServer):
    """The server; ``serve()`` in the foreground until SIGINT/SIGTERM, or ``start()``/``stop()`` on a thread."""

    name = "stall-server"
    listen_error = TrackingError

    def __init__(
        self,
        context: Callable[[Executor], Context],
        host: str,
        port: int,
        limits: Limits,
        log: Callable[[str], None],
        threads: int,
    ) -> None:
        # aiohttp's own shutdown gets 1 s, for stragglers after the drain (it drops their unread bytes).
        super().__init__(
            host,
            port,
            log,
            threads=threads,
            backlog=limits.backlog,
            keepalive_timeout=limits.header_timeout,
            cleanup_timeout=1.0,
        )
        self.limits = limits
        self.in_flight = 0  # requests being handled now
        self._quiet = asyncio.Event()  # set while none is (one per run: an Event belongs to its loop)
        self._draining = False
        self._context = context  # given the database pool of a run

    def build_app(self, pool: Executor) -> web.Application:
        self._quiet, self._draining = asyncio.Event(), False
        self._quiet.set()
        return self._app(self._context(pool))

    async def drain(self, site: web.TCPSite) -> None:
        # Stop listening, then let the requests in flight finish while their connections still read
        # (aiohttp's own shutdown stops reading at once, so a body still arriving would be lost).
        self._draining = True
        await site.stop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.limits.shutdown_timeout):
                await self._quiet.wait()

    def _app(self, context: Context) -> web.Application:
        app = web.Application(client_max_size=self.limits.max_body, middlewares=[self._guard])
        for method, path, handler in ROUTES:
            bound = _bind(handler, context)
            if method == "GET":
                app.router.add_get(path, bound)  # and HEAD
            else:
                app.router.add_route(method, path, bound)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Bound the requests in progress; while stopping, each answer ends its connection."""
        if self.in_flight >= self.limits.max_requests:
            response: web.StreamResponse = _error(503, "busy: try again shortly")
            response.headers["Retry-After"] = "1"
            return response
        self.in_flight += 1
        self._quiet.clear()
        try:
            response = await self._answer(request, handler)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._quiet.set()
        if self._draining and not response.prepared:
            response.force_close()
        return response

    async def _answer(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """The handler's answer; every failure becomes a JSON answer, and a server fault one log line."""
        try:
            return await handler(request)
        except Reply as reply:
            response = _error(reply.status, reply.message)
            if reply.close:  # answer, then hang up at once rather than wait for a body that is not coming
                response.force_close()
                await response.prepare(request)
                await response.write_eof()
                request.protocol.force_close()
            return response
        except web.HTTPException as error:  # the router's 404 and 405
            response = _error(error.status, error.reason)
            response.headers.extend((k, v) for k, v in error.headers.items() if k == "Allow")
            return response
        except WaybillError as error:  # the store's one-line DatabaseError
            self._log(f"error: {request.method} {route_of(request)}: {error}")
            return _error(500, "internal error (see the server log)")
        except Exception as error:  # a bug: say where, not what (the message may quote the input)
            frames = traceback.extract_tb(error.__traceback__)
            ours = [f for f in frames if "site-packages" not in f.filename] or frames
            kind = "database error" if isinstance(error, sa.exc.SQLAlchemyError) else "internal error"
            where = f"{type(error).__name__} at {ours[-1].filename}:{ours[-1].lineno}"
            self._log(f"{kind}: {request.method} {route_of(request)}: {where}")
            return _error(500, "internal error (see the server log)")


def make_server(
    engine: Engine,
    rules: Rules,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    salt: str | None = None,
    limits: Limits = Limits(),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    log: Callable[[str], None] | None = None,
) -> StallServer:
    """A server, not yet listening (port 0 picks a free port); refuses a non-loopback ``host`` without a salt."""
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    check_exposure(host, salt)
    if salt is None:
        say("warning: no --salt: pushes are not authenticated (anyone on this machine can post them)")

    def context(pool: Executor) -> Context:
        return Context(engine, rules, salt, limits.max_body, limits.body_timeout, clock, say, pool)

    # Measured with bench/server.py: SQLite is fastest with 1-2 threads (its writers queue on one lock),
    # PostgreSQL with 4 (on 2 cores).
    threads = limits.db_threads or (2 if engine.dialect.name == "sqlite" else 4)
    return StallServer(context, host, port, limits, say, threads)


def _bind(handler: Handler, context: Context) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def bound(request: web.Request) -> web.StreamResponse:
        return await handler(context, request)

    return bound


def _error(status: int, message: str) -> web.Response:
    return json_response(status, {"result": False, "returnCode": str(status), "message": message})

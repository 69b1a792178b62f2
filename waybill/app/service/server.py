"""The print service's HTTP server: aiohttp on a port, started in the foreground (the CLI) or on a thread
(tests), stopped gracefully (stop listening, let requests finish, close the print components' sockets).

The access log names the route, never the path or query the client sent: a token or an order id in them
stays out of it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from waybill.app.service.api import build_app
from waybill.app.service.core import PrintService
from waybill.errors import UsageError
from waybill.net import is_loopback

__all__ = ["MAX_BODY", "ServiceServer", "check_exposure"]

MAX_BODY = 16 << 20  # a job of 10,000 orders is a few MiB of JSON


def check_exposure(host: str, token: str | None) -> None:
    """Refuse (``UsageError``) to take print jobs from other machines without a token."""
    if token is None and not is_loopback(host):
        raise UsageError(f"refusing to serve on {host or 'every interface'} without --token: anyone could print")


class ServiceServer:
    """``serve()`` until SIGINT/SIGTERM, or ``start()``/``stop()`` on a thread."""

    def __init__(
        self,
        service: PrintService,
        host: str = "127.0.0.1",
        port: int = 13528,
        *,
        token: str | None = None,
        log: Callable[[str], None] | None = None,
        max_body: int = MAX_BODY,
        shutdown_timeout: float = 10.0,
    ) -> None:
        check_exposure(host, token)
        self.service, self.host, self.port, self.token = service, host, port, token
        self.max_body, self.shutdown_timeout = max_body, shutdown_timeout
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.address: tuple[str, int] = (host, port)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def serve(self, on_ready: Callable[[tuple[str, int]], None]) -> None:
        """Serve until SIGINT (then ``KeyboardInterrupt``, after the graceful stop) or SIGTERM (return)."""
        received: list[int] = []

        async def main() -> None:
            loop, stop = asyncio.get_running_loop(), asyncio.Event()

            def on_signal(number: int) -> None:
                received.append(number)
                stop.set()

            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, on_signal, number)
            await self._run(stop, on_ready)

        asyncio.run(main())
        if signal.SIGINT in received:
            raise KeyboardInterrupt

    def start(self) -> tuple[str, int]:
        """Listen on a daemon thread; returns the bound address (port 0 picks a free one)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def thread() -> None:
            async def main() -> None:
                self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
                await self._run(self._stop, lambda _: ready.set())

            try:
                asyncio.run(main())
            except BaseException as error:  # handed to start()
                failure.append(error)
                ready.set()

        self._thread = threading.Thread(target=thread, name="print-service", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self.address

    def stop(self) -> None:
        if self._thread is None or self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread = None

    async def _run(self, stop: asyncio.Event, on_ready: Callable[[tuple[str, int]], None]) -> None:
        pool = ThreadPoolExecutor(4, thread_name_prefix="print-service")
        app = build_app(self.service, pool, token=self.token, max_body=self.max_body)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log_class=_access_logger(self._log),
            shutdown_timeout=self.shutdown_timeout,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as error:
                reason = os.strerror(error.errno) if error.errno else str(error)
                raise UsageError(f"cannot listen on {self.host}:{self.port}: {reason}") from error
            host, port = runner.addresses[0][:2]
            self.address = (str(host), int(port))
            on_ready(self.address)
            await stop.wait()
            self._log("stopping: finishing the requests in flight")
        finally:
            await runner.cleanup()
            pool.shutdown(wait=True)


def _route(request: web.BaseRequest) -> str:
    match = getattr(request, "match_info", None)
    resource = match.route.resource if match is not None else None
    return resource.canonical if resource is not None else "-"


def _access_logger(log: Callable[[str], None]) -> type[AbstractAccessLogger]:
    class AccessLog(AbstractAccessLogger):
        def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
            log(f"{request.remote} {request.method} {_route(request)} {response.status} {time * 1000:.1f}ms")

    return AccessLog

"""The life of an aiohttp server, shared by ``waybill stall serve`` and ``waybill serve-print``: in the
foreground until SIGINT/SIGTERM (the CLI) or on a thread (tests, embedding), a bounded thread pool for the
blocking work, and a graceful stop (stop listening, let the requests in flight finish, then close).

The access log names the matched route, never the path or query string the client sent: a waybill number,
a phone or a token in them stays out of it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from waybill.errors import UsageError, WaybillError

__all__ = ["HttpServer", "access_logger", "route_of"]


class HttpServer:
    """``serve()`` in the foreground, or ``start()``/``stop()`` on a thread; a subclass builds the app."""

    name = "http-server"  # of its threads
    listen_error: type[WaybillError] = UsageError  # raised when the port cannot be had

    def __init__(
        self,
        host: str,
        port: int,
        log: Callable[[str], None],
        *,
        threads: int,
        backlog: int = 1024,
        keepalive_timeout: float = 75.0,
        cleanup_timeout: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self._log = log
        self._threads = threads  # of the pool the blocking work runs on
        self._backlog, self._keepalive, self._cleanup = backlog, keepalive_timeout, cleanup_timeout
        self._address: tuple[str, int] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the port picked when given 0); only once started."""
        if self._address is None:
            raise RuntimeError("the server is not listening")
        return self._address

    # -- what a server adds ---------------------------------------------------------------------------------

    def build_app(self, pool: Executor) -> web.Application:
        """The application of one run, its blocking work on ``pool``."""
        raise NotImplementedError

    async def drain(self, site: web.TCPSite) -> None:
        """Stop taking connections; a server that tracks its requests in flight waits for them here."""
        await site.stop()

    # -- foreground (the CLI) -------------------------------------------------------------------------------

    def serve(self, on_ready: Callable[[tuple[str, int]], None]) -> None:
        """Serve until SIGINT (then raise ``KeyboardInterrupt``, after the graceful stop) or SIGTERM (return)."""
        received: list[int] = []

        async def main() -> None:
            loop = asyncio.get_running_loop()
            stop = asyncio.Event()

            def on_signal(number: int) -> None:
                received.append(number)
                stop.set()

            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, on_signal, number)
            await self._run(stop, on_ready)

        asyncio.run(main())
        if signal.SIGINT in received:
            raise KeyboardInterrupt

    # -- background (tests, embedding) ----------------------------------------------------------------------

    def start(self) -> tuple[str, int]:
        """Listen and serve on a daemon thread; returns the bound address once connections are accepted."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def on_ready(_: tuple[str, int]) -> None:
            ready.set()

        def thread() -> None:
            async def main() -> None:
                self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
                await self._run(self._stop, on_ready)

            try:
                asyncio.run(main())
            except BaseException as error:  # handed to start(); the thread ends either way
                failure.append(error)
                ready.set()

        self._thread = threading.Thread(target=thread, name=self.name, daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self.address

    def stop(self) -> None:
        """Stop gracefully: refuse new connections, finish the requests in flight, then return."""
        if self._thread is None or self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread = None

    # -- the one way both run -------------------------------------------------------------------------------

    async def _run(self, stop: asyncio.Event, on_ready: Callable[[tuple[str, int]], None]) -> None:
        pool = ThreadPoolExecutor(self._threads, thread_name_prefix=f"{self.name}-work")
        runner = web.AppRunner(
            self.build_app(pool),
            handle_signals=False,
            access_log_class=access_logger(self._log),
            keepalive_timeout=self._keepalive,
            shutdown_timeout=self._cleanup,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, backlog=self._backlog)
            try:
                await site.start()
            except OSError as error:
                reason = os.strerror(error.errno) if error.errno else str(error)
                raise self.listen_error(f"cannot listen on {self.host}:{self.port}: {reason}") from error
            host, port = runner.addresses[0][:2]
            self._address = (str(host), int(port))
            on_ready(self._address)
            await stop.wait()
            self._log("stopping: finishing the requests in flight")
            await self.drain(site)
        finally:
            await runner.cleanup()  # stops listening, waits for handlers, closes connections
            pool.shutdown(wait=True)


def route_of(request: web.BaseRequest) -> str:
    """The matched route's path template, else "-": what the client typed may carry personal data."""
    match = getattr(request, "match_info", None)
    resource = match.route.resource if match is not None else None
    return resource.canonical if resource is not None else "-"


def access_logger(log: Callable[[str], None]) -> type[AbstractAccessLogger]:
    class AccessLog(AbstractAccessLogger):
        def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
            size = "-" if response.content_length is None else f"{response.content_length}B"
            log(f"{request.remote} {request.method} {route_of(request)} {response.status} {size} {time * 1000:.1f}ms")

    return AccessLog

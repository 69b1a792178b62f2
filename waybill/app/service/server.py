"""The print service's HTTP server: ``waybill.http_server``'s life (foreground or a thread, a graceful stop)
around the routes of ``api``; on a stop the print components' sockets and the live pages' streams close."""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Executor

from aiohttp import web

from waybill.app.service.api import build_app
from waybill.app.service.core import PrintService
from waybill.errors import UsageError
from waybill.http_server import HttpServer
from waybill.i18n import _
from waybill.net import is_loopback

__all__ = ["MAX_BODY", "ServiceServer", "check_exposure"]

MAX_BODY = 16 << 20  # a job of 10,000 orders is a few MiB of JSON


def check_exposure(host: str, token: str | None) -> None:
    """Refuse (``UsageError``) to take print jobs from other machines without a token."""
    if token is None and not is_loopback(host):
        raise UsageError(
            _("refusing to serve on {host} without --token: anyone could print").format(
                host=host or _("every interface")
            )
        )


class ServiceServer(HttpServer):
    """``serve()`` until SIGINT/SIGTERM, or ``start()``/``stop()`` on a thread."""

    name = "print-service"

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
        say = log or (lambda line: print(line, file=sys.stderr, flush=True))
        super().__init__(host, port, say, threads=4, cleanup_timeout=shutdown_timeout)
        self.service, self.token, self.max_body = service, token, max_body

    def build_app(self, pool: Executor) -> web.Application:
        return build_app(self.service, pool, token=self.token, max_body=self.max_body)

"""``tcp://HOST[:PORT]``: the raw print port (9100, "JetDirect") of a network printer.

The socket is non-blocking; every connect, write and read waits with ``poll`` for at most its timeout,
so one thread may read acknowledgements while another writes labels. The send buffer is kept small
(``SEND_BUFFER``): bytes counted as written are then close to what the printer has taken, and a printer
that stops taking data (paper out, a full receive buffer) is noticed within one write timeout.
"""

from __future__ import annotations

import errno
import socket
import threading
from typing import Any

from printers.errors import TransportError
from printers.transports.readiness import wait_readable, write_all
from waybill.i18n import _

__all__ = ["DEFAULT_PORT", "SEND_BUFFER", "TcpTransport"]

DEFAULT_PORT = 9100
SEND_BUFFER = 64 * 1024
_CHUNK = 64 * 1024
_GONE = (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ENOTCONN, errno.ESHUTDOWN)


class TcpTransport:
    reads_back = True

    def __init__(self, host: str, port: int = DEFAULT_PORT, *, timeout: float = 10.0, uri: str | None = None) -> None:
        self.uri = uri or f"tcp://{host}:{port}"
        self.timeout = timeout
        self._sock = self._connect(host, port, timeout)

    def _connect(self, host: str, port: int, timeout: float) -> socket.socket:
        infos = self._resolve(host, port, timeout)
        failure: BaseException | None = None
        for family, kind, proto, _name, address in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(timeout)
                sock.connect(address)
                sock.setblocking(False)
                return sock
            except OSError as e:
                sock.close()
                failure = e
        if isinstance(failure, TimeoutError):
            raise TransportError(
                _("the printer at {uri} did not answer within {seconds} s").format(uri=self.uri, seconds=f"{timeout:g}")
            ) from failure
        if isinstance(failure, ConnectionRefusedError):
            raise TransportError(
                _("the printer at {uri} refused the connection (is it on, is the port right?)").format(uri=self.uri)
            ) from failure
        reason = failure.strerror if isinstance(failure, OSError) and failure.strerror else str(failure)
        raise TransportError(
            _("cannot reach the printer at {uri}: {reason}").format(uri=self.uri, reason=reason)
        ) from failure

    def _resolve(self, host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
        """The host's addresses. getaddrinfo has no timeout of its own (a dead DNS server blocks for
        minutes), so it runs on a daemon thread that is abandoned when the timeout passes."""
        outcome: list[Any] = []

        def lookup() -> None:
            try:
                outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as error:
                outcome.append(error)

        thread = threading.Thread(target=lookup, name="dns", daemon=True)
        thread.start()
        thread.join(timeout)
        if not outcome:
            raise TransportError(
                _("cannot reach the printer at {uri}: no DNS answer for {host!r} within {seconds} s").format(
                    uri=self.uri, host=host, seconds=f"{timeout:g}"
                )
            )
        if isinstance(outcome[0], OSError):
            raise TransportError(
                _("cannot reach the printer at {uri}: unknown host {host!r}").format(uri=self.uri, host=host)
            ) from outcome[0]
        return list(outcome[0])

    def _closed(self, cause: BaseException | None = None) -> TransportError:
        error = TransportError(_("the printer at {uri} closed the connection").format(uri=self.uri))
        error.__cause__ = cause
        return error

    def write(self, data: bytes) -> None:
        write_all(
            self._fileno(),
            self._sock.send,
            data,
            timeout=self.timeout,
            chunk=_CHUNK,
            who=f"the printer at {self.uri}",
            failed=self._write_failed,
        )

    def _write_failed(self, error: OSError) -> TransportError:
        if error.errno in _GONE:
            return self._closed(error)
        return TransportError(
            _("writing to the printer at {uri} failed: {reason}").format(uri=self.uri, reason=error.strerror or error)
        )

    def read(self, size: int, timeout: float) -> bytes:
        if not wait_readable(self._fileno(), timeout):
            return b""
        try:
            data = self._sock.recv(size)
        except BlockingIOError:
            return b""
        except OSError as e:
            if e.errno in _GONE:
                raise self._closed(e) from e
            raise TransportError(
                _("reading from the printer at {uri} failed: {reason}").format(uri=self.uri, reason=e.strerror or e)
            ) from e
        if not data:
            raise self._closed()
        return data

    def _fileno(self) -> int:
        fd = self._sock.fileno()
        if fd < 0:
            raise TransportError(_("the link to the printer at {uri} is closed").format(uri=self.uri))
        return fd

    def close(self) -> None:
        self._sock.close()

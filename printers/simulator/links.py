"""The simulator's side of the wire: a loopback TCP port (one connection at a time) or a pseudo-terminal.

A ``Link`` is one connection. The reader thread receives from it; replies (status, acknowledgements,
automatic status back) may be sent from any thread, serialised by the link's lock and dropped once the
link is closed. Every wait is bounded so threads notice when the simulator stops.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import struct
import threading
import time
import tty
from collections.abc import Callable

from printers.status import PrinterStatus
from printers.transports.readiness import wait_readable, wait_writable

__all__ = ["RECEIVE_WINDOW", "Link", "PtyPort", "TcpPort"]

# The kernel's receive buffer on the printer's socket: small, like a printer's network module, so the
# TCP window closes soon after the printer's own receive buffer is full (real back-pressure).
RECEIVE_WINDOW = 16 * 1024
_SEND_TIMEOUT = 1.0
_ids = itertools.count(1)


class Link:
    """One connection: receive with a timeout, send replies, close gracefully or abort (TCP RST)."""

    def __init__(self, read_fd: int, write_fd: int, name: str) -> None:
        self.id = next(_ids)
        self.name = name
        # Automatic status back (ESC/POS GS a) on this connection: the report of a status, or None.
        self.reports: Callable[[PrinterStatus], bytes] | None = None
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._lock = threading.Lock()
        self.closed = False

    def readable(self) -> bool:
        """Data (or an end) is waiting right now."""
        return not self.closed and wait_readable(self._read_fd, 0)

    def wait(self, timeout: float) -> bool:
        """True when data (or an end) is waiting within ``timeout`` seconds."""
        return not self.closed and wait_readable(self._read_fd, timeout)

    def recv(self, size: int, timeout: float) -> bytes | None:
        """Up to ``size`` bytes; ``b""`` if none came within ``timeout``; None at the end of the link."""
        if self.closed or not wait_readable(self._read_fd, timeout):
            return None if self.closed else b""
        try:
            data = self._read(size)
        except BlockingIOError:
            return b""
        except OSError:
            return None
        return data or None

    def send(self, data: bytes) -> bool:
        """Send a reply; False if the link is closed or the host did not take it in time."""
        with self._lock:
            view = memoryview(data)
            deadline = time.monotonic() + _SEND_TIMEOUT
            while view and not self.closed:
                if not wait_writable(self._write_fd, max(0.0, deadline - time.monotonic())):
                    return False
                try:
                    view = view[self._write(view) :]
                except BlockingIOError:
                    continue
                except OSError:
                    return False
            return not view

    def close(self, abort: bool = False) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._close(abort)

    # the byte moving, per kind of link
    def _read(self, size: int) -> bytes:
        return os.read(self._read_fd, size)

    def _write(self, data: memoryview) -> int:
        return os.write(self._write_fd, data)

    def _close(self, abort: bool) -> None:
        del abort


class _SocketLink(Link):
    def __init__(self, sock: socket.socket, name: str) -> None:
        sock.setblocking(False)
        self._sock = sock
        super().__init__(sock.fileno(), sock.fileno(), name)

    def _read(self, size: int) -> bytes:
        return self._sock.recv(size)

    def _write(self, data: memoryview) -> int:
        return self._sock.send(data)

    def _close(self, abort: bool) -> None:
        if abort:  # SO_LINGER 0: close() sends RST and throws away what was not read
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._sock.close()


class TcpPort:
    """A listening loopback socket; ``accept`` hands out one connection at a time."""

    def __init__(self, host: str, port: int) -> None:
        self._server = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        try:
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_WINDOW)
            self._server.bind((host, port))
            self._server.listen(1)
        except OSError:
            self._server.close()
            raise
        self._server.setblocking(False)
        self.host, self.port = self._server.getsockname()[:2]
        self.uri = f"tcp://{f'[{self.host}]' if ':' in self.host else self.host}:{self.port}"

    def accept(self, timeout: float) -> Link | None:
        if not wait_readable(self._server.fileno(), timeout):
            return None
        try:
            sock, peer = self._server.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _SocketLink(sock, f"{peer[0]}:{peer[1]}")

    def close(self) -> None:
        self._server.close()


class PtyPort:
    """A pseudo-terminal pair: the host opens ``path`` as a serial port; the simulator owns the master.

    There are no connections on a serial line: ``accept`` hands out the one link once. The slave stays
    open here too, so the line survives the host closing and reopening it.
    """

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # binary: no echo, no CR/LF translation, no flow-control characters
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._link: Link | None = Link(self._master, self._master, self.path)

    def accept(self, timeout: float) -> Link | None:
        link, self._link = self._link, None
        if link is None:
            time.sleep(timeout)
        return link

    def close(self) -> None:
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

"""Waiting, with a time limit, until a file descriptor can be read or written, and the bounded write loop
every descriptor-based transport shares."""

from __future__ import annotations

import select
from collections.abc import Callable

from printers.errors import TransportError, TransportTimeout
from waybill.i18n import _

__all__ = ["wait_readable", "wait_writable", "write_all"]

_ERROR = select.POLLERR | select.POLLHUP | select.POLLNVAL


def _wait(fd: int, events: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(fd, events)
    # A hang-up or error counts as ready: the read or write that follows reports it.
    return bool(poller.poll(max(0, round(timeout * 1000))))


def wait_readable(fd: int, timeout: float) -> bool:
    """True when ``fd`` has data (or an end or error to report) within ``timeout`` seconds."""
    return _wait(fd, select.POLLIN | _ERROR, timeout)


def wait_writable(fd: int, timeout: float) -> bool:
    """True when ``fd`` takes at least one byte (or has an error to report) within ``timeout`` seconds."""
    return _wait(fd, select.POLLOUT | _ERROR, timeout)


def write_all(
    fd: int,
    send: Callable[[memoryview], int],
    data: bytes,
    *,
    timeout: float,
    chunk: int,
    who: str,
    failed: Callable[[OSError], TransportError],
) -> None:
    """``send`` all of ``data`` a chunk at a time; a stall of ``timeout`` seconds is a ``TransportTimeout``
    saying how much went (``who`` names the printer in it), any other OS error is ``failed(error)``."""
    view = memoryview(data)
    written = 0
    while written < len(view):
        if not wait_writable(fd, timeout):
            raise TransportTimeout(
                _("{who} took no data for {seconds} s ({written} of {total} bytes sent)").format(
                    who=who, seconds=f"{timeout:g}", written=written, total=len(view)
                ),
                written,
            )
        try:
            written += send(view[written : written + chunk])
        except BlockingIOError:
            continue
        except OSError as error:
            raise failed(error) from error

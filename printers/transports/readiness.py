"""Waiting, with a time limit, until a file descriptor can be read or written (shared by the transports)."""

from __future__ import annotations

import select

__all__ = ["wait_readable", "wait_writable"]

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

"""Links to printers, chosen by URI: ``tcp://HOST[:PORT]``, ``serial:///dev/ttyUSB0?baudrate=115200``,
``usb://VID:PID``, ``file:///dev/usb/lp0``, ``cups://QUEUE``.

Every transport has the same three methods (``Transport``); protocol code never knows which one it has.
Every connect, write and read is bounded by a timeout, and every failure is a ``TransportError`` whose
message names the URI.
"""

from __future__ import annotations

from typing import Protocol


class Transport(Protocol):
    uri: str

    def write(self, data: bytes) -> None:
        """Send all of ``data``. Raises ``TransportTimeout`` (with ``written``) if the printer takes no
        byte for the write timeout, ``TransportError`` if the link is gone."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes the printer sent; ``b""`` if none came within ``timeout`` seconds (or the
        link cannot read back, like a file or a CUPS queue). ``TransportError`` if the link is gone."""

    def close(self) -> None: ...

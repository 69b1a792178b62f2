"""Links to printers, chosen by URI: ``tcp://HOST[:PORT]``, ``serial:///dev/ttyUSB0?baudrate=115200``,
``usb://VID:PID``, ``file:///dev/usb/lp0``, ``cups://QUEUE``.

Every transport has the same three methods (``Transport``); protocol code never knows which one it has.
Every connect, write and read is bounded by a timeout, and every failure is a ``TransportError`` whose
message names the URI.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from waybill.errors import UsageError
from waybill.i18n import _

__all__ = ["SCHEMES", "Transport", "open_transport"]

SCHEMES = ("tcp", "serial", "usb", "file", "cups")


class Transport(Protocol):
    uri: str

    def write(self, data: bytes) -> None:
        """Send all of ``data``. Raises ``TransportTimeout`` (with ``written``) if the printer takes no
        byte for the write timeout, ``TransportError`` if the link is gone."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes the printer sent; ``b""`` if none came within ``timeout`` seconds (or the
        link cannot read back, like a file or a CUPS queue). ``TransportError`` if the link is gone."""

    def close(self) -> None: ...


def open_transport(uri: str, *, timeout: float = 10.0) -> Transport:
    """The link that ``uri`` names, connected (or opened); ``timeout`` (seconds) bounds the connect and
    every write. A malformed URI is a ``UsageError``; a printer that cannot be reached, a ``TransportError``;
    both name the URI. Transports also say whether anything can come back (``reads_back``)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        from printers.transports.tcp import DEFAULT_PORT, TcpTransport

        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise UsageError(_("{uri}: the port must be a number from 1 to 65535").format(uri=uri)) from None
        if not parts.hostname or parts.path not in ("", "/") or parts.query:
            raise UsageError(
                _("{uri}: a network printer is tcp://HOST[:PORT], like tcp://192.168.1.50:9100").format(uri=uri)
            )
        return TcpTransport(parts.hostname, port, timeout=timeout, uri=uri)
    if scheme == "serial":
        from printers.transports.serial_port import SerialTransport, serial_settings

        device = unquote(parts.netloc + parts.path)
        if not device:
            raise UsageError(_("{uri}: a serial printer is serial:///dev/ttyUSB0?baudrate=115200").format(uri=uri))
        settings = serial_settings(uri, dict(parse_qsl(parts.query, keep_blank_values=True)))
        return SerialTransport(device, settings, timeout=timeout, uri=uri)
    if scheme == "usb":
        from printers.transports.usb_device import UsbTransport, parse_ids

        vendor, product = parse_ids(uri, parts.netloc)
        return UsbTransport(vendor, product, timeout=timeout, uri=uri)
    if scheme == "file":
        from printers.transports.file import FileTransport

        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise UsageError(
                _("{uri}: a file or device is file:///ABSOLUTE/PATH, like file:///dev/usb/lp0").format(uri=uri)
            )
        return FileTransport(unquote(parts.path), timeout=timeout, uri=uri)
    if scheme == "cups":
        from printers.transports.cups import CupsTransport

        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue or queue.startswith("-") or any(c.isspace() or c == "/" for c in queue):
            raise UsageError(_("{uri}: a CUPS queue is cups://QUEUE, like cups://XP-420B").format(uri=uri))
        return CupsTransport(queue, timeout=timeout, uri=uri)
    raise UsageError(
        _("{uri}: unknown printer link {link!r}; use {known}").format(
            uri=uri, link=parts.scheme + "://" if parts.scheme else "", known=", ".join(s + "://" for s in SCHEMES)
        )
    )

"""``serial:///dev/ttyUSB0?baudrate=115200``: a printer on a serial port (or USB-serial adapter), via pyserial.

pyserial opens and configures the port (speed, framing, flow control). Writes and reads then go straight
to its non-blocking file descriptor, each bounded by ``poll``: a write that stalls raises
``TransportTimeout`` with the exact number of bytes the port took.

Query parameters: ``baudrate`` (default 9600), ``bytesize`` (5–8), ``parity`` (N, E, O, M, S),
``stopbits`` (1, 1.5, 2), ``rtscts``, ``xonxoff``, ``dsrdtr`` (0/1, true/false).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from typing import Any

import serial

from printers.errors import TransportError
from printers.transports.readiness import wait_readable, write_all
from waybill.errors import UsageError
from waybill.i18n import _

__all__ = ["SerialTransport", "serial_settings"]

_CHUNK = 4096
_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_PARITIES = {
    "N": serial.PARITY_NONE,
    "E": serial.PARITY_EVEN,
    "O": serial.PARITY_ODD,
    "M": serial.PARITY_MARK,
    "S": serial.PARITY_SPACE,
}
_STOPBITS = {"1": serial.STOPBITS_ONE, "1.5": serial.STOPBITS_ONE_POINT_FIVE, "2": serial.STOPBITS_TWO}


def serial_settings(uri: str, query: Mapping[str, str]) -> dict[str, Any]:
    """pyserial keyword arguments from the URI's query; ``UsageError`` naming the URI for a bad one."""
    settings: dict[str, Any] = {"baudrate": 9600}
    for key, value in query.items():
        try:
            if key == "baudrate":
                settings[key] = int(value)
                if settings[key] <= 0:
                    raise ValueError
            elif key == "bytesize":
                settings[key] = int(value)
                if settings[key] not in (5, 6, 7, 8):
                    raise ValueError
            elif key == "parity":
                settings[key] = _PARITIES[value.upper()[:1]]
            elif key == "stopbits":
                settings[key] = _STOPBITS[value]
            elif key in ("rtscts", "xonxoff", "dsrdtr"):
                settings[key] = _BOOLS[value.lower()]
            else:
                raise UsageError(
                    _(
                        "{uri}: unknown setting {key!r} (known: baudrate, bytesize, parity, stopbits, rtscts, "
                        "xonxoff, dsrdtr)"
                    ).format(uri=uri, key=key)
                )
        except (ValueError, KeyError):
            raise UsageError(
                _("{uri}: {key}={value!r} is not a valid value").format(uri=uri, key=key, value=value)
            ) from None
    return settings


class SerialTransport:
    reads_back = True

    def __init__(self, port: str, settings: Mapping[str, Any], *, timeout: float = 10.0, uri: str) -> None:
        self.uri = uri
        self.timeout = timeout
        try:
            self._port = serial.Serial(port, timeout=0, write_timeout=0, exclusive=True, **settings)
        except (serial.SerialException, OSError, ValueError) as e:
            raise TransportError(_("cannot open the serial printer {uri}: {reason}").format(uri=uri, reason=e)) from e
        self._fd: int = self._port.fileno()

    def _fileno(self) -> int:
        if self._fd < 0:
            raise TransportError(_("the link to the serial printer {uri} is closed").format(uri=self.uri))
        return self._fd

    def _lost(self, error: OSError) -> TransportError:
        if error.errno in (errno.EIO, errno.ENXIO, errno.ENODEV, errno.EBADF):
            return self._gone()
        return TransportError(
            _("the serial link to {uri} failed: {reason}").format(uri=self.uri, reason=error.strerror or error)
        )

    def _gone(self) -> TransportError:
        return TransportError(_("the serial printer {uri} is gone (unplugged or closed)").format(uri=self.uri))

    def write(self, data: bytes) -> None:
        write_all(
            self._fileno(),
            lambda chunk: os.write(self._fd, chunk),
            data,
            timeout=self.timeout,
            chunk=_CHUNK,
            who=_("the serial printer {uri}").format(uri=self.uri),
            failed=self._lost,
        )

    def read(self, size: int, timeout: float) -> bytes:
        if not wait_readable(self._fileno(), timeout):
            return b""
        try:
            data = os.read(self._fd, size)
        except BlockingIOError:
            return b""
        except OSError as e:
            raise self._lost(e) from e
        if not data:
            raise self._gone()
        return data

    def close(self) -> None:
        self._fd = -1
        self._port.close()

"""``file:///path``: a printer device node (``/dev/usb/lp0``, ``/dev/lp0``) or any file, written as is.

The file is opened non-blocking and every write waits with ``poll`` for at most the write timeout, so a
printer that stops taking data raises ``TransportTimeout`` instead of hanging. A character device is
opened for reading too (bidirectional printers answer status through it); a regular file is appended
to, created if missing, except under ``/dev`` (a printer that is not plugged in is an error, not a new
file). Nothing comes back from a regular file: ``read`` waits out its timeout and returns ``b""``.
"""

from __future__ import annotations

import errno
import os
import stat
import time

from printers.errors import TransportError
from printers.transports.readiness import wait_readable, write_all
from waybill.i18n import _

__all__ = ["FileTransport"]

_CHUNK = 64 * 1024


def _is_char_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


class FileTransport:
    def __init__(self, path: str, *, timeout: float = 10.0, uri: str | None = None) -> None:
        self.uri = uri or f"file://{path}"
        self.path = path
        self.timeout = timeout
        self.reads_back = _is_char_device(path)
        flags = os.O_NONBLOCK | os.O_NOCTTY
        if self.reads_back:
            flags |= os.O_RDWR
        else:
            flags |= os.O_WRONLY | os.O_APPEND
            if not os.path.abspath(path).startswith("/dev/"):
                flags |= os.O_CREAT
        try:
            self._fd = os.open(path, flags, 0o644)
        except OSError as e:
            if self.reads_back and e.errno in (errno.EACCES, errno.EINVAL, errno.EROFS):
                self.reads_back = False  # write-only device: fine, nothing will come back
                try:
                    self._fd = os.open(path, flags & ~os.O_RDWR | os.O_WRONLY)
                    return
                except OSError as e2:
                    e = e2
            raise TransportError(
                _("cannot open the printer {uri}: {reason}").format(uri=self.uri, reason=e.strerror or e)
            ) from e

    def _fileno(self) -> int:
        if self._fd < 0:
            raise TransportError(_("the link to the printer {uri} is closed").format(uri=self.uri))
        return self._fd

    def write(self, data: bytes) -> None:
        write_all(
            self._fileno(),
            lambda chunk: os.write(self._fd, chunk),
            data,
            timeout=self.timeout,
            chunk=_CHUNK,
            who=f"the printer {self.uri}",
            failed=self._write_failed,
        )

    def _write_failed(self, error: OSError) -> TransportError:
        if error.errno in (errno.ENODEV, errno.EIO, errno.ENXIO):
            return TransportError(_("the printer {uri} is gone (unplugged or switched off)").format(uri=self.uri))
        return TransportError(
            _("writing to the printer {uri} failed: {reason}").format(uri=self.uri, reason=error.strerror or error)
        )

    def read(self, size: int, timeout: float) -> bytes:
        fd = self._fileno()
        if not self.reads_back:
            time.sleep(timeout)  # a plain file answers nothing
            return b""
        if not wait_readable(fd, timeout):
            return b""
        try:
            return os.read(fd, size)
        except BlockingIOError:
            return b""
        except OSError as e:
            raise TransportError(
                _("reading from the printer {uri} failed: {reason}").format(uri=self.uri, reason=e.strerror or e)
            ) from e

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

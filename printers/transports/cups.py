"""``cups://QUEUE``: a raw job through the CUPS ``lp`` command (``lp -d QUEUE -o raw``).

The bytes stream into ``lp``'s standard input (non-blocking, each write bounded by the timeout); the job
is submitted when the transport is closed, so ``close`` may raise ``TransportError`` (lp refused the
job, or did not finish within the timeout): a print session must call it and treat that as "not
printed". Nothing comes back through CUPS: ``read`` waits out its timeout and returns ``b""``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

from printers.errors import TransportError
from printers.transports.readiness import write_all
from waybill.i18n import _

__all__ = ["CupsTransport"]

_CHUNK = 64 * 1024


class CupsTransport:
    reads_back = False

    def __init__(self, queue: str, *, timeout: float = 10.0, uri: str | None = None, title: str = "waybill") -> None:
        self.uri = uri or f"cups://{queue}"
        self.queue = queue
        self.timeout = timeout
        command = ["lp", "-d", queue, "-o", "raw", "-t", title]
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except FileNotFoundError as e:
            raise TransportError(
                _("cannot print to {uri}: the lp command was not found (install the CUPS client)").format(uri=self.uri)
            ) from e
        except OSError as e:
            raise TransportError(
                _("cannot print to {uri}: lp did not start: {reason}").format(uri=self.uri, reason=e.strerror or e)
            ) from e
        assert self._process.stdin is not None
        self._stdin = self._process.stdin
        os.set_blocking(self._stdin.fileno(), False)

    def _finish(self) -> str | None:
        """Wait (at most the timeout) for lp to end: None when it accepted the job, else what went wrong."""
        process = self._process
        assert process is not None
        self._process = None
        process.stdin = None  # closed already; communicate() must not touch it
        try:
            err = process.communicate(timeout=self.timeout)[1]
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return _("lp did not finish submitting the job to {uri} within {seconds} s").format(
                uri=self.uri, seconds=f"{self.timeout:g}"
            )
        if process.returncode == 0:
            return None
        said = err.decode(errors="replace").strip().replace("\n", "; ")
        said = said or _("exit status {status}").format(status=process.returncode)
        return _("lp refused the job for {uri}: {reason}").format(uri=self.uri, reason=said)

    def write(self, data: bytes) -> None:
        if self._process is None:
            raise TransportError(_("the job for {uri} is already closed").format(uri=self.uri))
        fd = self._stdin.fileno()
        write_all(
            fd,
            lambda chunk: os.write(fd, chunk),
            data,
            timeout=self.timeout,
            chunk=_CHUNK,
            who=_("lp (for {uri})").format(uri=self.uri),
            failed=self._lp_failed,
        )

    def _lp_failed(self, error: OSError) -> TransportError:
        if isinstance(error, BrokenPipeError):
            self._close_stdin()
            return TransportError(self._finish() or _("lp stopped reading the job for {uri}").format(uri=self.uri))
        return TransportError(
            _("writing the job for {uri} to lp failed: {reason}").format(uri=self.uri, reason=error.strerror or error)
        )

    def read(self, size: int, timeout: float) -> bytes:
        del size
        time.sleep(timeout)  # a CUPS queue answers nothing
        return b""

    def _close_stdin(self) -> None:
        with contextlib.suppress(BrokenPipeError):  # lp has gone: _finish says why
            self._stdin.close()

    def close(self) -> None:
        """Submit the job: end lp's input and wait (at most the timeout) for it to accept the job."""
        if self._process is None:
            return
        self._close_stdin()
        problem = self._finish()
        if problem:
            raise TransportError(problem)

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
                f"cannot print to {self.uri}: the lp command was not found (install the CUPS client)"
            ) from e
        except OSError as e:
            raise TransportError(f"cannot print to {self.uri}: lp did not start: {e.strerror or e}") from e
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
            _, err = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return f"lp did not finish submitting the job to {self.uri} within {self.timeout:g} s"
        if process.returncode == 0:
            return None
        said = err.decode(errors="replace").strip().replace("\n", "; ")
        return f"lp refused the job for {self.uri}: {said or f'exit status {process.returncode}'}"

    def write(self, data: bytes) -> None:
        if self._process is None:
            raise TransportError(f"the job for {self.uri} is already closed")
        fd = self._stdin.fileno()
        write_all(
            fd,
            lambda chunk: os.write(fd, chunk),
            data,
            timeout=self.timeout,
            chunk=_CHUNK,
            who=f"lp (for {self.uri})",
            failed=self._lp_failed,
        )

    def _lp_failed(self, error: OSError) -> TransportError:
        if isinstance(error, BrokenPipeError):
            self._close_stdin()
            return TransportError(self._finish() or f"lp stopped reading the job for {self.uri}")
        return TransportError(f"writing the job for {self.uri} to lp failed: {error.strerror or error}")

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

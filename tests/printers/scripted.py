"""An in-memory printer at the outermost edge of the batch tests: it decodes what it is sent with the real
decoder, answers status queries and acknowledgements with the real status encoders, and plays faults."""

from __future__ import annotations

import dataclasses
import queue
import threading

from printers.decode import Command, Decoder
from printers.errors import TransportError, TransportTimeout
from printers.profiles import PrinterProfile
from printers.status import PrinterStatus, ack_reply, asb_report, escpos_reply, tspl_status_byte


class ScriptedPrinter:
    """A Transport. ``paper_out_after=N``: after N labels the paper ends and writes stall until ``reload()``.
    ``drop_after=N``: after N labels the link drops. ``silent``: never answers anything (a file, say)."""

    def __init__(
        self,
        profile: PrinterProfile,
        *,
        paper_out_after: int | None = None,
        drop_after: int | None = None,
        silent: bool = False,
    ) -> None:
        self.uri = f"scripted://{profile.name}"
        self.profile = profile
        self.status = PrinterStatus()
        self.labels = 0
        self.written = bytearray()
        self.paper_out_after = paper_out_after
        self.drop_after = drop_after
        self.silent = silent
        self.asb = False
        self.closed = False
        self._replies: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._decoder = Decoder(profile.language, profile, on_command=self._command)

    def _reply(self, data: bytes) -> None:
        if not self.silent:
            self._replies.put(data)

    def _command(self, command: Command) -> None:
        if command.name == "DLE EOT":
            self._reply(bytes((escpos_reply(self.status, command.raw[2]),)))
        elif command.name == "ESC ! ?":
            self._reply(bytes((tspl_status_byte(self.status),)))
        elif command.name == "GS a":
            self.asb = True
            self._reply(asb_report(self.status))
        elif command.name == "GS ( H":
            self._reply(ack_reply(command.raw[7:11]))

    def _set(self, status: PrinterStatus) -> None:
        self.status = status
        if self.asb:
            self._reply(asb_report(status))

    def write(self, data: bytes) -> None:
        with self._lock:
            if self.closed or (self.drop_after is not None and self.labels >= self.drop_after):
                self.closed = True
                raise TransportError(f"printer at {self.uri} closed the connection")
            if self.status.paper_end:
                raise TransportTimeout(f"printer at {self.uri} took no data", written=0)
            self.written += data
            self.labels += len(self._decoder.feed(data))
            if self.paper_out_after is not None and self.labels >= self.paper_out_after and self.labels:
                self.paper_out_after = None
                self._set(dataclasses.replace(self.status, paper_end=True, online=False))

    def reload(self) -> None:
        """The packer puts in a new roll."""
        self._set(dataclasses.replace(self.status, paper_end=False, online=True))

    def read(self, size: int, timeout: float) -> bytes:
        if self.closed:
            raise TransportError(f"printer at {self.uri} closed the connection")
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return b""

    def close(self) -> None:
        self.closed = True

"""``memory://``: an in-memory printer, for tests of code that prints (as httpx ships ``MockTransport``).

It is a ``Transport``: it decodes what it is written with the real decoder of the profile's language,
answers status queries and acknowledgements with the real status encoders (through the language's driver,
as the printer simulator does), and plays faults, without a socket or a thread::

    printer = MemoryPrinter(get_profile("tspl-203"), paper_out_after=3)
    with PrinterSession(printer, printer.profile) as session:
        ...
    printer.labels, printer.written
"""

from __future__ import annotations

import dataclasses
import queue
import threading

from printers.decode import Command, Decoder
from printers.errors import TransportError, TransportTimeout
from printers.languages import driver_for
from printers.languages.base import AckWhenPrinted, StatusBack
from printers.profiles import PrinterProfile
from printers.simulator.realtime import RealtimeScanner
from printers.status import PrinterStatus

__all__ = ["MemoryPrinter"]


class MemoryPrinter:
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
        self.uri = f"memory://{profile.name}"
        self.profile = profile
        self.driver = driver_for(profile.language)
        self.status = PrinterStatus()
        self.labels = 0  # labels decoded so far
        self.written = bytearray()  # every byte the host wrote
        self.paper_out_after = paper_out_after
        self.drop_after = drop_after
        self.silent = silent
        self.status_back = False
        self.closed = False
        self._replies: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._scanner = RealtimeScanner(profile.language)
        self._decoder = Decoder(profile.language, profile, on_command=self._command)

    def _reply(self, data: bytes) -> None:
        if not self.silent:
            self._replies.put(data)

    def _command(self, command: Command) -> None:
        action = self.driver.sim_action(command, self.profile)
        if isinstance(action, AckWhenPrinted):  # printed the moment it is decoded
            self._reply(action.reply)
        elif isinstance(action, StatusBack):
            self.status_back = action.enabled
            if action.enabled:
                self._reply(self.driver.status_report(self.status))

    def _set(self, status: PrinterStatus) -> None:
        self.status = status
        if self.status_back:
            self._reply(self.driver.status_report(status))

    def write(self, data: bytes) -> None:
        with self._lock:
            if self.closed or (self.drop_after is not None and self.labels >= self.drop_after):
                self.closed = True
                raise TransportError(f"printer at {self.uri} closed the connection")
            if self.status.paper_end:
                raise TransportTimeout(f"printer at {self.uri} took no data", written=0)
            self.written += data
            for query, _ in self._scanner.feed(data):
                self._reply(self.driver.answer(query, self.status))
            self.labels += len(self._decoder.feed(data))
            if self.paper_out_after is not None and self.labels >= self.paper_out_after and self.labels:
                self.paper_out_after = None
                offline = self.driver.paper_out_offline
                self._set(dataclasses.replace(self.status, paper_end=True, online=not offline))

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

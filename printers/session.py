"""One open link to a printer: label bytes go out on the caller's thread, and a reader thread takes in
what the printer sends back (status replies, automatic status reports, "printed" acknowledgements)."""

from __future__ import annotations

import queue
import threading
import time
from types import TracebackType

from printers.errors import TransportError
from printers.languages import driver_for
from printers.profiles import PrinterProfile
from printers.status import Ack, PrinterStatus, StatusReply
from printers.transports import Transport
from waybill.i18n import _

__all__ = [
    "HANDSHAKE_GRACE_S",
    "READ_POLL_S",
    "PrinterSession",
]

READ_POLL_S = 0.1
HANDSHAKE_GRACE_S = 0.15


class PrinterSession:
    def __init__(self, transport: Transport, profile: PrinterProfile) -> None:
        self.transport = transport
        self.profile = profile
        self.driver = driver_for(profile.language)
        self._parser = self.driver.response_parser()
        self._lock = threading.Condition()
        self._status: PrinterStatus | None = None  # None until the printer has said anything
        self._replies = 0  # answers to our queries
        self._updates = 0  # answers and unasked-for reports
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._link_error: TransportError | None = None
        self._heard = bytearray()  # the first bytes the other end sent, to show when it is not a printer
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="printer-reader", daemon=True)

    @property
    def uri(self) -> str:
        return self.transport.uri

    def start(self) -> None:
        """Open the conversation and make sure whatever answers is a printer of this language."""
        if self._reader.is_alive():
            return
        self._reader.start()
        try:
            # The status-back command makes the printer report paper out and cover open by itself.
            opening = self.driver.opening(self.profile) + self.driver.status_back(self.profile)
            if opening:
                self.write(opening)
            if self.profile.answers_status and getattr(self.transport, "reads_back", True):
                self._handshake()
        except BaseException:
            self.close()
            raise

    def _handshake(self) -> None:
        """A wrong port or address often reaches something else (a web server, a proxy): its answer to a
        status query is not a status byte. Stop there, before a label is sent into it."""
        self.query_status()
        time.sleep(HANDSHAKE_GRACE_S)  # anything more than the reply comes now
        with self._lock:
            surplus, heard = bytes(self._parser.surplus), bytes(self._heard)
        if surplus:
            raise TransportError(
                _("{uri} does not answer like a {driver} printer: it sent {heard!r}").format(
                    uri=self.uri, driver=self.driver.title, heard=heard[:40]
                )
            )

    def write(self, data: bytes) -> None:
        self.raise_if_link_down()
        self.transport.write(data)

    def raise_if_link_down(self) -> None:
        if self._link_error is not None:
            raise self._link_error

    @property
    def status(self) -> PrinterStatus | None:
        """The latest status the printer sent (a reply or an automatic report)."""
        with self._lock:
            return self._status

    def query_status(self, timeout: float = 2.0) -> PrinterStatus | None:
        """Ask the printer for its status now; None if it does not answer within ``timeout``."""
        if not self.profile.answers_status:
            return None
        queries, request = self.driver.status_request()
        with self._lock:
            wanted = self._replies + len(queries)
            for n in queries:
                self._parser.expect(n)
        self.write(request)
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._replies < wanted:
                left = deadline - time.monotonic()
                if left <= 0 or self._link_error is not None:
                    return None
                self._lock.wait(left)
            return self._status

    def wait_for_status_change(self, timeout: float) -> PrinterStatus | None:
        """Block until the printer reports something new, or ``timeout``; the status then."""
        with self._lock:
            seen = self._updates
            self._lock.wait_for(lambda: self._updates != seen or self._link_error is not None, timeout)
            return self._status

    def acknowledged(self, timeout: float = 0.0) -> list[int]:
        """Tokens of the "printed" acknowledgements that came in (waiting up to ``timeout`` for the first)."""
        tokens: list[int] = []
        try:
            tokens.append(self._acks.get(timeout=timeout) if timeout > 0 else self._acks.get_nowait())
            while True:
                tokens.append(self._acks.get_nowait())
        except queue.Empty:
            return tokens

    def _read_loop(self) -> None:
        while not self._closing.is_set():
            try:
                data = self.transport.read(4096, READ_POLL_S)
            except TransportError as error:
                with self._lock:
                    self._link_error = error if not self._closing.is_set() else None
                    self._lock.notify_all()
                return
            if data:
                self._take(data)

    def _take(self, data: bytes) -> None:
        with self._lock:
            self._heard += data[: max(0, 64 - len(self._heard))]
            for response in self._parser.feed(data):
                if isinstance(response, Ack):
                    self._acks.put(response.token)
                else:
                    self._status = response.status
                    self._updates += 1
                    self._replies += isinstance(response, StatusReply)
            self._lock.notify_all()

    def close(self) -> None:
        """Stop reading and close the link (once; closing again does nothing)."""
        if self._closing.is_set():
            return
        self._closing.set()
        if self._reader.is_alive():
            self._reader.join(timeout=2 * READ_POLL_S + 1)
        self.transport.close()

    def __enter__(self) -> PrinterSession:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

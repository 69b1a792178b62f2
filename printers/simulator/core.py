"""``PrinterSimulator``: a virtual ESC/POS, TSPL or ZPL printer on a loopback TCP port or a pseudo-terminal.

Two threads: the reader takes bytes off the link into a finite receive buffer, only while the buffer
has room, and answers status queries as they arrive; the print engine (``printers.simulator.engine``)
prints from the buffer at the head's speed. ``with PrinterSimulator(...) as sim:`` starts both and, on
leaving, stops them, closes every link and the port: nothing is left listening.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from printers.decode import DecodedLabel
from printers.languages import driver_for
from printers.profiles import Language, PrinterProfile, get_profile
from printers.simulator.engine import Faults, PrintEngine
from printers.simulator.links import Link, PtyPort, TcpPort
from printers.simulator.realtime import RealtimeScanner
from printers.simulator.state import PrintedLabel, Segment, Shared, SimEvent
from printers.status import PrinterStatus

__all__ = ["PrinterSimulator"]

_POLL = 0.05  # how often a waiting thread looks whether the simulator stops
_READ = 64 * 1024


class PrinterSimulator:
    """A virtual printer. ``uri`` is where the host prints to; ``labels``/``printed`` what came out."""

    def __init__(
        self,
        language: Language = "escpos",
        profile: PrinterProfile | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        speed_mm_s: float | None = None,
        buffer_bytes: int | None = None,
        paper_out_after: int | None = None,
        paper_out_seconds: float = 3.0,
        drop_after: int | None = None,
        save_dir: Path | str | None = None,
        serial: bool = False,
        baud: int | None = None,
        keep_images: bool = True,
        on_event: Callable[[SimEvent], None] | None = None,
    ) -> None:
        self.driver = driver_for(language)
        self.profile = profile or get_profile(self.driver.default_profile)
        if self.profile.language != language:
            raise ValueError(f"profile {self.profile.name!r} speaks {self.profile.language}, not {language}")
        self.language: Language = language
        self.speed_mm_s = speed_mm_s or self.profile.head_speed_mm_s
        capacity = buffer_bytes or self.driver.sim_buffer_bytes
        for name, value in (("speed_mm_s", self.speed_mm_s), ("buffer_bytes", capacity), ("baud", baud or 1)):
            if value <= 0:
                raise ValueError(f"{name} must be above 0")
        if serial and drop_after is not None:
            raise ValueError("drop_after needs a TCP connection to drop; a serial line has none")
        self.save_dir = Path(save_dir) if save_dir is not None else None
        if self.save_dir is not None:
            self.save_dir.mkdir(parents=True, exist_ok=True)
        self.baud = baud
        self._shared = Shared(capacity=capacity, status=PrinterStatus(), on_event=on_event)
        faults = Faults(paper_out_after, paper_out_seconds, drop_after)
        self._engine = PrintEngine(self._shared, self.profile, self.speed_mm_s, faults, self.save_dir, keep_images)
        self._port: TcpPort | PtyPort = PtyPort() if serial else TcpPort(host, port)
        if isinstance(self._port, PtyPort):
            self.uri = f"serial://{self._port.path}?baudrate={baud or 115200}"
        else:
            self.uri = self._port.uri
        self._threads = [
            threading.Thread(target=self._guarded, args=(self._serve,), name="printer-sim-link", daemon=True),
            threading.Thread(target=self._guarded, args=(self._engine.run,), name="printer-sim-engine", daemon=True),
        ]
        self.errors: list[BaseException] = []  # what crashed a thread (stop() raises the first)
        self._started = False

    # ── life ─────────────────────────────────────────────────────────────────────────────────────
    def start(self) -> PrinterSimulator:
        if not self._started:
            self._started = True
            with self._shared.cv:
                self._shared.log("listening", self.uri)
            for thread in self._threads:
                thread.start()
        return self

    def _guarded(self, target: Callable[[], None]) -> None:
        """A thread's body: a crash stops the whole simulator (and ``stop`` reports it) instead of hanging."""
        try:
            target()
        except BaseException as error:
            with self._shared.cv:
                self.errors.append(error)
                self._shared.log("error", f"{type(error).__name__}: {error}")
                self._shared.stopping = True
                self._shared.cv.notify_all()

    def stop(self) -> None:
        """Stop both threads, close every link and the port. Labels not yet printed are not printed.
        Raises ``RuntimeError`` if a thread of the simulator crashed."""
        with self._shared.cv:
            self._shared.stopping = True
            self._shared.cv.notify_all()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        with self._shared.cv:
            for link in self._shared.links:
                link.close()
            self._shared.links.clear()
        self._port.close()
        if self.errors:
            raise RuntimeError(f"the printer simulator failed: {self.errors[0]!r}") from self.errors[0]

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # ── what tests look at ───────────────────────────────────────────────────────────────────────
    @property
    def status(self) -> PrinterStatus:
        with self._shared.cv:
            return self._shared.status

    @property
    def printed(self) -> list[PrintedLabel]:
        with self._shared.cv:
            return list(self._shared.printed)

    @property
    def labels(self) -> list[DecodedLabel]:
        """The labels printed, as decoded (index = the label's number); ``crop_label`` cuts them out."""
        return [p.label for p in self.printed if p.label is not None]

    @property
    def events(self) -> list[SimEvent]:
        with self._shared.cv:
            return list(self._shared.events)

    @property
    def received_bytes(self) -> int:
        with self._shared.cv:
            return self._shared.received

    def head_seconds(self, label: DecodedLabel) -> float:
        return self._engine.head_seconds(label)

    def wait_printed(self, count: int, timeout: float) -> bool:
        """True once ``count`` labels have printed in all; False if ``timeout`` seconds pass first."""
        with self._shared.cv:
            return self._shared.cv.wait_for(lambda: len(self._shared.printed) >= count, timeout)

    def wait_event(self, kind: str, timeout: float) -> bool:
        """True once an event of ``kind`` (``paper-back``, ``drop`` …) has happened; False after ``timeout`` s."""
        with self._shared.cv:
            return self._shared.cv.wait_for(lambda: any(e.kind == kind for e in self._shared.events), timeout)

    def wait_idle(self, timeout: float) -> bool:
        """True once everything received has been printed (or answered) and nothing more is waiting to be
        read; False if ``timeout`` seconds pass first."""
        shared = self._shared

        def idle() -> bool:
            link = shared.active
            return not (
                shared.buffer
                or shared.reading
                or shared.working
                or self._engine.busy
                or (link is not None and link.readable())
            )

        deadline = time.monotonic() + timeout
        with shared.cv:
            while not idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                shared.cv.wait(min(left, _POLL))  # link.readable() changes without a notify
            return True

    # ── the reader thread ────────────────────────────────────────────────────────────────────────
    def _serve(self) -> None:
        while not self._shared.stopping:
            link = self._port.accept(_POLL)
            if link is not None:
                self._read_link(link)

    def _read_link(self, link: Link) -> None:
        shared = self._shared
        scanner = RealtimeScanner(self.language)
        with shared.cv:
            shared.active = link
            shared.links.append(link)
            shared.log("connect", link.name)
        throttle = _Throttle(self.baud)
        how = "disconnect"
        try:
            while True:
                with shared.cv:
                    shared.cv.wait_for(
                        lambda: shared.stopping or shared.drop is link or shared.buffered < shared.capacity, _POLL
                    )
                    if shared.stopping:
                        how = "stop"
                        return
                    if shared.drop is link:
                        shared.drop = None
                        how = "drop"
                        link.close(abort=True)
                        return
                    room = shared.capacity - shared.buffered
                if room <= 0 or not link.wait(_POLL):  # wait for data without holding the lock
                    continue
                with shared.cv:
                    shared.reading = True  # from here until the bytes are in the buffer (see wait_idle)
                data = link.recv(throttle.allow(min(room, _READ)), 0)
                if data is None:
                    return
                self._received(link, scanner, data)
                throttle.took(len(data))
        finally:
            with shared.cv:
                shared.reading = False
                if shared.active is link:
                    shared.active = None
                shared.buffer.append(Segment(link, b"", end=True))
                shared.log(how, link.name)
                shared.cv.notify_all()

    def _received(self, link: Link, scanner: RealtimeScanner, data: bytes) -> None:
        shared = self._shared
        with shared.cv:
            shared.reading = False
            shared.received += len(data)
            before = shared.buffered
            if data:
                shared.buffer.append(Segment(link, data))
                shared.buffered += len(data)
            if self.profile.answers_status:
                for query, end in scanner.feed(data):
                    status = self._status_for_query(before + max(0, end - self.driver.query_bytes))
                    if link.send(self.driver.answer(query, status)):
                        shared.log("query", f"{self.driver.query_name(query)}: {status.describe()}")
            shared.cv.notify_all()

    def _status_for_query(self, bytes_ahead: int) -> PrinterStatus:
        """The status a query sees (caller holds the lock). A TSPL or ZPL printer that still has work ahead
        of the query (bytes not yet processed, a label waiting for the head) says "printing" even between
        two labels, so a host that waits for "not printing" knows everything it sent has printed."""
        shared = self._shared
        status = shared.status
        work_ahead = bytes_ahead > 0 or shared.working or self._engine.busy
        if self.driver.busy_in_status and status.ready and not status.printing and work_ahead:
            status = dataclasses.replace(status, printing=True)
        return status


class _Throttle:
    """A serial line's speed: ``baud`` / 10 bytes a second (8 data bits, start and stop); None = unthrottled."""

    def __init__(self, baud: int | None) -> None:
        self._rate = baud / 10 if baud else None
        self._next = time.monotonic()

    def allow(self, size: int) -> int:
        if self._rate is None:
            return size
        return max(1, min(size, int(self._rate * _POLL)))

    def took(self, size: int) -> None:
        if self._rate is None:
            return
        now = time.monotonic()
        self._next = max(self._next, now) + size / self._rate
        if self._next > now:
            time.sleep(self._next - now)

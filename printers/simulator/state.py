"""What the simulator's threads share, under one condition variable: the receive buffer, the status,
the labels printed and a log of events."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from printers.decode import DecodedLabel
from printers.simulator.links import Link
from printers.status import PrinterStatus

__all__ = ["PrintedLabel", "Segment", "Shared", "SimEvent"]


@dataclass(frozen=True)
class SimEvent:
    """Something the simulated printer did: ``at`` is ``time.monotonic()``."""

    at: float
    kind: str  # listening connect disconnect drop query ack asb label paper-out paper-back not-understood
    detail: str = ""


@dataclass(frozen=True)
class PrintedLabel:
    """A label that came out of the simulated printer.

    ``number`` counts across the simulator's life (``label-0001.png`` …); ``label`` is the decoded label
    with that number as its index (None when images are not kept); ``started``/``finished`` are
    ``time.monotonic()`` values of the head time; ``connection`` is the link's id.
    """

    number: int
    label: DecodedLabel | None
    size: tuple[int, int]
    copies: int
    connection: int
    started: float
    finished: float
    path: Path | None = None


@dataclass(frozen=True)
class Segment:
    """Received bytes of one link, in order; ``end`` marks the end of the link's data."""

    link: Link
    data: bytes
    end: bool = False


@dataclass
class Shared:
    capacity: int
    status: PrinterStatus
    on_event: Callable[[SimEvent], None] | None = None
    cv: threading.Condition = field(default_factory=threading.Condition)
    buffer: deque[Segment] = field(default_factory=deque)
    buffered: int = 0
    received: int = 0
    reading: bool = False  # the reader holds bytes taken off the link but not yet in the buffer
    working: bool = False  # the engine is decoding or saving with the lock released
    stopping: bool = False
    active: Link | None = None  # the link being read
    links: list[Link] = field(default_factory=list)  # links still open (being read, or their labels printing)
    drop: Link | None = None  # the reader is to abort this link
    printed: list[PrintedLabel] = field(default_factory=list)
    events: list[SimEvent] = field(default_factory=list)

    def log(self, kind: str, detail: str = "") -> None:
        """Record an event (caller holds ``cv``); ``on_event`` must not block."""
        event = SimEvent(time.monotonic(), kind, detail)
        self.events.append(event)
        self.cv.notify_all()  # someone may be waiting for this event (PrinterSimulator.wait_event)
        if self.on_event is not None:
            self.on_event(event)

    def set_status(self, status: PrinterStatus) -> None:
        """Change the status (caller holds ``cv``); links with automatic status back hear of a change."""
        before, self.status = self.status, status
        for link in self.links:
            if link.reports is None:
                continue
            report = link.reports(status)
            if report != link.reports(before) and link.send(report):
                self.log("asb", report.hex(" "))
        self.cv.notify_all()

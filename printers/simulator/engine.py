"""The print engine: takes received bytes in order, decodes them, and prints each label for as long as
the head takes, then answers the ``GS ( H`` acknowledgements that were waiting for it.

The engine decodes at most one label ahead of the one printing (a printer's image memory), so it takes
bytes from the receive buffer only as fast as the head prints; the buffer fills and the reader stops
reading the link. Labels print back to back when the next is ready in time: the head does not wait for
the decoder. Faults (paper out, a dropped link) fire once, after the Nth label printed.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from printers.decode import Command, DecodedLabel, Decoder
from printers.languages import driver_for
from printers.languages.base import AckWhenPrinted, StatusBack
from printers.profiles import PrinterProfile
from printers.simulator.links import Link
from printers.simulator.state import PrintedLabel, Shared
from waybill.render.png import write_png

__all__ = ["Faults", "PrintEngine"]

_CHUNK = 16 * 1024


@dataclass(frozen=True)
class Faults:
    paper_out_after: int | None = None
    paper_out_seconds: float = 3.0
    drop_after: int | None = None


@dataclass(frozen=True)
class _Step:
    """One thing to do in stream order: print a label, send an acknowledgement, close a finished link."""

    link: Link
    label: DecodedLabel | None = None
    ready: float = 0.0  # when the label was decoded
    ack: bytes | None = None  # the reply to send once everything before it has printed
    close: bool = False


@dataclass(frozen=True)
class _Printing:
    step: _Step
    started: float
    finished: float


class PrintEngine:
    def __init__(
        self,
        shared: Shared,
        profile: PrinterProfile,
        speed_mm_s: float,
        faults: Faults,
        save_dir: Path | None,
        keep_images: bool,
    ) -> None:
        self._shared = shared
        self._profile = profile
        self._driver = driver_for(profile.language)
        self._speed = speed_mm_s
        self._faults = faults
        self._save_dir = save_dir
        self._keep_images = keep_images
        self._steps: deque[_Step] = deque()
        self._printing: _Printing | None = None
        self._head_free = 0.0  # when the head finished its last label
        self._paper_back: float | None = None  # paper is out until then
        self._paper_out_done = self._drop_done = False
        self._link: Link | None = None
        self._decoder: Decoder | None = None
        self._pending_acks: list[tuple[int, AckWhenPrinted]] = []  # (offset, request) found by the current feed

    def head_seconds(self, label: DecodedLabel) -> float:
        """Head time of a label: its length plus the gap, at the head speed, per copy."""
        length_mm = label.image.height / self._profile.dots_per_mm + self._profile.gap_mm
        return length_mm / self._speed * max(1, label.copies)

    @property
    def busy(self) -> bool:
        return bool(self._steps) or self._printing is not None

    # ── the loop ─────────────────────────────────────────────────────────────────────────────────
    def run(self) -> None:
        """Until the simulator stops; holds the lock except while waiting, decoding and saving."""
        shared = self._shared
        with shared.cv:
            while not shared.stopping:
                now = time.monotonic()
                if self._paper_back is not None and now >= self._paper_back:
                    self._paper_returns()
                if self._printing is not None and now >= self._printing.finished:
                    self._complete(self._printing)
                    continue
                if self._printing is None and self._steps:
                    if self._steps[0].label is None:
                        self._do(self._steps.popleft())
                        continue
                    if self._paper_back is None:
                        self._start(self._steps.popleft(), now)
                        continue
                if self._wants_bytes() and shared.buffer:
                    self._take()
                    continue
                shared.cv.wait(self._wait_time(now))

    def _wants_bytes(self) -> bool:
        return self._paper_back is None and not any(step.label is not None for step in self._steps)

    def _wait_time(self, now: float) -> float:
        deadlines = [t for t in (self._paper_back, self._printing and self._printing.finished) if t]
        return max(0.0, min(deadlines) - now) if deadlines else 0.5

    # ── bytes to steps ───────────────────────────────────────────────────────────────────────────
    def _take(self) -> None:
        """Decode the next chunk of the buffer (the lock is released while decoding)."""
        shared = self._shared
        segment = shared.buffer[0]
        if segment.end:
            shared.buffer.popleft()
            if segment.link is self._link:
                self._decoder = None  # a partial label at the end of a link is lost, as on a printer
            self._steps.append(_Step(segment.link, close=True))
            return
        data = segment.data[:_CHUNK]
        if len(data) < len(segment.data):
            shared.buffer[0] = dataclasses.replace(segment, data=segment.data[_CHUNK:])
        else:
            shared.buffer.popleft()
        shared.buffered -= len(data)
        shared.working = True
        shared.cv.notify_all()  # the reader may have room now
        if segment.link is not self._link or self._decoder is None:
            self._link, self._decoder = segment.link, self._new_decoder(segment.link)
        acks: list[tuple[int, AckWhenPrinted]] = []
        decoder, link = self._decoder, self._link
        shared.cv.release()
        try:
            self._pending_acks = acks
            labels = decoder.feed(data)
            unknown = decoder.unknown[:]
            decoder.unknown.clear()
        finally:
            shared.cv.acquire()
            shared.working = False
        for item in unknown:
            shared.log("not-understood", str(item))
        ready = time.monotonic()
        order: list[tuple[int, int, _Step]] = [
            (label.end, 0, _Step(link, label=label, ready=ready)) for label in labels
        ]
        order += [(offset, 1, _Step(link, ack=request.reply)) for offset, request in acks]
        self._steps.extend(step for _, _, step in sorted(order, key=lambda item: item[:2]))

    def _new_decoder(self, link: Link) -> Decoder:
        def on_command(command: Command) -> None:
            action = self._driver.sim_action(command, self._profile)
            if isinstance(action, AckWhenPrinted):
                self._pending_acks.append((command.offset, action))
            elif isinstance(action, StatusBack):
                self._status_back(link, action.enabled)

        return Decoder(self._profile.language, self._profile, on_command)

    def _status_back(self, link: Link, enabled: bool) -> None:
        """Automatic status back (ESC/POS GS a), executed as it is decoded (it waits for no printing)."""
        with self._shared.cv:
            link.reports = self._driver.status_report if enabled else None
            if link.reports is not None:
                report = link.reports(self._shared.status)
                if link.send(report):
                    self._shared.log("asb", report.hex(" "))

    # ── steps ────────────────────────────────────────────────────────────────────────────────────
    def _do(self, step: _Step) -> None:
        shared = self._shared
        if step.close:
            if step.link is not shared.active:
                step.link.close()
                if step.link in shared.links:
                    shared.links.remove(step.link)
        elif step.ack is not None and step.link.send(step.ack):
            shared.log("ack", step.ack.hex(" "))

    def _start(self, step: _Step, now: float) -> None:
        assert step.label is not None
        # Back to back after the previous label (or the paper's return) if the label was ready in time.
        start = min(now, max(step.ready, self._head_free))
        self._printing = _Printing(step, start, start + self.head_seconds(step.label))
        self._shared.set_status(dataclasses.replace(self._shared.status, printing=True))

    def _complete(self, printing: _Printing) -> None:
        shared = self._shared
        label = printing.step.label
        assert label is not None
        self._printing = None
        self._head_free = printing.finished
        number = len(shared.printed) + 1
        path = None
        if self._save_dir is not None:
            path = self._save_dir / f"label-{number:04d}.png"
            shared.working = True
            shared.cv.release()
            try:
                write_png(label.image, path)
            finally:
                shared.cv.acquire()
                shared.working = False
        kept = dataclasses.replace(label, index=number) if self._keep_images else None
        shared.printed.append(
            PrintedLabel(
                number,
                kept,
                label.image.size,
                label.copies,
                printing.step.link.id,
                printing.started,
                printing.finished,
                path,
            )
        )
        shared.log("label", f"{number:04d} {label.image.width}x{label.image.height}" + (f" -> {path}" if path else ""))
        shared.set_status(dataclasses.replace(shared.status, printing=False))
        self._faults_after(number)

    def _faults_after(self, number: int) -> None:
        shared, faults = self._shared, self._faults
        if faults.paper_out_after == number and not self._paper_out_done:
            self._paper_out_done = True
            self._paper_back = time.monotonic() + faults.paper_out_seconds
            online = not self._driver.paper_out_offline
            shared.set_status(dataclasses.replace(shared.status, paper_end=True, online=online, printing=False))
            shared.log("paper-out", f"after label {number}")
        if faults.drop_after == number and not self._drop_done:
            self._drop_done = True
            shared.drop = shared.active
            shared.cv.notify_all()

    def _paper_returns(self) -> None:
        assert self._paper_back is not None
        self._head_free = max(self._head_free, self._paper_back)
        self._paper_back = None
        self._shared.set_status(dataclasses.replace(self._shared.status, paper_end=False, online=True))
        self._shared.log("paper-back")

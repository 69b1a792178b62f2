"""Running a print job: labels go out as fast as the head takes them, each recorded in the journal before
its first byte, confirmed by the printer where it can say so, and every stop leaves a resumable job.

Confirmation, by what the printer can do (its profile, and whether the link reads back):
- ``GS ( H`` acknowledgements (ESC/POS): each label carries a token and is ``printed`` when the printer
  answers it; at most ``ack_window`` labels are unacknowledged at once, which keeps the head busy.
- status only (TSPL ``ESC ! ?``, which reports "printing" while anything sent is unprinted): every
  ``confirm_every`` labels the runner waits until the printer reports itself idle with no fault, and those
  labels are ``printed``. The head idles for one status round trip.
- neither (a file, a CUPS queue, an ESC/POS printer without acknowledgements): labels stay ``sent``.
A fault (paper out, cover open …) is waited out (``on_fault="wait"``) or stops the job (``"stop"``); a
dropped link stops it. Labels sent but not confirmed when a job stops become ``uncertain``: the next
``--resume`` prints them again as recorded reprints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from printers.journal import Journal, LabelRow
from printers.profiles import PrinterProfile
from printers.progress import Progress
from printers.render_ahead import RenderAhead
from printers.session import PrinterSession
from printers.status import PrinterStatus
from waybill.errors import PrinterError, PrinterStatusError, TransportError, TransportTimeout
from waybill.model import Order
from waybill.pipeline import LabelJob

OnFault = Literal["wait", "stop"]
T = TypeVar("T")
TOKEN_RANGE = 79**4
POLL_S = 0.25


@dataclass(frozen=True)
class RunResult:
    job_id: int
    sent: int
    printed: int
    reprints: int
    seconds: float
    confirmation: str


class _Stopped(Exception):
    """Internal: the run must stop, with the job saved, because of ``error``."""

    def __init__(self, error: PrinterError) -> None:
        super().__init__(str(error))
        self.error = error


class BatchRunner:
    def __init__(
        self,
        journal: Journal,
        job_id: int,
        session: PrinterSession,
        label_job: LabelJob,
        orders: Mapping[str, Order],
        *,
        on_fault: OnFault = "stop",
        progress: Progress | None = None,
        ack_window: int = 2,
        confirm_every: int = 10,
        reason: str | None = None,
        on_printed: Callable[[list[LabelRow]], None] | None = None,
        first_byte: Callable[[], None] | None = None,
    ) -> None:
        self.journal = journal
        self.job_id = job_id
        self.session = session
        self.profile: PrinterProfile = session.profile
        self.label_job = label_job
        self.orders = orders
        self.on_fault = on_fault
        self.progress = progress
        self.ack_window = ack_window
        self.confirm_every = confirm_every
        self.reason = reason
        self.on_printed = on_printed
        self.first_byte = first_byte  # called just before a label's first byte goes out (station latency)
        self.outstanding: dict[int, LabelRow] = {}  # token → sent, not yet confirmed
        self.counts = {"sent": 0, "printed": 0, "reprints": 0}
        self.mode: str | None = None  # how labels get confirmed; decided by the first run

    @property
    def head_seconds(self) -> float:
        """How long the head takes for one label of this template (plus the gap)."""
        template = self.label_job.template
        return (template.height_mm + self.profile.gap_mm) / self.profile.head_speed_mm_s

    def run(self, rows: list[LabelRow]) -> RunResult:
        started = time.monotonic()
        ahead = RenderAhead(rows, self.orders, self.label_job, self.profile)
        try:
            if self.mode is None:
                self._choose_mode()
            for ready in ahead:
                self._before_next_label()
                token = ready.row.id % TOKEN_RANGE
                self.journal.mark_sent(ready.row, self.session.uri, reason=self.reason)
                self.counts["sent"] += 1
                self.counts["reprints"] += ready.row.attempts > 0 or ready.row.state != "queued"
                self.outstanding[token] = ready.row
                payload = ready.data + (self.session.driver.ack_request(token) if self.mode == "ack" else b"")
                if self.first_byte:
                    self.first_byte()
                self._write(payload)
                self._take_acks(0.0)
            self._wait_until_confirmed()
        except _Stopped as stop:
            self._save_after_stop(stop.error)
            raise stop.error from None
        except KeyboardInterrupt:
            self._save_after_stop(PrinterError("interrupted"))
            raise
        finally:
            ahead.close()
        return RunResult(
            self.job_id,
            self.counts["sent"],
            self.counts["printed"],
            self.counts["reprints"],
            time.monotonic() - started,
            self.mode or "sent",
        )

    # ── confirmation ──────────────────────────────────────────────────────────────────────────────

    def _choose_mode(self) -> None:
        """Ask the printer how it is; its answer (or silence) decides how labels get confirmed."""
        status = self._guarded(lambda: self.session.query_status())
        if status is None:
            self.mode = "sent"
            if self.profile.answers_status and self.progress:
                self.progress.say(
                    f"printer at {self.session.uri} does not answer status: labels are marked sent, not printed"
                )
            return
        self.mode = self.session.driver.confirmation(self.profile)
        if not status.ready:
            self._fault(status)

    def _before_next_label(self) -> None:
        if self.mode == "ack":
            self._check_pushed_status()
            if len(self.outstanding) >= self.ack_window:
                self._await_acks(until=self.ack_window - 1)
        elif self.mode == "idle":
            status = self._guarded(lambda: self.session.query_status())
            if status is not None and not status.ready:
                self._fault(status)
            if len(self.outstanding) >= self.confirm_every:
                self._confirm_when_idle()
        else:
            self._check_pushed_status()
            self._confirm([*self.outstanding.values()], printed=False)

    def _take_acks(self, timeout: float) -> None:
        self._guarded(self.session.raise_if_link_down)
        tokens = self.session.acknowledged(timeout)
        rows = [self.outstanding.pop(token) for token in tokens if token in self.outstanding]
        self._confirm(rows, printed=True)

    def _confirm(self, rows: list[LabelRow], *, printed: bool) -> None:
        if not rows:
            return
        if printed:
            self.journal.mark_printed([row.id for row in rows])
            self.counts["printed"] += len(rows)
            if self.on_printed:
                self.on_printed(rows)
        done = {row.id for row in rows}
        self.outstanding = {token: row for token, row in self.outstanding.items() if row.id not in done}
        if self.progress:
            self.progress.advance(len(rows))

    def _confirm_when_idle(self) -> None:
        deadline = time.monotonic() + self._patience(len(self.outstanding))
        while True:
            status = self._guarded(lambda: self.session.query_status())
            if status is not None and not status.ready:
                self._fault(status)
                deadline = time.monotonic() + self._patience(len(self.outstanding))
            elif status is not None and not status.printing:
                self._confirm([*self.outstanding.values()], printed=True)
                return
            if time.monotonic() > deadline:
                raise _Stopped(TransportError(f"printer at {self.session.uri} stopped answering while printing"))
            time.sleep(POLL_S / 5)

    def _wait_until_confirmed(self) -> None:
        if self.mode == "idle" and self.outstanding:
            self._confirm_when_idle()
        elif self.mode == "sent":
            self._confirm([*self.outstanding.values()], printed=False)
        if self.mode == "ack":
            self._await_acks(until=0)

    def _await_acks(self, until: int) -> None:
        """Wait until at most ``until`` labels are unacknowledged; a printer that stays silent far longer than
        its head needs (and reports no fault) counts as gone, so a run never hangs."""
        deadline = time.monotonic() + self._patience(len(self.outstanding))
        while len(self.outstanding) > until:
            before = len(self.outstanding)
            self._take_acks(POLL_S)
            waited = self._check_pushed_status()
            if waited or len(self.outstanding) < before:
                deadline = time.monotonic() + self._patience(len(self.outstanding))
            elif time.monotonic() > deadline:
                raise _Stopped(
                    TransportError(f"printer at {self.session.uri} did not confirm {len(self.outstanding)} label(s)")
                )

    def _patience(self, labels: int) -> float:
        """How long confirmations may take before the printer counts as gone."""
        return 3 * self.head_seconds * max(1, labels) + 15

    # ── faults and the link ───────────────────────────────────────────────────────────────────────

    def _check_pushed_status(self) -> bool:
        """Act on a fault the printer reported by itself; True if one was waited out."""
        status = self.session.status
        if status is not None and not status.ready:
            self._fault(status)
            return True
        return False

    def _fault(self, status: PrinterStatus | None) -> None:
        if status is None:
            return
        message = f"printer at {self.session.uri}: {status.describe()}"
        if self.on_fault == "stop":
            raise _Stopped(PrinterStatusError(message, status))
        if self.progress:
            self.progress.say(f"{message} — waiting for it to clear (Ctrl-C stops; the job is saved)")
        while status is not None and not status.ready:
            if self.session.driver.reports_status_changes:
                status = self.session.wait_for_status_change(POLL_S * 4)
                if self.mode == "ack":
                    self._take_acks(0.0)
            else:
                time.sleep(POLL_S * 2)
                status = self._guarded(lambda: self.session.query_status())
            self._guarded(self.session.raise_if_link_down)
        if self.progress:
            self.progress.say(f"printer at {self.session.uri}: ready again, carrying on")

    def _write(self, data: bytes) -> None:
        stalls = 0
        while data:
            try:
                self._send(data)
                return
            except TransportTimeout as stall:
                data = data[stall.written :]
                status = self.session.status
                if status is not None and not status.ready:
                    self._fault(status)
                    stalls = 0
                    continue
                stalls += 1
                if stalls >= 3:
                    raise _Stopped(TransportError(f"{stall}; the printer took no data for {stalls} tries")) from None

    def _send(self, data: bytes) -> None:
        self._guarded(lambda: self.session.write(data))

    def _guarded(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except TransportTimeout:
            raise
        except TransportError as error:
            raise _Stopped(error) from error

    def _save_after_stop(self, error: PrinterError) -> None:
        uncertain = [row.id for row in self.outstanding.values()]
        self.journal.mark_uncertain(uncertain)
        self.journal.finish(self.job_id, "stopped", note=str(error))

"""Running a print job: labels go out as fast as the head takes them, each recorded in the journal before
its first byte, confirmed by the printer where it can say so, and every stop leaves a resumable job.

When to wait and for what is decided by ``printers.confirm_policy`` (a state machine without I/O, fed the
events and the time); this module does the I/O it asks for. Confirmation, by what the printer can do: ``GS
( H`` acknowledgements (ESC/POS), an idle status every ``confirm_every`` labels (TSPL), or nothing (a file, a
CUPS queue: labels stay ``sent``). A fault (paper out, cover open …) is waited out (``on_fault="wait"``) or
stops the job (``"stop"``); a dropped link stops it. Labels sent but not confirmed when a job stops become
``uncertain``: the next ``--resume`` prints them again as recorded reprints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from printers.confirm_policy import BatchPolicy, Confirmation, ConfirmMode, Next
from printers.errors import PrintedMeanwhileError, PrinterError, PrinterStatusError, TransportError, TransportTimeout
from printers.journal import Journal, LabelRow
from printers.profiles import PrinterProfile
from printers.progress import Progress
from printers.render_ahead import RenderAhead
from printers.session import PrinterSession
from printers.status import PrinterStatus
from waybill.i18n import _
from waybill.model import Order
from waybill.pipeline import LabelJob

__all__ = [
    "DEFAULT_POLICY",
    "POLL_S",
    "TOKEN_RANGE",
    "BatchRunner",
    "OnPrinted",
    "RunResult",
]

OnPrinted = Callable[[list[LabelRow]], None]  # told of labels the printer confirmed
T = TypeVar("T")
DEFAULT_POLICY = BatchPolicy()
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
    withdrawn: dict[str, int] = field(default_factory=dict)  # waybill → the job that printed it meanwhile


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
        policy: BatchPolicy = DEFAULT_POLICY,
        progress: Progress | None = None,
        reason: str | None = None,
        on_printed: OnPrinted | None = None,
        first_byte: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.journal = journal
        self.job_id = job_id
        self.session = session
        self.profile: PrinterProfile = session.profile
        self.label_job = label_job
        self.orders = orders
        self.policy = policy
        self.progress = progress
        self.reason = reason
        self.clock = clock
        self.pause = pause
        self.on_printed = on_printed
        self.first_byte = first_byte  # called just before a label's first byte goes out (station latency)
        self.outstanding: dict[int, LabelRow] = {}  # token → sent, not yet confirmed
        self.counts = {"sent": 0, "printed": 0, "reprints": 0}
        self.withdrawn: dict[str, int] = {}  # waybill → the job that printed it meanwhile (not sent here)
        self.confirmation: Confirmation | None = None  # how labels get confirmed; decided by the first run

    @property
    def mode(self) -> ConfirmMode | None:
        return self.confirmation.mode if self.confirmation else None

    @property
    def head_seconds(self) -> float:
        """How long the head takes for one label of this template (plus the gap)."""
        template = self.label_job.template
        return (template.height_mm + self.profile.gap_mm) / self.profile.head_speed_mm_s

    def run(self, rows: list[LabelRow]) -> RunResult:
        started = self.clock()
        ahead = RenderAhead(rows, self.orders, self.label_job, self.profile)
        try:
            if self.confirmation is None:
                self._choose_mode()
            assert self.confirmation is not None
            for ready in ahead:
                self._before_next_label()
                token = ready.row.id % TOKEN_RANGE
                if ready.row.waybill_no in self.withdrawn:  # its other pages go with the job that printed it
                    self.journal.withdraw([ready.row.id])
                    continue
                try:
                    self.journal.mark_sent(ready.row, self.session.uri, reason=self.reason)
                except PrintedMeanwhileError as meanwhile:
                    self._withdraw(ready.row, meanwhile)
                    continue
                self.counts["sent"] += 1
                self.counts["reprints"] += ready.row.attempts > 0 or ready.row.state != "queued"
                self.outstanding[token] = ready.row
                self.confirmation.label_sent()
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
            self._save_after_stop(PrinterError(_("interrupted")))
            raise
        finally:
            ahead.close()
        return RunResult(
            self.job_id,
            self.counts["sent"],
            self.counts["printed"],
            self.counts["reprints"],
            self.clock() - started,
            self.mode or "sent",
            dict(self.withdrawn),
        )

    def _withdraw(self, row: LabelRow, meanwhile: PrintedMeanwhileError) -> None:
        """Another job printed this page since the run was planned: it leaves this job unsent, and is said.
        The waybill's later pages in this run are withdrawn too, so one job prints all of a parcel's pages."""
        self.journal.withdraw([row.id])
        self.withdrawn[row.waybill_no] = meanwhile.job_id
        if self.progress:
            self.progress.say(str(meanwhile))

    # ── confirmation ──────────────────────────────────────────────────────────────────────────────

    def _choose_mode(self) -> None:
        """Ask the printer how it is; its answer (or silence) decides how labels get confirmed."""
        status = self._guarded(lambda: self.session.query_status())
        mode: ConfirmMode
        if status is None:
            mode = "sent"
            if self.profile.answers_status and self.progress:
                self.progress.say(
                    _("printer at {uri} does not answer status: labels are marked sent, not printed").format(
                        uri=self.session.uri
                    )
                )
        else:
            mode = self.session.driver.confirmation(self.profile)
        self.confirmation = Confirmation(self.policy, mode, self.head_seconds)
        if status is not None and not status.ready:
            self._fault(status)

    @property
    def _confirming(self) -> Confirmation:
        assert self.confirmation is not None, "the mode is chosen before the first label"
        return self.confirmation

    def _before_next_label(self) -> None:
        if self.mode == "idle":
            status = self._guarded(lambda: self.session.query_status())
            if status is not None and not status.ready:
                self._fault(status)
        else:
            self._check_pushed_status()
        self._settle(self._confirming.label_ready(self.clock()))

    def _wait_until_confirmed(self) -> None:
        self._settle(self._confirming.finishing(self.clock()))

    def _settle(self, step: Next) -> None:
        """Do what the policy asked before the next label (or the end of the run)."""
        if step is Next.AWAIT_ACKS:
            self._await_acks()
        elif step is Next.AWAIT_IDLE:
            self._confirm_when_idle()
        elif step is Next.FORGET_SENT:
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
        self._confirming.confirmed(len(rows), self.clock())
        if self.progress:
            self.progress.advance(len(rows))

    def _confirm_when_idle(self) -> None:
        confirming = self._confirming
        while True:
            status = self._guarded(lambda: self.session.query_status())
            if status is None:
                step = confirming.tick(self.clock())
            else:
                step = confirming.idle_status(ready=status.ready, printing=status.printing, now=self.clock())
            if step is Next.DONE:
                self._confirm([*self.outstanding.values()], printed=True)
                return
            if step is Next.GONE:
                raise _Stopped(
                    TransportError(_("printer at {uri} stopped answering while printing").format(uri=self.session.uri))
                )
            if status is not None and step in (Next.STOP, Next.WAIT_OUT_FAULT):
                self._fault(status)
                confirming.fault_cleared(self.clock())
            self.pause(POLL_S / 5)

    def _await_acks(self) -> None:
        """Wait until at most ``ack_target`` labels are unacknowledged; a printer that stays silent far longer
        than its head needs (and reports no fault) counts as gone, so a run never hangs."""
        confirming = self._confirming
        while len(self.outstanding) > confirming.ack_target:
            self._take_acks(POLL_S)
            if self._check_pushed_status():
                confirming.fault_cleared(self.clock())
            elif len(self.outstanding) > confirming.ack_target and confirming.tick(self.clock()) is Next.GONE:
                raise _Stopped(
                    TransportError(
                        _("printer at {uri} did not confirm {n} label(s)").format(
                            uri=self.session.uri, n=len(self.outstanding)
                        )
                    )
                )

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
        message = _("printer at {uri}: {status}").format(uri=self.session.uri, status=status.describe())
        if self._confirming.status(status.ready) is Next.STOP:
            raise _Stopped(PrinterStatusError(message, status))
        if self.progress:
            self.progress.say(
                _("{message} — waiting for it to clear (Ctrl-C stops; the job is saved)").format(message=message)
            )
        while status is not None and not status.ready:
            if self.session.driver.reports_status_changes:
                status = self.session.wait_for_status_change(POLL_S * 4)
                if self.mode == "ack":
                    self._take_acks(0.0)
            else:
                self.pause(POLL_S * 2)
                status = self._guarded(lambda: self.session.query_status())
            self._guarded(self.session.raise_if_link_down)
        if self.progress:
            self.progress.say(_("printer at {uri}: ready again, carrying on").format(uri=self.session.uri))

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
                    raise _Stopped(
                        TransportError(
                            _("{stall}; the printer took no data for {n} tries").format(stall=stall, n=stalls)
                        )
                    ) from None

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

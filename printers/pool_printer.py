"""One printer of a pool at work: a thread that prints the runs queued for it, one after another.

Each run is a print job the thread claims with its own journal (its own lease-holder token) and prints
through ``printers.printing.run_job`` with ``on_fault="stop"``, so a fault leaves the run saved with its
unconfirmed labels uncertain. Then the thread probes the printer every ``poll`` seconds: back within
``grace`` seconds, it carries on with the run (uncertain labels print again as recorded reprints); still
faulted after ``grace``, it asks the pool to hand its queued runs over to the other printers. An idle
printer is asked how it is every ``check_every`` seconds, so the pool's status shows a printer unplugged
between jobs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Engine

from printers.batch import OnPrinted
from printers.errors import JobError, JobLeaseError, PrinterStatusError, TransportError
from printers.journal import Journal, LabelRow
from printers.pool_file import PrinterSpec
from printers.printing import open_session, resume_batch, run_job
from printers.profiles import PrinterProfile
from printers.session import PrinterSession
from waybill.errors import WaybillError
from waybill.i18n import _
from waybill.pipeline import LabelJob

__all__ = ["PoolPrinter", "PrinterState", "Probe", "probe"]

PrinterState = Literal["connecting", "ready", "printing", "fault", "down"]
LabelJobOf = Callable[[Journal, int], LabelJob]  # how a run renders its labels, batch serials included
HandOver = Callable[["PoolPrinter", int], bool]  # (printer, run job id) → moved to other printers?


@dataclass(frozen=True)
class Probe:
    """A printer's answer to "are you there, and ready?"."""

    state: Literal["ready", "fault", "down"]
    detail: str  # "ready", "paper out", "tcp://…: connection refused" …

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def probe(uri: str, profile: PrinterProfile) -> Probe:
    """Connect, make sure a printer answers (``open_session``) and ask its status; never raises for a
    printer that is away, faulted or not a printer."""
    try:
        with open_session(uri, profile) as session:
            return _status_of(session)
    except WaybillError as error:
        return Probe("down", str(error))


def _status_of(session: PrinterSession) -> Probe:
    if not session.profile.answers_status or not getattr(session.transport, "reads_back", True):
        return Probe("ready", _("ready (this link cannot report status)"))
    status = session.query_status()
    if status is None:
        return Probe("down", _("{uri} does not answer status queries").format(uri=session.uri))
    return Probe("ready", _("ready")) if status.ready else Probe("fault", status.describe())


class PoolPrinter:
    def __init__(
        self,
        spec: PrinterSpec,
        engine: Engine,
        *,
        grace: float,
        poll: float,
        check_every: float = 15.0,
        label_job: LabelJobOf,
        hand_over: HandOver,
        run_done: Callable[[int], None],
        on_printed: OnPrinted | None = None,
    ) -> None:
        self.spec = spec
        self.journal = Journal(engine)  # this thread's own lease-holder token
        self.grace = grace
        self.poll = poll
        self.check_every = check_every
        self._label_job = label_job
        self._hand_over = hand_over
        self._run_done = run_done
        self._on_printed = on_printed
        self._cv = threading.Condition()
        self._queue: deque[int] = deque()  # run job ids; the first is the one printing
        self._state: PrinterState = "connecting"
        self._detail = "connecting"
        self._fault_since: float | None = None
        self._stopping = False
        self.faults = 0  # faults seen since the pool started
        self.printed = 0  # labels this printer confirmed printed
        self.error: BaseException | None = None  # what stopped the thread, if anything did
        self.probed = threading.Event()  # set once the printer's first status is known
        self._thread = threading.Thread(target=self._main, name=f"pool-printer-{spec.name}", daemon=True)

    @property
    def name(self) -> str:
        return self.spec.name

    # ── what the pool sees ───────────────────────────────────────────────────────────────────────
    @property
    def state(self) -> tuple[PrinterState, str]:
        with self._cv:
            return self._state, self._detail

    @property
    def healthy(self) -> bool:
        with self._cv:
            return self._state in ("ready", "printing")

    @property
    def queue(self) -> list[int]:
        with self._cv:
            return list(self._queue)

    def queued_labels(self) -> int:
        """Labels still to print on this printer (queued or uncertain in its runs)."""
        return sum(len(self.journal.pending(job_id)) for job_id in self.queue)

    def enqueue(self, job_id: int) -> None:
        with self._cv:
            self._queue.append(job_id)
            self._cv.notify_all()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        """Stop after the run printing now (a run cut short would leave uncertain labels); the runs
        still queued stay in the journal, for ``Pool.resume``."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        self._thread.join(timeout)

    # ── the thread ───────────────────────────────────────────────────────────────────────────────
    def _main(self) -> None:
        try:
            self._take(probe(self.spec.uri, self.spec.profile))
            self.probed.set()
            while True:
                with self._cv:
                    woken = self._cv.wait_for(
                        lambda: self._stopping or self._queue or self._state not in ("ready", "printing"),
                        self.check_every,
                    )
                    if self._stopping:
                        return
                    job_id = self._queue[0] if self._queue else None
                    healthy = self._state in ("ready", "printing")
                if not woken:  # idle all along: is it still there?
                    self._take(probe(self.spec.uri, self.spec.profile))
                elif healthy and job_id is not None:
                    self._print(job_id)
                else:
                    self._recover()
        except BaseException as error:  # a bug or a lost store: shown in the pool's status, not swallowed
            self.error = error
            with self._cv:
                self._state, self._detail = "down", f"stopped by an internal error: {error!r}"
            self._hand_over_all()
        finally:
            self.probed.set()

    def _hand_over_all(self) -> None:
        """This thread is ending for good: its queued runs go to the printers still working now (no grace
        to wait out); what none can take stays in the journal, for ``Pool.resume``."""
        with self._cv:
            queued = list(self._queue)
        for job_id in queued:
            try:
                if not self._hand_over(self, job_id):
                    return
            except Exception:  # the store itself is lost: nothing can be moved
                return
            with self._cv:
                self._queue.remove(job_id)

    def _take(self, answer: Probe) -> None:
        """Record what the printer said; a new fault starts the grace period."""
        with self._cv:
            if answer.ready:
                self._state, self._fault_since = "ready", None
            else:
                if self._fault_since is None:
                    self._fault_since = time.monotonic()
                    self.faults += 1
                self._state = answer.state
            self._detail = answer.detail

    def _recover(self) -> None:
        """While faulted: wait a poll, ask again; past the grace period, hand the queued runs over."""
        with self._cv:
            if self._cv.wait_for(lambda: self._stopping, self.poll):
                return
        self._take(probe(self.spec.uri, self.spec.profile))
        with self._cv:
            since, queued = self._fault_since, list(self._queue)
        if since is None or not queued or time.monotonic() - since < self.grace:
            return
        for job_id in queued:
            if self._hand_over(self, job_id):
                with self._cv:
                    self._queue.remove(job_id)

    def _print(self, job_id: int) -> None:
        try:
            session = open_session(self.spec.uri, self.spec.profile)
        except TransportError as error:
            self._take(Probe("down", str(error)))
            return
        with self._cv:
            self._state = "printing"
        try:
            with session:
                rows = self._claim(job_id)
                if rows:
                    run_job(
                        self.journal,
                        job_id,
                        rows,
                        session,
                        on_fault="stop",
                        progress=None,
                        on_printed=self._printed,
                        label_job=self._label_job(self.journal, job_id),
                    )
                else:
                    self.journal.finish(job_id, "stopped" if self.journal.pending(job_id) else "done")
        except PrinterStatusError as error:
            self._take(Probe("fault", str(error.status.describe())))
            return
        except TransportError as error:
            self._take(Probe("down", str(error)))
            return
        except JobLeaseError:
            pass  # another process prints this run: it is not ours to print (or to wait for)
        with self._cv:
            self._queue.remove(job_id)
            if self._state == "printing":
                self._state, self._detail = "ready", "ready"
        self._run_done(job_id)

    def _claim(self, job_id: int) -> list[LabelRow]:
        """Claim the run (labels left sent become uncertain) and what it has to print, as ``waybill print
        --resume`` takes it: labels of numbers cancelled since are held back."""
        try:
            return resume_batch(self.journal, job_id, printer=self.spec.uri, profile=self.spec.profile).rows
        except JobLeaseError:
            raise
        except JobError:  # every label of it was sent already
            return []

    def _printed(self, rows: list[LabelRow]) -> None:
        with self._cv:
            self.printed += len(rows)
        if self._on_printed is not None:
            self._on_printed(rows)

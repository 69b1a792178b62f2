"""Printer pools: one job printed by several printers at once, with failover, and a batch serial on every label.

The API the print service calls::

    pool_file = load_pool_file("pool.toml")                       # printers.pool_file: file:line:field errors
    with Pool.from_file(pool_file, "line-a", engine, grace=20) as pool:   # a thread per printer, probed at start
        job = pool.submit(orders, "100x180", shop=Path("shop.toml"))   # PoolJob; every label recorded first
        job.status()        # PoolJobStatus: queued|running|stopped|done, labels, printed, reprints, per printer
        pool.status()       # [PrinterView]: state, fault, faults, queued and printed labels of each printer
        job.wait(60)        # True once every label of the job is printed
    with Pool.from_file(pool_file, "line-a", engine) as pool:
        pool.resume(job.id).wait(60)                               # after a crash or a shutdown

A job is split in contiguous runs of whole orders, one per ready printer, sized by the printers' head speeds
(``printers.pool_split``), so each printer's pile comes out in order. Each run is a print job of kind
``pool`` in the journal; the pool job that groups them, and each label's batch serial ``YYMMDD-JJJ-SSS``
(the day, the job's number that day, the label's sequence in the job) live in ``printers.pool_store``. The
serial is printed on the label (the templates' ``{batch_serial}`` field).

A printer that faults (paper out, cover open, link down) stops its run with the run saved (labels sent but
not confirmed become uncertain). Back within ``grace`` seconds, it carries on; still faulted after that,
what it has not printed moves (``Journal.move_labels``) into new runs on the other ready printers, shared
so that they finish together. Moved labels keep their journal rows, attempts and serials: an uncertain one
prints again as a recorded reprint, so nothing is lost and no label is printed twice without a record.
With no ready printer to take them, the labels wait for the first printer that is ready again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import Engine

from printers.batch import OnPrinted
from printers.errors import JobError, JobLeaseError, PrinterError
from printers.jobspec import JobSettings
from printers.journal import Journal, LabelRow
from printers.pool_claims import PoolClaims
from printers.pool_file import PoolFile, PrinterSpec
from printers.pool_printer import PoolPrinter
from printers.pool_split import fill_levels, split_runs
from printers.pool_status import PoolJobStatus, PrinterView, RunView, job_status
from printers.pool_store import PoolJobRecord, PoolStore, RunRecord
from printers.printing import RepeatPolicy, check_printed_before, plan
from waybill.errors import UsageError
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions
from waybill.model import Order
from waybill.numbers.store import NumberStore
from waybill.pipeline import LabelJob
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING

__all__ = ["Pool", "PoolJob", "PoolJobStatus", "PrinterView", "RunView"]


class PoolJob:
    """A job submitted to a pool (or resumed): its status, and a wait for the end."""

    def __init__(self, pool: Pool, record: PoolJobRecord) -> None:
        self.pool = pool
        self.record = record

    @property
    def id(self) -> int:
        return self.record.id

    def status(self) -> PoolJobStatus:
        return self.pool.job_status(self.id)

    def wait(self, timeout: float) -> bool:
        """True once no run of the job is left to print on this pool; False after ``timeout`` seconds."""
        return self.pool.wait_job(self.id, timeout)

    def resume(self) -> PoolJob:
        return self.pool.resume(self.id)


class Pool:
    """The printers of one pool at work, one thread each; a context manager (``start`` … ``close``)."""

    def __init__(
        self,
        name: str,
        printers: Sequence[PrinterSpec],
        engine: Engine,
        *,
        grace: float = 20.0,
        poll: float = 1.0,
        on_printed: OnPrinted | None = None,
        claims: PoolClaims | None = None,
    ) -> None:
        if not printers:
            raise UsageError(f"pool {name} has no printers")
        self.name = name
        self.engine = engine
        self.store = PoolStore(engine)
        self.journal = Journal(engine)  # creates and moves runs; the printers' threads have their own
        self.claims = claims  # many hosts on one store: this host's runs, and the lapsed ones of dead hosts
        # Every table the printers' threads read exists before they start: two threads creating SQLite tables
        # at once both find none, and one fails (``ensure_schema`` serialises that on PostgreSQL only).
        NumberStore(engine)
        self._cv = threading.Condition(threading.RLock())
        self._open: dict[int, int] = {}  # run job id → pool job id, for runs queued on a printer here
        self.printers = [
            PoolPrinter(
                spec,
                engine,
                grace=grace,
                poll=poll,
                label_job=self.store.label_job,
                hand_over=self._hand_over,
                run_done=self._run_done,
                on_printed=on_printed,
            )
            for spec in printers
        ]

    @classmethod
    def from_file(
        cls,
        pool_file: PoolFile,
        name: str,
        engine: Engine,
        *,
        grace: float = 20.0,
        poll: float = 1.0,
        on_printed: OnPrinted | None = None,
        claims: PoolClaims | None = None,
    ) -> Pool:
        return cls(name, pool_file.pool(name), engine, grace=grace, poll=poll, on_printed=on_printed, claims=claims)

    # ── life ─────────────────────────────────────────────────────────────────────────────────────
    def start(self, timeout: float = 15.0) -> Pool:
        """Start every printer's thread and wait (up to ``timeout``) until each has said how it is."""
        for printer in self.printers:
            printer.start()
        for printer in self.printers:
            printer.probed.wait(timeout)
        return self

    def close(self, timeout: float = 60.0) -> None:
        """Stop each printer after the run it prints now; what is queued stays for ``resume``."""
        for printer in self.printers:
            printer.stop(timeout)
        with self._cv:
            self._open.clear()  # nobody here prints them now: they are stopped, for ``resume``
            self._cv.notify_all()
        if self.claims is not None:
            self.claims.release()  # a graceful stop: the runs wait for a resume, not for another host

    def __enter__(self) -> Pool:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ── jobs ─────────────────────────────────────────────────────────────────────────────────────
    def submit(
        self,
        orders: Sequence[Order],
        template: str = "100x180",
        shop: Path | None = None,
        *,
        mask: bool = True,
        font: Path | None = None,
        printed_at: datetime | None = None,
        repeats: RepeatPolicy = "refuse",
        now: datetime | None = None,
        printer: str | None = None,
    ) -> PoolJob:
        """Lay out every order, record the job and all its labels with their serials, and queue its runs on
        the ready printers (only on ``printer`` if named; a fault still moves its run to the others). A layout
        error, a waybill printed before (``repeats``) or no ready printer refuses the job before anything is
        recorded."""
        now = now or datetime.now(BEIJING)
        seen: set[str] = set()
        for order in orders:
            if order.order_id in seen:
                raise UsageError(f"order {order.order_id} is in the job twice")
            seen.add(order.order_id)
        if printer is not None and printer not in {p.name for p in self.printers}:
            raise UsageError(f"pool {self.name} has no printer {printer}")
        ready = [p for p in self.printers if p.healthy and printer in (None, p.name)]
        if not ready:
            raise PrinterError(f"no printer of pool {self.name} is ready: {self._faults()}")
        profile = ready[0].spec.profile
        options = LayoutOptions(
            dpi=profile.dpi, mask=mask, shop=load_shop(shop) if shop else None, printed_at=printed_at
        )
        job = LabelJob(load_template(template), load_font(font), options, now.replace(second=0, microsecond=0))
        planned = check_printed_before(self.journal, plan(orders, job, profile, skip_invalid=False), repeats)
        if not planned.labels:
            raise UsageError("no orders to print" + (": every waybill was printed before" if orders else ""))
        width = job.layout(planned.orders[0]).labels[0].width
        for other in ready[1:]:
            other.spec.profile.check_fits(width)
        settings = JobSettings.capture(template, shop, font, job.options, job.now).to_json()
        sizes = _group_sizes([label.order_id for label in planned.labels])
        record = self.store.create_pool_job(self.name, now)
        created: list[tuple[PoolPrinter, int]] = []
        seq, label_at = 1, 0
        for target, run in zip(ready, split_runs(sizes, [p.spec.profile.head_speed_mm_s for p in ready]), strict=True):
            count = sum(sizes[i] for i in run)
            if not count:
                continue
            job_id = self.journal.create_job(
                kind="pool",
                printer=target.spec.uri,
                profile=target.spec.profile.name,
                settings=settings,
                job_orders=planned.orders[run.start : run.stop],
                planned=planned.labels[label_at : label_at + count],
            )
            label_at += count
            self.store.add_run(record.id, job_id, target.name)
            rows = self.journal.labels_of_job(job_id)
            self.store.add_labels(record, [(row.id, seq + i) for i, row in enumerate(rows)])
            seq += len(rows)
            self.journal.finish(job_id, "stopped", note=f"pool job {record.id}: queued on {target.name}")
            created.append((target, job_id))
        self.store.mark_ready(record.id)
        for target, job_id in created:
            self._queue(target, record.id, job_id)
        return PoolJob(self, self.store.pool_job(record.id))

    def resume(self, pool_job_id: int) -> PoolJob:
        """Queue again what job ``pool_job_id`` has not printed, each run on its own printer (or, if that
        printer is no longer in the pool, on the first one); faults then move labels as usual."""
        record = self.store.pool_job(pool_job_id)
        if record.pool != self.name:
            raise JobError(f"pool job {pool_job_id} belongs to pool {record.pool}, not {self.name}")
        if not record.ready:
            raise JobError(
                f"pool job {pool_job_id} was not completely recorded (the process stopped while submitting it); "
                "nothing of it was printed: submit its orders again"
            )
        by_name = {printer.name: printer for printer in self.printers}
        todo: list[tuple[PoolPrinter, int]] = []
        for run in self.store.runs(pool_job_id):
            summary = self.journal.job(run.job_id)
            with self._cv:
                if run.job_id in self._open:
                    continue  # queued here already
            if summary.owner is not None:
                raise JobLeaseError(run.job_id, summary.owner, None)
            if summary.counts["queued"] or summary.counts["uncertain"] or summary.status != "done":
                todo.append((by_name.get(run.printer, self.printers[0]), run.job_id))
        for printer, job_id in todo:
            self._queue(printer, pool_job_id, job_id)
        return PoolJob(self, record)

    def adopt_lapsed(self) -> list[int]:
        """Take over the runs of this pool whose host died (its claims' lease lapsed) and queue them here,
        each on its own printer if this pool has it, else on the first ready one; the runs taken."""
        if self.claims is None:
            return []
        adopted = []
        for job_id in self.claims.take_lapsed():
            summary = self.journal.job(job_id)
            run = self.store.run(job_id)
            if run is None or (summary.status == "done" and not summary.counts["queued"] + summary.counts["uncertain"]):
                self.claims.release([job_id])
            elif summary.owner is not None:  # its printer's lease is still live: look again later
                self.claims.lapse(job_id)
            else:
                by_name = {printer.name: printer for printer in self.printers}
                ready = [printer for printer in self.printers if printer.healthy] or self.printers
                self._queue(by_name.get(run.printer, ready[0]), run.pool_job_id, job_id)
                adopted.append(job_id)
        return adopted

    def job(self, pool_job_id: int) -> PoolJob:
        return PoolJob(self, self.store.pool_job(pool_job_id))

    def wait_job(self, pool_job_id: int, timeout: float) -> bool:
        with self._cv:
            return self._cv.wait_for(lambda: pool_job_id not in self._open.values(), timeout)

    # ── status ───────────────────────────────────────────────────────────────────────────────────
    def status(self) -> list[PrinterView]:
        views = []
        for printer in self.printers:
            state, detail = printer.state
            spec = printer.spec
            views.append(
                PrinterView(
                    spec.name,
                    spec.uri,
                    spec.profile.name,
                    spec.line,
                    state,
                    detail,
                    printer.faults,
                    printer.queued_labels(),
                    printer.printed,
                )
            )
        return views

    def job_status(self, pool_job_id: int) -> PoolJobStatus:
        with self._cv:
            open_here = pool_job_id in self._open.values()
        return job_status(self.store, self.journal, pool_job_id, open_here=open_here)

    # ── the printers' threads call these ─────────────────────────────────────────────────────────
    def _queue(self, printer: PoolPrinter, pool_job_id: int, job_id: int) -> None:
        if self.claims is not None:
            self.claims.claim(job_id)
        with self._cv:
            self._open[job_id] = pool_job_id
        printer.enqueue(job_id)

    def _run_done(self, job_id: int) -> None:
        if self.claims is not None:
            self.claims.release([job_id])
        with self._cv:
            self._open.pop(job_id, None)
            self._cv.notify_all()

    def _hand_over(self, source: PoolPrinter, job_id: int) -> bool:
        """Move what run ``job_id`` of faulted ``source`` has not printed to the ready printers, shared so
        they finish together; False (the run stays) when no printer is ready."""
        with self._cv:
            targets = [printer for printer in self.printers if printer is not source and printer.healthy]
            if not targets:
                return False
            run = self.store.run(job_id)
            if run is None:
                raise JobError(f"job {job_id} is not a run of a pool job")
            journal = source.journal  # the thread that printed the run claims it to move its labels
            try:
                journal.begin(job_id)
            except JobLeaseError:
                return False
            rows = journal.pending(job_id)
            moved = self._move(source, journal, job_id, run, rows, targets) if rows else []
            _, fault = source.state
            where = ", ".join(f"{n} → job {j}" for n, j in moved) or "nothing left"
            journal.finish(job_id, "done", note=f"{source.name}: {fault}; {len(rows)} label(s) moved: {where}")
            if self.claims is not None:
                self.claims.release([job_id])
            self._open.pop(job_id, None)
            self._cv.notify_all()
            return True

    def _move(
        self,
        source: PoolPrinter,
        journal: Journal,
        job_id: int,
        run: RunRecord,
        rows: list[LabelRow],
        targets: list[PoolPrinter],
    ) -> list[tuple[str, int]]:
        sizes = _group_sizes([row.order_id for row in rows])
        loads = [printer.queued_labels() for printer in targets]
        speeds = [printer.spec.profile.head_speed_mm_s for printer in targets]
        shares = split_runs(sizes, fill_levels(len(rows), loads, speeds))
        settings = journal.settings(job_id)
        pool_job_id = run.pool_job_id
        moved: list[tuple[str, int]] = []
        at = 0
        for target, share in zip(targets, shares, strict=True):
            count = sum(sizes[i] for i in share)
            if not count:
                continue
            chunk = rows[at : at + count]
            at += count
            new = journal.create_job(
                kind="pool",
                printer=target.spec.uri,
                profile=target.spec.profile.name,
                settings=settings,
                job_orders=(),
                planned=(),
            )
            self.store.add_run(pool_job_id, new, target.name, from_job=job_id)  # before the move: never lost
            journal.move_labels([row.id for row in chunk], new)
            journal.finish(new, "stopped", note=f"moved from job {job_id} on {source.name}: queued on {target.name}")
            self._queue(target, pool_job_id, new)
            moved.append((target.name, new))
        return moved

    def _faults(self) -> str:
        return "; ".join(f"{printer.name}: {printer.state[1]}" for printer in self.printers)


def _group_sizes(order_ids: Sequence[str]) -> list[int]:
    """Label counts of the consecutive labels of one order (an order's labels stay together)."""
    sizes: list[int] = []
    previous: str | None = None
    for order_id in order_ids:
        if order_id == previous:
            sizes[-1] += 1
        else:
            sizes.append(1)
            previous = order_id
    return sizes

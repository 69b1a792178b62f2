"""What a pool job and the printers of a pool look like from outside: plain records the print service turns
into JSON, read from the pool store and the journal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from printers.journal import Journal
from printers.pool_printer import PrinterState
from printers.pool_store import PoolStore

__all__ = ["JobState", "PoolJobStatus", "PrinterView", "RunView", "job_status"]

JobState = Literal["queued", "running", "stopped", "done"]
_PER_PRINTER = ("labels", "printed", "queued", "uncertain", "reprints")


@dataclass(frozen=True)
class PrinterView:
    """One printer of a running pool, as the service shows it."""

    name: str
    uri: str
    profile: str
    line: str | None
    state: PrinterState
    detail: str  # "ready", "paper out", the link error …
    faults: int  # faults since the pool started
    queued: int  # labels waiting for this printer, all jobs
    printed: int  # labels it confirmed printed since the pool started


@dataclass(frozen=True)
class RunView:
    job: int  # the run's print job in the journal (`waybill jobs JOB`)
    printer: str
    from_job: int | None  # the run its labels were moved from
    counts: dict[str, int]  # queued, sent, printed, uncertain
    reprints: int


@dataclass(frozen=True)
class PoolJobStatus:
    job: int
    pool: str
    status: JobState
    labels: int
    printed: int
    reprints: int
    printers: dict[str, dict[str, int]]  # name → labels, printed, queued, uncertain, reprints
    runs: tuple[RunView, ...]


def job_status(store: PoolStore, journal: Journal, pool_job_id: int, *, open_here: bool) -> PoolJobStatus:
    """The pool job's counts from the journal; ``open_here``: a running pool has runs of it queued."""
    record = store.pool_job(pool_job_id)
    runs: list[RunView] = []
    printers: dict[str, dict[str, int]] = {}
    for run in store.runs(pool_job_id):
        summary = journal.job(run.job_id)
        runs.append(RunView(run.job_id, run.printer, run.from_job, summary.counts, summary.reprints))
        mine = printers.setdefault(run.printer, dict.fromkeys(_PER_PRINTER, 0))
        mine["labels"] += summary.total
        mine["printed"] += summary.counts["printed"]
        mine["queued"] += summary.counts["queued"]
        mine["uncertain"] += summary.counts["uncertain"]
        mine["reprints"] += summary.reprints
    left = sum(view.counts["queued"] + view.counts["uncertain"] for view in runs)
    started = any(view.counts["printed"] or view.counts["sent"] or view.reprints for view in runs)
    status: JobState = (
        "done" if not left and not open_here else "running" if open_here and started else
        "queued" if open_here else "stopped"
    )  # fmt: skip
    return PoolJobStatus(
        record.id,
        record.pool,
        status,
        sum(sum(view.counts.values()) for view in runs),
        sum(view.counts["printed"] for view in runs),
        sum(view.reprints for view in runs),
        printers,
        tuple(runs),
    )

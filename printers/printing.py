"""Starting, resuming and reprinting jobs: everything between the command line and ``BatchRunner``.

Printed labels are announced through ``on_printed`` (the application registers their waybills with the
stall monitor); this package never imports the stall monitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from printers.batch import BatchRunner, OnPrinted, RunResult
from printers.confirm_policy import BatchPolicy, OnFault
from printers.errors import AlreadyPrintedError, JobError, ProfileError, TransportError
from printers.jobspec import JobSettings
from printers.journal import JobSummary, Journal, LabelRow, PlannedLabel
from printers.languages import driver_for
from printers.profiles import PrinterProfile, get_profile, require_same_dpi
from printers.progress import Progress
from printers.session import PrinterSession
from printers.transports import open_transport
from waybill.errors import LayoutError
from waybill.i18n import _
from waybill.model import Order
from waybill.numbers.store import NumberStore
from waybill.pipeline import LabelJob

__all__ = [
    "Planned",
    "RepeatPolicy",
    "Started",
    "check_printed_before",
    "open_session",
    "plan",
    "refuse_cancelled",
    "reprint_waybill",
    "resumable_rows",
    "resume_batch",
    "run_job",
    "start_batch",
]

RepeatPolicy = Literal["refuse", "skip", "reprint"]  # what a batch does with waybills printed before


@dataclass(frozen=True)
class Planned:
    orders: list[Order]
    labels: list[PlannedLabel]
    skipped: list[tuple[Order, LayoutError]]
    printed_before: dict[str, int] = field(default_factory=dict)  # waybill → the job that printed it


def check_printed_before(journal: Journal, planned: Planned, policy: RepeatPolicy) -> Planned:
    """Before the first byte: waybills some job already sent stop the batch with their list (``refuse``),
    are left out (``skip``), or print again as recorded reprints, reason ``manual`` (``reprint``)."""
    earlier = journal.printed_before(order.waybill_no for order in planned.orders)
    if not earlier:
        return planned
    if policy == "refuse":
        raise AlreadyPrintedError(earlier)
    if policy == "skip":
        orders = [order for order in planned.orders if order.waybill_no not in earlier]
        labels = [label for label in planned.labels if label.waybill_no not in earlier]
    else:
        orders = planned.orders
        labels = [replace(label, repeat=label.waybill_no in earlier) for label in planned.labels]
    return Planned(orders, labels, planned.skipped, earlier)


def plan(orders: Sequence[Order], job: LabelJob, profile: PrinterProfile, *, skip_invalid: bool) -> Planned:
    """Lay out every order before the first byte: a layout error stops the batch before it starts (or,
    with ``skip_invalid``, leaves that order out), and a label the head cannot print is refused."""
    require_same_dpi(job.options.dpi, profile)
    kept: list[Order] = []
    planned: list[PlannedLabel] = []
    skipped: list[tuple[Order, LayoutError]] = []
    for order in orders:
        try:
            labels = job.layout(order).labels
        except LayoutError as error:
            if not skip_invalid:
                raise
            skipped.append((order, error))
            continue
        profile.check_fits(labels[0].width)
        kept.append(order)
        planned.extend(PlannedLabel(order.order_id, order.waybill_no, label.page, label.pages) for label in labels)
    return Planned(kept, planned, skipped)


def open_session(uri: str, profile: PrinterProfile) -> PrinterSession:
    """Connect to the printer at ``uri`` and make sure it answers like one (see ``PrinterSession.start``)."""
    session = PrinterSession(open_transport(uri), profile)
    session.start()
    return session


def run_job(
    journal: Journal,
    job_id: int,
    rows: list[LabelRow],
    session: PrinterSession,
    *,
    on_fault: OnFault,
    progress: Progress | None,
    reason: str | None = None,
    on_printed: OnPrinted | None = None,
    label_job: LabelJob | None = None,
) -> RunResult:
    """Send ``rows`` of job ``job_id`` (claimed by ``journal``) to the printer of ``session``; the job's own
    settings render them (or ``label_job``: a pool's adds the batch serials). The lease is renewed while it
    runs and let go at the end."""
    label_job = label_job or JobSettings.from_json(journal.settings(job_id)).label_job()
    orders = journal.job_orders(job_id)
    runner = BatchRunner(
        journal,
        job_id,
        session,
        label_job,
        orders,
        policy=BatchPolicy(on_fault=on_fault),
        progress=progress,
        reason=reason,
        on_printed=on_printed,
    )
    with journal.holding(job_id):
        result = runner.run(rows)
        try:
            session.close()  # a CUPS queue only takes the job now: until then nothing was really sent
        except TransportError as error:
            journal.mark_uncertain([row.id for row in rows])
            journal.finish(job_id, "stopped", note=str(error))
            raise
        journal.finish(job_id, "stopped" if journal.pending(job_id) else "done")
    return result


def resumable_rows(journal: Journal, job_id: int) -> list[LabelRow]:
    summary = journal.job(job_id)
    if summary.status == "done" and not summary.counts["queued"] and not summary.counts["uncertain"]:
        raise JobError(
            _("job {job} is complete: every label was sent; use `waybill reprint WAYBILL_NO` for one").format(
                job=job_id
            )
        )
    journal.begin(job_id)
    return journal.pending(job_id)


@dataclass(frozen=True)
class Started:
    """A job that was just created or resumed, and the labels this run sends."""

    job_id: int
    rows: list[LabelRow]
    printer: str
    profile: PrinterProfile
    cancelled: tuple[str, ...] = ()  # numbers voided since the job was made: their labels are held back


def start_batch(
    journal: Journal, planned: Planned, settings: JobSettings, printer: str, profile: PrinterProfile
) -> Started:
    """Record ``planned`` as a new batch job for ``printer``: every label queued before the first byte."""
    job_id = journal.create_job(
        kind="batch",
        printer=printer,
        profile=profile.name,
        settings=settings.to_json(),
        job_orders=planned.orders,
        planned=planned.labels,
    )
    return Started(job_id, journal.pending(job_id), printer, profile)


def resume_batch(
    journal: Journal, job_id: int, *, printer: str | None = None, profile: PrinterProfile | None = None
) -> Started:
    """Take job ``job_id`` up again: what it has not printed, on its own printer unless told otherwise."""
    summary = journal.job(job_id)
    profile = profile or get_profile(summary.profile)
    if profile.native:  # any layout rasterises; a native printer draws only its own font's cells
        _refuse_other_cells(job_id, summary, JobSettings.from_json(journal.settings(job_id)).resident_font, profile)
    rows = resumable_rows(journal, job_id)
    known = NumberStore(journal.engine).by_number(row.waybill_no for row in rows)
    cancelled = {n for n, binding in known.items() if binding.cancelled_at is not None}
    kept = [row for row in rows if row.waybill_no not in cancelled]
    return Started(job_id, kept, printer or summary.printer, profile, tuple(sorted(cancelled)))


def _refuse_other_cells(job_id: int, summary: JobSummary, laid_out_in: str | None, profile: PrinterProfile) -> None:
    """A native profile prints only labels fitted to its own printer font: a job laid out for bitmaps, or for
    another printer's font (other cells or magnifications), is refused before a byte."""
    font = driver_for(profile.language).resident_font
    if laid_out_in is None:
        raise ProfileError(
            _(
                "job {job} was laid out for {laid_out}, which prints bitmaps; printer profile {profile} prints "
                "native labels, fitted to its own font: resume with --profile {laid_out}"
            ).format(job=job_id, laid_out=summary.profile, profile=profile.name)
        )
    if laid_out_in != font:
        raise ProfileError(
            _(
                "job {job} was laid out in {laid_out_in} for {laid_out}; printer profile {profile} prints native "
                "labels in {font}: resume with --profile {laid_out}"
            ).format(job=job_id, laid_out_in=laid_out_in, laid_out=summary.profile, profile=profile.name, font=font)
        )


def refuse_cancelled(journal: Journal, waybill_no: str) -> None:
    """A cancelled number is never printed again: ``JobError`` with the reason it was cancelled."""
    cancelled = NumberStore(journal.engine).cancellation(waybill_no)
    if cancelled is not None:
        raise JobError(
            _("waybill {waybill} was cancelled ({reason}); a cancelled number is never printed again").format(
                waybill=cancelled.waybill_no, reason=cancelled.cancel_reason or _("no reason given")
            )
        )


def reprint_waybill(journal: Journal, waybill_no: str) -> tuple[JobSummary, list[LabelRow]]:
    """The labels of ``waybill_no`` as its latest job printed them, to send again as a manual reprint; the
    job is claimed (refused while another process prints it)."""
    refuse_cancelled(journal, waybill_no)
    rows = journal.labels_of_waybill(waybill_no)
    if not rows:
        raise JobError(
            _("waybill {waybill} was never printed (no label in the journal)").format(waybill=waybill_no.upper())
        )
    job_id = rows[-1].job_id
    journal.claim(job_id)
    return journal.job(job_id), [row for row in rows if row.job_id == job_id]

"""The batch runner against an in-memory printer: confirmation modes, faults, dropped links, resume."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from printers.batch import BatchRunner, RunResult
from printers.confirm_policy import BatchPolicy, OnFault
from printers.errors import JobError, PrinterStatusError, TransportError
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.printing import resumable_rows
from printers.profiles import get_profile
from printers.session import PrinterSession
from printers.transports.memory import MemoryPrinter
from tests.printers.jobs import create_job
from waybill.database import open_database


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(open_database(str(tmp_path / "w.db")))


def run(journal: Journal, job_id: int, printer: MemoryPrinter, on_fault: OnFault = "stop") -> RunResult:
    session = PrinterSession(printer, printer.profile)
    with session:
        runner = BatchRunner(
            journal,
            job_id,
            session,
            JobSettings.from_json(journal.settings(job_id)).label_job(),
            journal.job_orders(job_id),
            policy=BatchPolicy(on_fault=on_fault),
        )
        return runner.run(resumable_rows(journal, job_id))


def states(journal: Journal, job_id: int) -> dict[str, int]:
    return {k: v for k, v in journal.job(job_id).counts.items() if v}


@pytest.mark.parametrize(
    ("profile", "silent", "confirmation", "final"),
    [
        ("escpos-4inch", False, "ack", "printed"),  # GS ( H acknowledgements
        ("tspl-203", False, "idle", "printed"),  # ESC ! ? idle confirmation
        ("zpl-203", False, "idle", "printed"),  # ~HS idle confirmation
        ("tspl-203", True, "sent", "sent"),  # a link that cannot read back
    ],
)
def test_a_clean_batch_prints_every_label_once(
    journal: Journal, profile: str, silent: bool, confirmation: str, final: str
) -> None:
    printer = MemoryPrinter(get_profile(profile), silent=silent)
    job_id = create_job(journal, printer.profile)
    total = journal.job(job_id).total

    result = run(journal, job_id, printer)

    assert result.confirmation == confirmation
    assert printer.labels == total
    assert states(journal, job_id) == {final: total}
    assert journal.job(job_id).reprints == 0


def test_paper_out_with_stop_saves_the_job_and_resume_prints_the_rest_with_reprints_on_record(
    journal: Journal,
) -> None:
    profile = get_profile("escpos-4inch")
    printer = MemoryPrinter(profile, paper_out_after=3)
    job_id = create_job(journal, profile)
    total = journal.job(job_id).total

    with pytest.raises(PrinterStatusError, match="paper out"):
        run(journal, job_id, printer, on_fault="stop")

    counts = journal.job(job_id).counts
    assert journal.job(job_id).status == "stopped"
    assert counts["printed"] >= 2 and counts["sent"] == 0
    assert counts["printed"] + counts["uncertain"] + counts["queued"] == total

    reloaded = MemoryPrinter(profile)  # a new roll, and a new connection
    run(journal, job_id, reloaded)
    summary = journal.job(job_id)
    assert summary.counts["printed"] == total
    assert summary.reprints == counts["uncertain"]
    # Labels the first printer took but never printed count as lost: the only duplicates are recorded reprints.
    assert reloaded.labels == counts["uncertain"] + counts["queued"]


def test_paper_out_with_wait_carries_on_when_the_roll_is_changed(journal: Journal) -> None:
    profile = get_profile("escpos-4inch")
    printer = MemoryPrinter(profile, paper_out_after=2)
    job_id = create_job(journal, profile)
    total = journal.job(job_id).total
    timer = threading.Timer(0.6, printer.reload)
    timer.start()

    run(journal, job_id, printer, on_fault="wait")

    timer.join()
    assert states(journal, job_id) == {"printed": total}
    assert printer.labels == total
    assert journal.job(job_id).reprints == 0


def test_a_dropped_link_stops_the_job_and_resume_reprints_only_the_uncertain(journal: Journal) -> None:
    profile = get_profile("tspl-203")
    job_id = create_job(journal, profile)
    total = journal.job(job_id).total

    with pytest.raises(TransportError, match="closed the connection"):
        run(journal, job_id, MemoryPrinter(profile, drop_after=4))
    first = journal.job(job_id).counts
    assert first["sent"] == 0 and first["uncertain"] >= 1

    again = MemoryPrinter(profile)
    run(journal, job_id, again)

    summary = journal.job(job_id)
    assert summary.counts["printed"] == total
    assert summary.reprints == first["uncertain"]
    assert again.labels == first["uncertain"] + first["queued"]


def test_a_killed_run_leaves_sent_labels_that_resume_reprints(journal: Journal) -> None:
    profile = get_profile("escpos-4inch")
    job_id = create_job(journal, profile)
    rows = journal.pending(job_id)
    journal.mark_sent(rows[0], "memory://")  # the state a SIGKILL mid-write leaves behind

    printer = MemoryPrinter(profile)
    run(journal, job_id, printer)

    attempts = journal.attempts_of(job_id)
    reprints = [label.id for label, reprint, _ in attempts if reprint]
    assert reprints == [rows[0].id]
    assert printer.labels == len(rows)
    assert states(journal, job_id) == {"printed": len(rows)}


def test_a_complete_job_cannot_be_resumed(journal: Journal) -> None:
    profile = get_profile("escpos-4inch")
    job_id = create_job(journal, profile)
    run(journal, job_id, MemoryPrinter(profile))
    journal.finish(job_id, "done")
    with pytest.raises(JobError, match="is complete"):
        resumable_rows(journal, job_id)

"""The print journal on SQLite and PostgreSQL: label states, attempts and reprints, orders kept for resume."""

from __future__ import annotations

import pytest

from printers.errors import JobError
from printers.journal import Journal, PlannedLabel
from printers.journal_tables import SCHEMA
from printers.profiles import get_profile
from tests.printers.jobs import create_job
from tests.waybill.labels import long_order, sample_orders
from waybill.database import open_database, schema_version


@pytest.fixture
def journal(db_url: str) -> Journal:
    return Journal(open_database(db_url))


def test_a_job_keeps_its_orders_and_queues_every_label(journal: Journal) -> None:
    orders = [*sample_orders()[:3], long_order()]
    job_id = create_job(journal, get_profile("tspl-203"), orders)
    summary = journal.job(job_id)
    assert summary.status == "running"
    assert summary.counts == {"queued": 5, "sent": 0, "printed": 0, "uncertain": 0}  # the long order takes 2
    assert journal.job_orders(job_id) == {o.order_id: o for o in orders}
    rows = journal.pending(job_id)
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert [(row.page, row.pages) for row in rows if row.order_id == long_order().order_id] == [(1, 2), (2, 2)]
    assert schema_version(journal.engine, "print_jobs") == len(SCHEMA)


def test_sent_labels_become_uncertain_on_resume_and_their_next_attempt_is_a_reprint(journal: Journal) -> None:
    job_id = create_job(journal, get_profile("tspl-203"))
    first, second, *_ = journal.pending(job_id)
    journal.mark_sent(first, "tcp://p")
    journal.mark_printed([first.id])
    journal.mark_sent(second, "tcp://p")  # then the process dies

    assert journal.begin(job_id) == 1
    pending = journal.pending(job_id)
    assert pending[0].id == second.id and pending[0].state == "uncertain"
    assert first.id not in [row.id for row in pending]

    journal.mark_sent(pending[0], "tcp://p")
    attempts = [(label.id, reprint, reason) for label, reprint, reason in journal.attempts_of(job_id)]
    assert attempts == [(first.id, False, "first"), (second.id, False, "first"), (second.id, True, "resume")]
    assert journal.job(job_id).reprints == 1


def test_printed_is_recorded_with_its_attempt_and_never_downgraded(journal: Journal) -> None:
    job_id = create_job(journal, get_profile("tspl-203"))
    row = journal.pending(job_id)[0]
    journal.mark_sent(row, "tcp://p")
    journal.mark_printed([row.id])
    journal.mark_uncertain([row.id])  # only sent labels can become uncertain
    assert journal.labels_of_waybill(row.waybill_no)[0].state == "printed"


def test_station_labels_are_appended_and_orders_found_by_either_code(journal: Journal) -> None:
    job_id = journal.create_job(
        kind="station", printer="tcp://p", profile="tspl-203", settings="{}", job_orders=[], planned=[]
    )
    order = long_order()
    rows = journal.append_labels(job_id, order, [PlannedLabel(order.order_id, order.waybill_no, p, 2) for p in (1, 2)])
    assert [(row.seq, row.page, row.state) for row in rows] == [(1, 1, "queued"), (2, 2, "queued")]
    assert journal.find_order(order.order_id) == order
    assert journal.find_order(order.waybill_no.lower()) == order
    assert journal.find_order("NOPE") is None


def test_an_unknown_job_is_a_clear_error(journal: Journal) -> None:
    with pytest.raises(JobError, match="no print job 42"):
        journal.job(42)
    with pytest.raises(JobError, match="no print job 42"):
        journal.begin(42)

"""The pool store and the journal's label moves, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from printers.errors import JobError, JobLeaseError
from printers.journal import Journal
from printers.pool_store import PoolStore, batch_serial
from printers.profiles import get_profile
from tests.printers.jobs import create_job
from tests.waybill.labels import long_order, sample_orders
from waybill.database import open_database
from waybill.times import BEIJING


def test_pool_jobs_are_numbered_per_beijing_day_and_serials_follow(db_url: str) -> None:
    store = PoolStore(open_database(db_url))
    late = datetime(2026, 11, 27, 23, 59, tzinfo=BEIJING)
    first, second = store.create_pool_job("line-a", late), store.create_pool_job("line-b", late)
    after_midnight = store.create_pool_job("line-a", datetime(2026, 11, 27, 16, 1, tzinfo=UTC))  # 00:01 Beijing
    assert [(j.day, j.day_no) for j in (first, second, after_midnight)] == [
        ("261127", 1),
        ("261127", 2),
        ("261128", 1),
    ]
    assert first.serial(7) == "261127-001-007" and batch_serial("261127", 12, 1234) == "261127-012-1234"
    assert not store.pool_job(first.id).ready
    store.mark_ready(first.id)
    assert store.pool_job(first.id).ready


def test_labels_move_with_their_orders_attempts_and_serials(db_url: str) -> None:
    engine = open_database(db_url)
    journal, store = Journal(engine), PoolStore(engine)
    profile = get_profile("tspl-203")
    source = create_job(journal, profile, [*sample_orders()[:2], long_order()])
    record = store.create_pool_job("line-a", datetime(2026, 11, 27, 10, 0, tzinfo=BEIJING))
    rows = journal.labels_of_job(source)
    store.add_run(record.id, source, "p1")
    store.add_labels(record, [(row.id, n) for n, row in enumerate(rows, start=1)])
    journal.mark_sent(rows[0], "tcp://p1")
    journal.mark_printed([rows[0].id])
    journal.mark_sent(rows[1], "tcp://p1")
    journal.mark_uncertain([rows[1].id])  # the fault: its fate is unknown

    with pytest.raises(JobError, match="cannot move"):
        journal.move_labels([rows[0].id], source)  # printed: it stays
    target = journal.create_job(kind="pool", printer="tcp://p2", profile=profile.name, settings="{}",
                                job_orders=(), planned=())  # fmt: skip
    stranger = Journal(engine)
    with pytest.raises(JobLeaseError):
        stranger.move_labels([row.id for row in rows[1:]], target)

    moved = journal.move_labels([row.id for row in rows[1:]], target)
    assert [(row.id, row.seq, row.state) for row in moved] == [
        (rows[1].id, 1, "uncertain"),
        (rows[2].id, 2, "queued"),
        (rows[3].id, 3, "queued"),
    ]
    assert set(journal.job_orders(target)) == {rows[1].order_id, long_order().order_id}
    assert [row.id for row in journal.labels_of_job(source)] == [rows[0].id]
    assert store.serials([row.id for row in moved]) == {
        rows[1].id: "261127-001-002",
        rows[2].id: "261127-001-003",
        rows[3].id: "261127-001-004",
    }
    journal.mark_sent(moved[0], "tcp://p2")  # on the other printer, the uncertain label is a recorded reprint
    assert [(reprint, reason) for _, reprint, reason in journal.attempts_of(target)] == [
        (False, "first"),
        (True, "resume"),
    ]

"""The print journal: every batch is a job, every label a row, every time a label's bytes go out an attempt.

A label moves ``queued → sent → printed``; ``sent`` is committed *before* its first byte is written, so
a process killed at any instant (even by SIGKILL) leaves a journal that tells which labels may have reached
the printer. A label ``sent`` but never confirmed when a run ends early becomes ``uncertain``; resuming the
job prints it again and records that attempt as a reprint (补打). Printed labels are never sent again by a
resume.

A job has one owner at a time: a lease in the store (``owner``, ``lease_expires_at``), taken atomically when
the job is created or resumed and renewed while it runs. A second process cannot resume a job whose owner is
alive; a job whose owner died shows as ``interrupted`` and can be resumed. A label is marked ``sent`` only
by the lease holder, in the same transaction that checks the lease, so no two processes ever send one job.
A printer pool's failover moves labels not yet printed to another job (``move_labels``): they keep their
ids and attempts, so one sent before is a reprint wherever it prints next.

Tables (component ``print_jobs`` in ``schema_versions``, defined in ``printers.journal_tables``):
``print_jobs``, ``print_orders`` (the orders a job was created from, so a resume prints exactly the same
labels), ``print_labels`` and ``print_attempts``.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from printers.errors import JobError, JobLeaseError, PrintedMeanwhileError
from printers.job_list import JobSummary, job_summaries, lease_live
from printers.journal_tables import (
    COMPONENT,
    PRINTED,
    QUEUED,
    SCHEMA,
    SENT,
    STATES,
    UNCERTAIN,
    JobStatus,
    LabelState,
    attempts,
    jobs,
    labels,
    orders,
)
from waybill.database import ensure_schema, lock_for_write, sql_reader
from waybill.model import Order
from waybill.order_codec import decode_order, encode_order

LEASE_SECONDS = 30.0  # a running job's owner renews its lease every third of this


@dataclass(frozen=True)
class LabelRow:
    id: int
    job_id: int
    seq: int
    order_id: str
    waybill_no: str
    page: int
    pages: int
    state: LabelState
    attempts: int
    repeat: bool = False


@dataclass(frozen=True)
class PlannedLabel:
    order_id: str
    waybill_no: str
    page: int
    pages: int
    repeat: bool = False  # printed before by another job; sending it is a recorded reprint


def _now() -> datetime:
    return datetime.now(UTC)


def new_owner() -> str:
    """This process's name as a lease holder: host, pid and a token unique to this journal."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Journal:
    def __init__(self, engine: Engine, *, owner: str | None = None, lease_seconds: float = LEASE_SECONDS) -> None:
        self.engine = engine
        self.owner = owner or new_owner()
        self.lease = timedelta(seconds=lease_seconds)
        ensure_schema(engine, COMPONENT, SCHEMA)

    def _write(self) -> Any:
        return self.engine.begin()

    def create_job(
        self,
        *,
        kind: str,
        printer: str,
        profile: str,
        settings: str,
        job_orders: Iterable[Order],
        planned: Iterable[PlannedLabel],
    ) -> int:
        """One transaction: the job, its orders and all its labels, queued."""
        now = _now()
        with self._write() as connection:
            job_id = int(
                connection.execute(
                    jobs.insert().values(
                        kind=kind,
                        status="running",
                        created_at=now,
                        updated_at=now,
                        printer=printer,
                        profile=profile,
                        settings=settings,
                        owner=self.owner,
                        lease_expires_at=now + self.lease,
                    )
                ).inserted_primary_key[0]
            )
            order_rows = [
                {"job_id": job_id, "order_id": o.order_id, "waybill_no": o.waybill_no, "data": encode_order(o)}
                for o in job_orders
            ]
            if order_rows:
                connection.execute(orders.insert(), order_rows)
            self._add_labels(connection, job_id, planned, start=1)
        return job_id

    def append_labels(
        self,
        job_id: int,
        order: Order,
        planned: Sequence[PlannedLabel],
        *,
        also: Callable[[Connection], None] | None = None,
    ) -> list[LabelRow]:
        """Station mode: add one order and its labels to a running job; returns the new rows. ``also`` writes
        what must be recorded with them in the same transaction (a pack verification: one commit, not two)."""
        with self._write() as connection:
            if also is not None:
                also(connection)
            exists = connection.execute(
                sa.select(orders.c.order_id).where(orders.c.job_id == job_id, orders.c.order_id == order.order_id)
            ).first()
            if exists is None:
                connection.execute(
                    orders.insert().values(
                        job_id=job_id, order_id=order.order_id, waybill_no=order.waybill_no, data=encode_order(order)
                    )
                )
            start = (
                connection.execute(sa.select(sa.func.max(labels.c.seq)).where(labels.c.job_id == job_id)).scalar() or 0
            ) + 1
            self._add_labels(connection, job_id, planned, start=start)
            rows = connection.execute(
                sa.select(labels).where(labels.c.job_id == job_id, labels.c.seq >= start).order_by(labels.c.seq)
            ).all()
        return [_label(row) for row in rows]

    @staticmethod
    def _add_labels(connection: Connection, job_id: int, planned: Iterable[PlannedLabel], start: int) -> None:
        rows = [
            {
                "job_id": job_id,
                "seq": seq,
                "order_id": p.order_id,
                "waybill_no": p.waybill_no,
                "page": p.page,
                "pages": p.pages,
                "state": QUEUED,
                "attempts": 0,
                "repeat": p.repeat,
            }
            for seq, p in enumerate(planned, start=start)
        ]
        if rows:
            connection.execute(labels.insert(), rows)

    def job(self, job_id: int) -> JobSummary:
        summaries = self.jobs(job_id=job_id)
        if not summaries:
            raise JobError(f"no print job {job_id} in the journal (see `waybill jobs`)")
        return summaries[0]

    def jobs(self, *, job_id: int | None = None, limit: int = 50) -> list[JobSummary]:
        with self.engine.connect() as connection:
            reader = sql_reader(connection)
            return job_summaries(reader, job_id=job_id, limit=limit)

    def settings(self, job_id: int) -> str:
        with self.engine.connect() as connection:
            value = connection.execute(sa.select(jobs.c.settings).where(jobs.c.id == job_id)).scalar()
        if value is None:
            raise JobError(f"no print job {job_id} in the journal (see `waybill jobs`)")
        return str(value)

    def job_orders(self, job_id: int) -> dict[str, Order]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(orders.c.data).where(orders.c.job_id == job_id)).all()
        decoded = (decode_order(row.data) for row in rows)
        return {order.order_id: order for order in decoded}

    def find_order(self, code: str) -> Order | None:
        """The most recent order printed (or queued) under this order id or waybill number."""
        code = code.strip()
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(orders.c.data)
                .where(sa.or_(orders.c.order_id == code, orders.c.waybill_no == code.upper()))
                .order_by(orders.c.job_id.desc())
                .limit(1)
            ).first()
        return decode_order(row.data) if row else None

    def labels_of_waybill(self, waybill_no: str) -> list[LabelRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(labels).where(labels.c.waybill_no == waybill_no.upper()).order_by(labels.c.id)
            ).all()
        return [_label(row) for row in rows]

    def printed_orders(self, order_ids: Iterable[str]) -> set[str]:
        """Of ``order_ids``, those whose every label, in every job, is printed (and that have labels)."""
        wanted = sorted(set(order_ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(
                    sa.select(labels.c.order_id)
                    .where(labels.c.order_id.in_(wanted[start : start + 500]))
                    .group_by(labels.c.order_id)
                    .having(sa.func.min(sa.case((labels.c.state == PRINTED, 1), else_=0)) == 1)
                ).scalars()
                found.update(str(order_id) for order_id in rows)
        return found

    def labels_of_job(self, job_id: int) -> list[LabelRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(labels).where(labels.c.job_id == job_id).order_by(labels.c.seq)).all()
        return [_label(row) for row in rows]

    def pending(self, job_id: int) -> list[LabelRow]:
        """Labels a run of this job still has to print, in order: queued and uncertain ones."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(labels)
                .where(labels.c.job_id == job_id, labels.c.state.in_((QUEUED, UNCERTAIN)))
                .order_by(labels.c.seq)
            ).all()
        return [_label(row) for row in rows]

    def begin(self, job_id: int) -> int:
        """Start (or resume) a run: claim the job, and labels left ``sent`` by an earlier run become
        ``uncertain``."""
        self.claim(job_id)
        with self._write() as connection:
            self._require_job(connection, job_id)
            changed = connection.execute(
                labels.update().where(labels.c.job_id == job_id, labels.c.state == SENT).values(state=UNCERTAIN)
            ).rowcount
            connection.execute(jobs.update().where(jobs.c.id == job_id).values(status="running", updated_at=_now()))
        return int(changed)

    @staticmethod
    def _require_job(connection: Connection, job_id: int) -> None:
        if connection.execute(sa.select(jobs.c.id).where(jobs.c.id == job_id)).first() is None:
            raise JobError(f"no print job {job_id} in the journal (see `waybill jobs`)")

    def claim(self, job_id: int) -> None:
        """Become the owner of ``job_id``: refused while another live process holds it.

        A compare-and-swap on the owner column, so two processes claiming at once cannot both win, on SQLite
        (one writer at a time) and on PostgreSQL (the row lock re-checks the condition).
        """
        now = _now()
        with self._write() as connection:
            row = connection.execute(
                sa.select(jobs.c.owner, jobs.c.lease_expires_at).where(jobs.c.id == job_id)
            ).first()
            if row is None:
                raise JobError(f"no print job {job_id} in the journal (see `waybill jobs`)")
            if row.owner != self.owner and lease_live(row.owner, row.lease_expires_at, now):
                raise JobLeaseError(job_id, row.owner, row.lease_expires_at)
            taken = connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id, _same_owner(row.owner))
                .values(owner=self.owner, lease_expires_at=now + self.lease, updated_at=now)
            ).rowcount
        if not taken:  # someone else claimed it between our read and our write
            self.claim(job_id)

    def renew(self, job_id: int) -> bool:
        """Extend this process's lease on ``job_id``; False when it is no longer ours."""
        now = _now()
        with self._write() as connection:
            renewed = connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.owner == self.owner)
                .values(lease_expires_at=now + self.lease)
            ).rowcount
        return bool(renewed)

    def release(self, job_id: int) -> None:
        with self._write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id, jobs.c.owner == self.owner)
                .values(owner=None, lease_expires_at=None)
            )

    @contextmanager
    def holding(self, job_id: int) -> Iterator[None]:
        """Hold the lease on ``job_id`` (already claimed) for the block: a thread renews it, the end releases it."""
        stop = threading.Event()
        interval = self.lease.total_seconds() / 3

        def keep() -> None:
            while not stop.wait(interval) and self.renew(job_id):
                pass

        keeper = threading.Thread(target=keep, name=f"lease-{job_id}", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            self.release(job_id)

    def printed_before(self, waybill_nos: Iterable[str]) -> dict[str, int]:
        """Of ``waybill_nos``, those some job has already sent to a printer: waybill → its latest job."""
        wanted = sorted({w.upper() for w in waybill_nos})
        found: dict[str, int] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(
                    sa.select(labels.c.waybill_no, sa.func.max(labels.c.job_id))
                    .where(labels.c.waybill_no.in_(wanted[start : start + 500]), labels.c.attempts > 0)
                    .group_by(labels.c.waybill_no)
                ).all()
                found.update((str(w), int(j)) for w, j in rows)
        return found

    def mark_sent(self, label: LabelRow, printer: str, *, reason: str | None = None) -> int:
        """Record, before the first byte goes out, that this label is being sent; returns the attempt id.

        A label that was sent before (uncertain after a drop, or printed and asked for again), or put in this
        job on purpose although another job printed it, is a reprint. Only the job's lease holder may send.
        A first print of a page another job has sent since is refused (``PrintedMeanwhileError``).
        """
        now = _now()
        again = label.attempts > 0 or label.state != QUEUED
        reprint = again or label.repeat
        with self._write() as connection:
            # One first print of a waybill's page, whichever station or batch gets there first: the check
            # and the mark are one transaction, serialised per waybill.
            lock_for_write(connection, f"print_labels:{label.waybill_no}")
            owner = connection.execute(sa.select(jobs.c.owner).where(jobs.c.id == label.job_id)).scalar()
            if owner != self.owner:
                raise JobLeaseError(label.job_id, owner, None)
            if not reprint:
                elsewhere = connection.execute(
                    sa.select(labels.c.job_id).where(
                        labels.c.waybill_no == label.waybill_no,
                        labels.c.page == label.page,
                        labels.c.job_id != label.job_id,
                        labels.c.attempts > 0,
                    )
                ).first()
                if elsewhere is not None:
                    raise PrintedMeanwhileError(label.waybill_no, int(elsewhere.job_id))
            connection.execute(
                labels.update()
                .where(labels.c.id == label.id)
                .values(state=SENT, attempts=labels.c.attempts + 1, sent_at=now, printer=printer)
            )
            attempt = connection.execute(
                attempts.insert().values(
                    label_id=label.id,
                    reprint=reprint,
                    printer=printer,
                    started_at=now,
                    reason=reason or ("resume" if again else "manual" if reprint else "first"),
                )
            ).inserted_primary_key[0]
        return int(attempt)

    def withdraw(self, label_ids: Sequence[int]) -> None:
        """Take labels that were never sent out of their job (printed meanwhile by another)."""
        if not label_ids:
            return
        with self._write() as connection:
            connection.execute(labels.delete().where(labels.c.id.in_(label_ids), labels.c.attempts == 0))

    def mark_printed(self, label_ids: Sequence[int]) -> None:
        if not label_ids:
            return
        now = _now()
        with self._write() as connection:
            connection.execute(
                labels.update()
                .where(labels.c.id.in_(label_ids), labels.c.state == SENT)
                .values(state=PRINTED, printed_at=now)
            )
            latest = (
                sa.select(sa.func.max(attempts.c.id))
                .where(attempts.c.label_id.in_(label_ids))
                .group_by(attempts.c.label_id)
                .scalar_subquery()
            )
            connection.execute(attempts.update().where(attempts.c.id.in_(latest)).values(confirmed_at=now))

    def mark_uncertain(self, label_ids: Sequence[int]) -> None:
        """Labels whose fate is unknown now (sent, then the link dropped or a fault stopped the run)."""
        if label_ids:
            with self._write() as connection:
                connection.execute(
                    labels.update().where(labels.c.id.in_(label_ids), labels.c.state == SENT).values(state=UNCERTAIN)
                )

    def move_labels(self, label_ids: Sequence[int], to_job: int) -> list[LabelRow]:
        """Failover (printer pools): labels not printed (queued or uncertain) leave their job for the end of
        ``to_job``, in the order given, with their orders. A label keeps its id and its attempts, so one that
        was sent before prints again as a reprint. This process must hold the lease of every job involved."""
        with self._write() as connection:
            found = {
                row.id: row for row in connection.execute(sa.select(labels).where(labels.c.id.in_(label_ids))).all()
            }
            missing = [i for i in label_ids if i not in found or found[i].state not in (QUEUED, UNCERTAIN)]
            if missing:
                raise JobError(f"labels {missing[:5]} cannot move: unknown, printed or being sent")
            involved = {row.job_id for row in found.values()} | {to_job}
            for job_id, owner in connection.execute(sa.select(jobs.c.id, jobs.c.owner).where(jobs.c.id.in_(involved))):
                if owner != self.owner:
                    raise JobLeaseError(job_id, owner, None)
            have = set(connection.execute(sa.select(orders.c.order_id).where(orders.c.job_id == to_job)).scalars())
            wanted = {(row.job_id, row.order_id) for row in found.values() if row.order_id not in have}
            for job_id, order_id in sorted(wanted):
                data = connection.execute(
                    sa.select(orders).where(orders.c.job_id == job_id, orders.c.order_id == order_id)
                ).one()
                connection.execute(
                    orders.insert().values(job_id=to_job, order_id=order_id, waybill_no=data.waybill_no, data=data.data)
                )
            start = connection.execute(sa.select(sa.func.max(labels.c.seq)).where(labels.c.job_id == to_job)).scalar()
            for seq, label_id in enumerate(label_ids, start=(start or 0) + 1):
                connection.execute(labels.update().where(labels.c.id == label_id).values(job_id=to_job, seq=seq))
            rows = connection.execute(sa.select(labels).where(labels.c.id.in_(label_ids)).order_by(labels.c.seq)).all()
        return [_label(row) for row in rows]

    def finish(self, job_id: int, status: Literal["stopped", "done"], note: str = "") -> None:
        """End this process's run of the job: its status, and the lease is let go."""
        with self._write() as connection:
            connection.execute(
                jobs.update()
                .where(jobs.c.id == job_id)
                .values(status=status, note=note, updated_at=_now(), owner=None, lease_expires_at=None)
            )

    def attempts_of(self, job_id: int) -> list[tuple[LabelRow, bool, str]]:
        """Every attempt of a job in order: (label, reprint?, reason)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(labels, attempts.c.reprint, attempts.c.reason)
                .select_from(attempts.join(labels))
                .where(labels.c.job_id == job_id)
                .order_by(attempts.c.id)
            ).all()
        return [(_label(row), bool(row.reprint), str(row.reason)) for row in rows]


def _same_owner(owner: str | None) -> Any:
    return jobs.c.owner.is_(None) if owner is None else jobs.c.owner == owner


def _label(row: Any) -> LabelRow:
    return LabelRow(
        row.id,
        row.job_id,
        row.seq,
        row.order_id,
        row.waybill_no,
        row.page,
        row.pages,
        row.state,
        row.attempts,
        bool(row.repeat),
    )


__all__ = [
    "COMPONENT",
    "LEASE_SECONDS",
    "STATES",
    "JobStatus",
    "JobSummary",
    "Journal",
    "LabelRow",
    "LabelState",
    "PlannedLabel",
    "new_owner",
]

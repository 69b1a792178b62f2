"""The print journal: every batch is a job, every label a row, every time a label's bytes go out an attempt.

A label moves ``queued → sent → printed``; ``sent`` is committed *before* its first byte is written, so
a process killed at any instant (even by SIGKILL) leaves a journal that tells which labels may have reached
the printer. A label ``sent`` but never confirmed when a run ends early becomes ``uncertain``; resuming the
job prints it again and records that attempt as a reprint (补打). Printed labels are never sent again by a
resume.

Tables (component ``print_jobs`` in ``schema_versions``): ``print_jobs``, ``print_orders`` (the orders a job
was created from, so a resume prints exactly the same labels), ``print_labels`` and ``print_attempts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from printers.errors import JobError
from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema
from waybill.errors import DatabaseError
from waybill.model import Order
from waybill.order_codec import decode_order, encode_order

COMPONENT = "print_jobs"
QUEUED, SENT, PRINTED, UNCERTAIN = "queued", "sent", "printed", "uncertain"
STATES = (QUEUED, SENT, PRINTED, UNCERTAIN)

metadata = sa.MetaData()
jobs = sa.Table(
    "print_jobs",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # batch | station | reprint
    sa.Column("status", sa.String(16), nullable=False),  # running | stopped | done
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("printer", sa.Text, nullable=False),
    sa.Column("profile", sa.String(64), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: how labels are rendered (see printers.jobspec)
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)
orders = sa.Table(
    "print_orders",
    metadata,
    sa.Column("job_id", Id, sa.ForeignKey("print_jobs.id"), primary_key=True),
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("waybill_no", sa.String(32), nullable=False, index=True),
    sa.Column("data", sa.Text, nullable=False),
)
labels = sa.Table(
    "print_labels",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("job_id", Id, sa.ForeignKey("print_jobs.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("waybill_no", sa.String(32), nullable=False, index=True),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("printed_at", UtcDateTime),
    sa.Column("printer", sa.Text),
    sa.UniqueConstraint("job_id", "seq"),
    sa.Index("print_labels_job_state", "job_id", "state"),
)
attempts = sa.Table(
    "print_attempts",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("label_id", Id, sa.ForeignKey("print_labels.id"), nullable=False, index=True),
    sa.Column("reprint", sa.Boolean, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),  # first | resume | fault | manual | station
    sa.Column("printer", sa.Text, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("confirmed_at", UtcDateTime),
)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create_tables,)


@dataclass(frozen=True)
class LabelRow:
    id: int
    job_id: int
    seq: int
    order_id: str
    waybill_no: str
    page: int
    pages: int
    state: str
    attempts: int


@dataclass(frozen=True)
class JobSummary:
    id: int
    kind: str
    status: str
    created_at: datetime
    updated_at: datetime
    printer: str
    profile: str
    counts: dict[str, int]
    reprints: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class PlannedLabel:
    order_id: str
    waybill_no: str
    page: int
    pages: int


def _now() -> datetime:
    return datetime.now(UTC)


class Journal:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
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

    def append_labels(self, job_id: int, order: Order, planned: Sequence[PlannedLabel]) -> list[LabelRow]:
        """Station mode: add one order and its labels to a running job; returns the new rows."""
        with self._write() as connection:
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
        query = sa.select(jobs).order_by(jobs.c.id.desc()).limit(limit)
        if job_id is not None:
            query = query.where(jobs.c.id == job_id)
        with self.engine.connect() as connection:
            job_rows = connection.execute(query).all()
            ids = [row.id for row in job_rows]
            counts = connection.execute(
                sa.select(labels.c.job_id, labels.c.state, sa.func.count())
                .where(labels.c.job_id.in_(ids))
                .group_by(labels.c.job_id, labels.c.state)
            ).all()
            reprints = connection.execute(
                sa.select(labels.c.job_id, sa.func.count())
                .select_from(attempts.join(labels))
                .where(labels.c.job_id.in_(ids), attempts.c.reprint.is_(True))
                .group_by(labels.c.job_id)
            ).all()
        by_job: dict[int, dict[str, int]] = {i: dict.fromkeys(STATES, 0) for i in ids}
        for job, state, count in counts:
            by_job[job][state] = count
        reprint_counts = dict((job, count) for job, count in reprints)
        return [
            JobSummary(
                row.id,
                row.kind,
                row.status,
                row.created_at,
                row.updated_at,
                row.printer,
                row.profile,
                by_job[row.id],
                reprint_counts.get(row.id, 0),
            )
            for row in job_rows
        ]

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
        """Start (or resume) a run: labels left ``sent`` by an earlier run become ``uncertain``."""
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

    def mark_sent(self, label: LabelRow, printer: str, *, reason: str | None = None) -> int:
        """Record, before the first byte goes out, that this label is being sent; returns the attempt id.

        A label that was sent before (uncertain after a drop, or printed and asked for again) is a reprint.
        """
        now = _now()
        reprint = label.attempts > 0 or label.state != QUEUED
        with self._write() as connection:
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
                    reason=reason or ("resume" if reprint else "first"),
                )
            ).inserted_primary_key[0]
        return int(attempt)

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

    def finish(self, job_id: int, status: str, note: str = "") -> None:
        with self._write() as connection:
            connection.execute(
                jobs.update().where(jobs.c.id == job_id).values(status=status, note=note, updated_at=_now())
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


def _label(row: Any) -> LabelRow:
    return LabelRow(
        row.id, row.job_id, row.seq, row.order_id, row.waybill_no, row.page, row.pages, row.state, row.attempts
    )


__all__ = ["COMPONENT", "STATES", "DatabaseError", "JobSummary", "Journal", "LabelRow", "PlannedLabel"]

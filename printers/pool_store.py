"""What the journal does not know about pool jobs: which print jobs are the runs of one pool job, on which
printer, moved from which run, and each label's batch serial.

Tables (component ``print_pools`` in ``schema_versions``):

- ``pool_jobs``: one per job submitted to a pool; ``day`` (YYMMDD, Beijing time) and ``day_no`` (the job's
  number that day) make the first two parts of its batch serials. ``ready`` turns true once every run is
  recorded: a pool job left half-recorded by a crash is never printed.
- ``pool_runs``: one per run, a print job (``print_jobs``, kind ``pool``) on one printer of the pool;
  ``from_job`` is the run a failover moved its labels from.
- ``pool_labels``: every label's sequence in the pool job and its serial ``YYMMDD-JJJ-SSS``. A label keeps
  its row when it moves to another run (the journal keeps the label's id), so it keeps its serial.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from printers.errors import JobError
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.journal_tables import jobs as print_jobs
from printers.journal_tables import labels as print_labels
from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema
from waybill.pipeline import LabelJob
from waybill.times import BEIJING

__all__ = ["COMPONENT", "PoolJobRecord", "PoolStore", "RunRecord", "batch_serial"]

COMPONENT = "print_pools"

metadata = sa.MetaData()
pool_jobs = sa.Table(
    "pool_jobs",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("pool", sa.String(64), nullable=False),
    sa.Column("day", sa.String(6), nullable=False),
    sa.Column("day_no", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("ready", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("day", "day_no"),
)
pool_runs = sa.Table(
    "pool_runs",
    metadata,
    sa.Column("job_id", Id, sa.ForeignKey(print_jobs.c.id), primary_key=True),
    sa.Column("pool_job_id", Id, sa.ForeignKey(pool_jobs.c.id), nullable=False, index=True),
    sa.Column("printer", sa.String(64), nullable=False),  # the printer's name in the pool file
    sa.Column("from_job", Id),  # the run a failover moved these labels from
)
pool_labels = sa.Table(
    "pool_labels",
    metadata,
    sa.Column("label_id", Id, sa.ForeignKey(print_labels.c.id), primary_key=True),
    sa.Column("pool_job_id", Id, sa.ForeignKey(pool_jobs.c.id), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("serial", sa.String(32), nullable=False),
    sa.UniqueConstraint("pool_job_id", "seq"),
)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create_tables,)


def batch_serial(day: str, day_no: int, seq: int) -> str:
    """``YYMMDD-JJJ-SSS``: the day, the job's number that day, the label's sequence in the job (a fourth
    digit only past 999)."""
    return f"{day}-{day_no:03d}-{seq:03d}"


@dataclass(frozen=True)
class PoolJobRecord:
    id: int
    pool: str
    day: str
    day_no: int
    created_at: datetime
    ready: bool

    def serial(self, seq: int) -> str:
        return batch_serial(self.day, self.day_no, seq)


@dataclass(frozen=True)
class RunRecord:
    job_id: int
    pool_job_id: int
    printer: str
    from_job: int | None


class PoolStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Journal(engine)  # the journal's tables first: ours refer to them
        ensure_schema(engine, COMPONENT, SCHEMA)

    def create_pool_job(self, pool: str, at: datetime) -> PoolJobRecord:
        """A new pool job, numbered within its day (Beijing time); not ``ready`` until ``mark_ready``."""
        day = at.astimezone(BEIJING).strftime("%y%m%d")
        for _ in range(5):  # two hosts numbering at once: the unique (day, day_no) makes one try again
            try:
                with self.engine.begin() as connection:
                    day_no = 1 + (
                        connection.execute(
                            sa.select(sa.func.max(pool_jobs.c.day_no)).where(pool_jobs.c.day == day)
                        ).scalar()
                        or 0
                    )
                    inserted = connection.execute(
                        pool_jobs.insert().values(pool=pool, day=day, day_no=day_no, created_at=at)
                    )
                    job_id = inserted.inserted_primary_key[0]  # type: ignore[index]  # always a key after INSERT
                return PoolJobRecord(int(job_id), pool, day, day_no, at, False)
            except sa.exc.IntegrityError:
                continue
        raise JobError(f"could not number a new pool job for {day}: the store is too busy, try again")

    def mark_ready(self, pool_job_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(pool_jobs.update().where(pool_jobs.c.id == pool_job_id).values(ready=True))

    def pool_job(self, pool_job_id: int) -> PoolJobRecord:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(pool_jobs).where(pool_jobs.c.id == pool_job_id)).first()
        if row is None:
            raise JobError(f"no pool job {pool_job_id} in the store")
        return PoolJobRecord(row.id, row.pool, row.day, row.day_no, row.created_at, bool(row.ready))

    def add_run(self, pool_job_id: int, job_id: int, printer: str, *, from_job: int | None = None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                pool_runs.insert().values(job_id=job_id, pool_job_id=pool_job_id, printer=printer, from_job=from_job)
            )

    def runs(self, pool_job_id: int) -> list[RunRecord]:
        """The runs of a pool job, in the order they were made."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(pool_runs).where(pool_runs.c.pool_job_id == pool_job_id).order_by(pool_runs.c.job_id)
            ).all()
        return [RunRecord(row.job_id, row.pool_job_id, row.printer, row.from_job) for row in rows]

    def run(self, job_id: int) -> RunRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(pool_runs).where(pool_runs.c.job_id == job_id)).first()
        return RunRecord(row.job_id, row.pool_job_id, row.printer, row.from_job) if row else None

    def add_labels(self, pool_job: PoolJobRecord, labels: Iterable[tuple[int, int]]) -> None:
        """Record ``(label id, sequence)`` pairs of the pool job, each with its serial."""
        rows = [
            {"label_id": label_id, "pool_job_id": pool_job.id, "seq": seq, "serial": pool_job.serial(seq)}
            for label_id, seq in labels
        ]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(pool_labels.insert(), rows)

    def label_job(self, journal: Journal, job_id: int) -> LabelJob:
        """How job ``job_id`` renders its labels (its own settings), with each label's batch serial: a pool run
        resumed or reprinted any way prints the serials it was given."""
        job = JobSettings.from_json(journal.settings(job_id)).label_job()
        labels = journal.labels_of_job(job_id)
        serials = self.serials([label.id for label in labels])
        by_page = {(label.order_id, label.page): serials[label.id] for label in labels if label.id in serials}
        return replace(job, options=replace(job.options, batch_serials=by_page)) if by_page else job

    def serials(self, label_ids: Sequence[int]) -> dict[int, str]:
        """label id → batch serial, for those of ``label_ids`` printed through a pool."""
        found: dict[int, str] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(label_ids), 500):
                rows = connection.execute(
                    sa.select(pool_labels.c.label_id, pool_labels.c.serial).where(
                        pool_labels.c.label_id.in_(label_ids[start : start + 500])
                    )
                ).all()
                found.update((int(label_id), str(serial)) for label_id, serial in rows)
        return found

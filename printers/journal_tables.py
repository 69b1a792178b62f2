"""The print journal's tables and their schema steps (component ``print_jobs``): what the journal writes,
and what the pool store and retention read beside it.

``print_jobs`` (one row a job: kind, status, printer, profile, render settings, the lease), ``print_orders``
(the orders a job was created from), ``print_labels`` (one row a label: state, attempts) and
``print_attempts`` (every time a label's bytes went out).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from printers.journal_states import (
    COMPONENT,
    PRINTED,
    QUEUED,
    SCHEMA_VERSION,
    SENT,
    STATES,
    UNCERTAIN,
    JobStatus,
    LabelState,
)
from waybill.database import Id, SchemaStep, UtcDateTime

__all__ = [
    "COMPONENT",
    "PRINTED",
    "QUEUED",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SENT",
    "STATES",
    "UNCERTAIN",
    "JobStatus",
    "LabelState",
    "attempts",
    "jobs",
    "labels",
    "metadata",
    "orders",
]

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
    sa.Column("owner", sa.Text),  # host:pid:token of the process printing it; NULL when nobody is
    sa.Column("lease_expires_at", UtcDateTime),
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
    # printed by an earlier job and put in this one on purpose (`waybill print --reprint`): a reprint
    sa.Column("repeat", sa.Boolean, nullable=False, server_default=sa.false()),
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


def _add_leases_and_repeats(connection: Connection) -> None:
    """Version 2: job leases and deliberate repeats. (Version 1 databases made today's tables already.)"""
    present = {
        table: {c["name"] for c in sa.inspect(connection).get_columns(table)}
        for table in ("print_jobs", "print_labels")
    }
    timestamp = sa.DateTime(timezone=True).compile(dialect=connection.dialect)
    wanted = [
        ("print_jobs", "owner", "TEXT"),
        ("print_jobs", "lease_expires_at", timestamp),
        ("print_labels", "repeat", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ]
    for table, column, kind in wanted:
        if column not in present[table]:
            connection.execute(sa.text(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}'))


SCHEMA: Sequence[SchemaStep] = (_create_tables, _add_leases_and_repeats)

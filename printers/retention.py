"""Retention: finished print jobs' personal data removed after a date, their counts kept.

A job keeps the orders it printed (``print_orders``: names, phones, addresses, items, remarks) so that a
resume or a reprint prints the same labels. ``purge_finished_jobs`` deletes those orders for jobs finished
(status ``done``) before a date. It keeps the job, every label row (order id, waybill number, page, state,
attempts, times) and every attempt with its reprint reason, so ``waybill jobs`` shows the same counts; the
purged waybills can no longer be reprinted from the journal. Jobs not done (stopped, running) keep their
orders: they may still be resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from printers.journal_tables import COMPONENT, SCHEMA, jobs, orders
from waybill.database import ensure_schema
from waybill.errors import DatabaseError

__all__ = ["JobsPurge", "purge_finished_jobs"]


@dataclass(frozen=True)
class JobsPurge:
    jobs: int  # finished jobs whose orders were removed
    orders: int


def purge_finished_jobs(engine: Engine, before: datetime) -> JobsPurge:
    """Remove the orders of every job finished before ``before`` (aware); one transaction."""
    ensure_schema(engine, COMPONENT, SCHEMA)
    finished = sa.select(jobs.c.id).where(jobs.c.status == "done", jobs.c.updated_at < before)
    try:
        with engine.begin() as connection:
            count = connection.execute(
                sa.select(sa.func.count(sa.distinct(orders.c.job_id))).where(orders.c.job_id.in_(finished))
            ).scalar_one()
            removed = connection.execute(orders.delete().where(orders.c.job_id.in_(finished))).rowcount
    except sa.exc.SQLAlchemyError as error:
        raise DatabaseError(f"cannot purge print jobs: {str(error).strip().splitlines()[0]}") from error
    return JobsPurge(int(count), int(removed))

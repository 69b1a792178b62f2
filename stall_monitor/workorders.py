"""Work orders of every kind: opened by a buyer, answered by the merchant within the response time of the
kind's rules. A stall work order's subject is its waybill, an invoice work order's its order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stall_monitor.batches import Rejected, valid_batches
from stall_monitor.errors import TrackingError
from stall_monitor.sources.files import WorkOrderRecord
from stall_monitor.store import WorkOrderKind, prepare, upsert, work_orders, writing
from waybill.errors import Problem
from waybill.i18n import ngettext
from waybill.times import beijing_iso

__all__ = ["WorkOrderCounts", "ingest_work_orders", "open_work_order", "respond_work_order", "write_work_orders"]


@dataclass
class WorkOrderCounts:
    written: int = 0
    rejected: int = 0

    def summary(self) -> str:
        return ngettext(
            "{n} work order written, {rejected} rejected", "{n} work orders written, {rejected} rejected", self.written
        ).format(n=self.written, rejected=self.rejected)


def open_work_order(engine: Engine, subject: str, at: datetime, kind: WorkOrderKind = "stall") -> bool:
    """Record a work order opened at ``at``; False when exactly that one is already recorded."""
    prepare(engine)
    with writing(engine, "cannot write work orders") as connection:
        statement = (
            upsert(connection, work_orders)
            .on_conflict_do_nothing(index_elements=["kind", "subject", "opened_at"])
            .returning(work_orders.c.id)
        )
        row = {"kind": kind, "subject": subject_of(kind, subject), "opened_at": at}
        created = connection.execute(statement, [row]).first()
    return created is not None


def respond_work_order(engine: Engine, subject: str, at: datetime, kind: WorkOrderKind = "stall") -> datetime:
    """Mark the latest work order of ``subject`` opened by ``at`` and not yet answered as answered at ``at``.

    Returns its ``opened_at``; ``TrackingError`` when there is none.
    """
    prepare(engine)
    key = subject_of(kind, subject)
    o = work_orders.c
    with writing(engine, "cannot write work orders") as connection:
        row = connection.execute(
            sa.select(o.id, o.opened_at)
            .where(o.kind == kind, o.subject == key, o.responded_at.is_(None), o.opened_at <= at)
            .order_by(o.opened_at.desc())
            .limit(1)
        ).first()
        if row is None:
            raise TrackingError(f"{key}: no unanswered work order opened by {beijing_iso(at)} ({kind})")
        connection.execute(work_orders.update().where(o.id == row.id).values(responded_at=at))
    opened_at: datetime = row.opened_at
    return opened_at


def ingest_work_orders(
    engine: Engine,
    items: Iterable[WorkOrderRecord | Problem],
    *,
    on_problem: Callable[[Problem], None] | None = None,
) -> WorkOrderCounts:
    """Upsert stall work orders keyed by (waybill, opened_at); a given ``responded_at`` is recorded, never erased."""
    prepare(engine)
    counts = WorkOrderCounts()
    rejected = Rejected(on_problem)
    for batch in valid_batches(items, 2000, rejected):
        rows = [{"subject": i.waybill_no, "opened_at": i.opened_at, "responded_at": i.responded_at} for i in batch]
        with writing(engine, "cannot write work orders") as connection:
            counts.written += write_work_orders(connection, "stall", rows)
    counts.rejected = rejected.count
    return counts


def write_work_orders(connection: Connection, kind: WorkOrderKind, rows: list[dict[str, Any]]) -> int:
    """Upsert work orders of ``kind`` (rows: subject, opened_at, optional responded_at); returns how many."""
    unique = {(row["subject"], row["opened_at"]): {"responded_at": None, **row, "kind": kind} for row in rows}
    if not unique:
        return 0
    insert = upsert(connection, work_orders)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["kind", "subject", "opened_at"],
            set_={"responded_at": sa.func.coalesce(insert.excluded.responded_at, work_orders.c.responded_at)},
        ),
        list(unique.values()),
    )
    return len(unique)


def subject_of(kind: WorkOrderKind, subject: str) -> str:
    """The stored key: waybill numbers in upper case, order ids as written (both without surrounding blanks)."""
    key = subject.strip().upper() if kind == "stall" else subject.strip()
    if not key:
        raise TrackingError(f"a {kind} work order needs a {'waybill number' if kind == 'stall' else 'order id'}")
    return key

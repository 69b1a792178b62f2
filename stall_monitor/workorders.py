"""Stall work orders: opened by a buyer, answered by the merchant within the response time of the rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from stall_monitor.errors import TrackingError
from stall_monitor.events import beijing_iso
from stall_monitor.sources.files import WorkOrderRecord
from stall_monitor.store import prepare, upsert, work_orders, writing
from waybill.errors import Problem

__all__ = ["WorkOrderCounts", "ingest_work_orders", "open_work_order", "respond_work_order"]


@dataclass
class WorkOrderCounts:
    written: int = 0
    rejected: int = 0

    def summary(self) -> str:
        return f"{self.written} work orders written, {self.rejected} rejected"


def open_work_order(engine: Engine, waybill_no: str, at: datetime) -> bool:
    """Record a work order opened at ``at``; False when exactly that one is already recorded."""
    prepare(engine)
    with writing(engine, "cannot write work orders") as connection:
        statement = (
            upsert(connection, work_orders)
            .on_conflict_do_nothing(index_elements=["waybill_no", "opened_at"])
            .returning(work_orders.c.id)
        )
        created = connection.execute(statement, [{"waybill_no": _no(waybill_no), "opened_at": at}]).first()
    return created is not None


def respond_work_order(engine: Engine, waybill_no: str, at: datetime) -> datetime:
    """Mark the latest work order of ``waybill_no`` opened by ``at`` and not yet answered as answered at ``at``.

    Returns its ``opened_at``; ``TrackingError`` when there is none.
    """
    prepare(engine)
    number = _no(waybill_no)
    with writing(engine, "cannot write work orders") as connection:
        row = connection.execute(
            sa.select(work_orders.c.id, work_orders.c.opened_at)
            .where(
                work_orders.c.waybill_no == number,
                work_orders.c.responded_at.is_(None),
                work_orders.c.opened_at <= at,
            )
            .order_by(work_orders.c.opened_at.desc())
            .limit(1)
        ).first()
        if row is None:
            raise TrackingError(f"{number}: no unanswered work order opened by {beijing_iso(at)}")
        connection.execute(work_orders.update().where(work_orders.c.id == row.id).values(responded_at=at))
    opened_at: datetime = row.opened_at
    return opened_at


def ingest_work_orders(
    engine: Engine,
    items: Iterable[WorkOrderRecord | Problem],
    *,
    on_problem: Callable[[Problem], None] | None = None,
) -> WorkOrderCounts:
    """Upsert work orders keyed by (waybill, opened_at); a given ``responded_at`` is recorded, never erased."""
    prepare(engine)
    counts = WorkOrderCounts()
    rows: list[dict[str, object]] = []
    for item in items:
        if isinstance(item, Problem):
            counts.rejected += 1
            if on_problem is not None:
                on_problem(item)
            continue
        rows.append({"waybill_no": item.waybill_no, "opened_at": item.opened_at, "responded_at": item.responded_at})
        if len(rows) >= 2000:
            counts.written += _write(engine, rows)
            rows = []
    if rows:
        counts.written += _write(engine, rows)
    return counts


def _write(engine: Engine, rows: list[dict[str, object]]) -> int:
    unique = {(row["waybill_no"], row["opened_at"]): row for row in rows}
    with writing(engine, "cannot write work orders") as connection:
        insert = upsert(connection, work_orders)
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=["waybill_no", "opened_at"],
                set_={"responded_at": sa.func.coalesce(insert.excluded.responded_at, work_orders.c.responded_at)},
            ),
            list(unique.values()),
        )
    return len(unique)


def _no(waybill_no: str) -> str:
    number = waybill_no.strip().upper()
    if not number:
        raise TrackingError("a work order needs a waybill number")
    return number

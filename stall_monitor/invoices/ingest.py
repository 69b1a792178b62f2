"""Invoice requests into the store, idempotently: a later line for a known order fills in what it adds.

Order-independent where it matters: the request and issue times kept are the earliest given, every work order
is kept (the earliest opened one sets the clock), amount and title are filled in when missing. So the same
file twice, or its lines shuffled, leave the same store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stall_monitor.batches import Rejected, valid_batches
from stall_monitor.errors import TrackingError
from stall_monitor.invoices.clocks import InvoiceFacts
from stall_monitor.invoices.store import invoice_requests, prepare
from stall_monitor.store import upsert, writing
from stall_monitor.workorders import open_work_order, write_work_orders
from waybill.errors import Problem
from waybill.i18n import _, ngettext
from waybill.times import beijing_iso

__all__ = ["InvoiceCounts", "ingest_invoice_requests", "record_invoice_work_order", "record_issue"]

BATCH_SIZE = 5000


@dataclass
class InvoiceCounts:
    written: int = 0  # distinct orders written (new or filled in)
    work_orders: int = 0
    rejected: int = 0

    def summary(self) -> str:
        return _(", ").join(
            (
                ngettext("{n} invoice request written", "{n} invoice requests written", self.written).format(
                    n=self.written
                ),
                ngettext("{n} work order", "{n} work orders", self.work_orders).format(n=self.work_orders),
                _("{n} rejected").format(n=self.rejected),
            )
        )


def ingest_invoice_requests(
    engine: Engine,
    items: Iterable[InvoiceFacts | Problem],
    *,
    on_problem: Callable[[Problem], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> InvoiceCounts:
    """Store requests (a ``Problem`` in ``items`` is counted as rejected and the rest goes in)."""
    prepare(engine)
    counts = InvoiceCounts()
    rejected = Rejected(on_problem)
    for batch in valid_batches(items, batch_size, rejected):
        rows = _merged(batch)
        opened = [{"subject": f.order_id, "opened_at": f.work_order_opened_at} for f in batch if f.work_order_opened_at]
        with writing(engine, "cannot store invoice requests") as connection:
            _upsert(connection, list(rows.values()))
            counts.work_orders += write_work_orders(connection, "invoice", opened)
        counts.written += len(rows)
    counts.rejected = rejected.count
    return counts


def _merged(batch: list[InvoiceFacts]) -> dict[str, dict[str, Any]]:
    """One row per order, merged the way the upsert merges with what is stored."""
    rows: dict[str, dict[str, Any]] = {}
    for facts in batch:
        new: dict[str, Any] = {
            "order_id": facts.order_id,
            "requested_at": facts.requested_at,
            "issued_at": facts.issued_at,
            "amount_fen": None if facts.amount is None else int(Decimal(facts.amount) * 100),
            "title": facts.title,
        }
        old = rows.get(facts.order_id)
        if old is None:
            rows[facts.order_id] = new
            continue
        old["requested_at"] = min(old["requested_at"], new["requested_at"])
        old["issued_at"] = _earliest(old["issued_at"], new["issued_at"])
        for key in ("amount_fen", "title"):
            old[key] = new[key] if old[key] is None else old[key]
    return rows


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    insert = upsert(connection, invoice_requests)
    new, old = insert.excluded, invoice_requests.c
    statement = insert.on_conflict_do_update(
        index_elements=[old.order_id],
        set_={
            "requested_at": sa.case((new.requested_at < old.requested_at, new.requested_at), else_=old.requested_at),
            "issued_at": sa.case(
                (old.issued_at.is_(None), new.issued_at),
                (sa.and_(new.issued_at.is_not(None), new.issued_at < old.issued_at), new.issued_at),
                else_=old.issued_at,
            ),
            "amount_fen": sa.func.coalesce(old.amount_fen, new.amount_fen),
            "title": sa.func.coalesce(old.title, new.title),
        },
    )
    connection.execute(statement, rows)


def record_issue(engine: Engine, order_id: str, at: datetime) -> datetime:
    """The invoice of ``order_id`` was issued at ``at`` (an earlier recorded issue stands). Returns the request
    time; ``TrackingError`` when no request of that order is known."""
    requested_at = _requested_at(engine, order_id)
    if at < requested_at:
        raise TrackingError(
            f"{order_id}: issued at {beijing_iso(at)}, before the request ({beijing_iso(requested_at)})"
        )
    with writing(engine, "cannot record the invoice") as connection:
        _upsert(connection, [{"order_id": order_id, "requested_at": requested_at, "issued_at": at,
                              "amount_fen": None, "title": None}])  # fmt: skip
    return requested_at


def record_invoice_work_order(engine: Engine, order_id: str, at: datetime) -> bool:
    """A buyer opened an invoice work order for ``order_id`` at ``at``; False when already recorded."""
    requested_at = _requested_at(engine, order_id)
    if at < requested_at:
        raise TrackingError(
            f"{order_id}: work order at {beijing_iso(at)}, before the request ({beijing_iso(requested_at)})"
        )
    return open_work_order(engine, order_id, at, kind="invoice")


def _requested_at(engine: Engine, order_id: str) -> datetime:
    prepare(engine)
    with engine.connect() as connection:
        requested_at: datetime | None = connection.execute(
            sa.select(invoice_requests.c.requested_at).where(invoice_requests.c.order_id == order_id.strip())
        ).scalar()
    if requested_at is None:
        raise TrackingError(f"{order_id}: no invoice request of this order is known (ingest it first)")
    return requested_at

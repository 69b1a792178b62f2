"""Wiring between the packages that must not know each other: printed labels register their waybills
with the stall monitor."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from printers.batch import OnPrinted
from printers.journal import Journal, LabelRow
from stall_monitor.store import Registration, register_waybills

__all__ = ["stall_registrar"]


def stall_registrar(engine: Engine, journal: Journal) -> OnPrinted:
    """A label's first page printed registers its waybill with the stall monitor in the same store."""

    def register(rows: list[LabelRow]) -> None:
        for job_id in {row.job_id for row in rows if row.page == 1}:
            orders = journal.job_orders(job_id)
            firsts = [orders[r.order_id] for r in rows if r.job_id == job_id and r.page == 1 and r.order_id in orders]
            register_waybills(engine, [Registration.from_order(order) for order in firsts])

    return register

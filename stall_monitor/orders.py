"""``waybill stall ingest --orders``: register the waybills of an order file without printing them.

Orders are read by ``waybill.orders.load_orders`` (the same validation as printing, problems with file, line
and field). The sender matters for the label, not for tracking: without ``--shop`` the stall monitor supplies
a placeholder sender, so an order whose only fault is a missing sender is still registered, while every other
problem is reported and its order skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from stall_monitor.store import Registration, register_waybills
from waybill.errors import Problem
from waybill.model import Address
from waybill.orders import load_orders
from waybill.shop import Shop, load_shop

__all__ = ["MONITORING_SHOP", "register_order_files"]

# Satisfies the order loader's sender check; never printed (tracking does not need the sender).
MONITORING_SHOP = Shop(name="stall monitor", sender=Address(name="-", phone="-", province="-"))


def register_order_files(
    engine: Engine,
    paths: Sequence[Path],
    shop_path: Path | None = None,
    *,
    on_problem: Callable[[Problem], None] | None = None,
) -> tuple[int, int]:
    """Register every valid order's waybill; returns (registered, rejected orders)."""
    shop = load_shop(shop_path) if shop_path is not None else MONITORING_SHOP
    registered = rejected = 0
    for path in paths:
        loaded = load_orders(path, shop, skip_invalid=True)
        for problem in loaded.problems:
            if on_problem is not None:
                on_problem(problem)
        rejected += len({(p.source, p.line) for p in loaded.problems})
        registered += register_waybills(engine, [Registration.from_order(order) for order in loaded.orders])
    return registered, rejected

"""Sample data shipped in the package: orders, a shop profile, number segments, a product catalog, tracking
events, work orders and invoice requests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine

from waybill.model import Order
from waybill.numbers.assign import assign_numbers
from waybill.numbers.segments import parse_segments
from waybill.numbers.store import NumberStore
from waybill.orders import load_orders
from waybill.shop import load_shop

__all__ = ["numbered_sample_orders", "sample_path"]


def sample_path(name: str) -> Path:
    """The path of the bundled sample file ``name`` (e.g. ``orders.jsonl``)."""
    return Path(str(resources.files("waybill.samples").joinpath(name)))


def numbered_sample_orders(engine: Engine) -> tuple[Order, ...]:
    """The sample orders, those without a number served from the bundled segments, which are imported into
    ``engine``'s store the first time (the same orders get the same numbers every time after)."""
    store = NumberStore(engine)
    segments_path = sample_path("segments.csv")
    stored = {(s.carrier, s.branch_code, s.prefix, s.first, s.last) for s in store.segments()}
    bundled = parse_segments(segments_path.read_text(encoding="utf-8"), str(segments_path))
    missing = [s for s in bundled if (s.carrier, s.branch_code, s.prefix, s.first, s.last) not in stored]
    if missing:
        store.import_segments(missing, str(segments_path))
    shop = load_shop(sample_path("shop.toml"))
    numbered = assign_numbers(engine, load_orders(sample_path("orders.jsonl"), shop).orders, shop)
    if numbered.refused:
        raise numbered.error()
    return numbered.orders

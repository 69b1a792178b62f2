"""Give every order without a number one from its carrier's source, before any label is laid out.

The binding order → number lives in the store, so assigning the same orders again returns the same numbers
and asks no service anything. An order that carries its own number keeps it, unless the store knows that
number as cancelled (its order then gets a new one) or as another order's (refused).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from waybill.errors import NumberError
from waybill.i18n import _
from waybill.model import CARRIERS, Order
from waybill.numbers.config import needs_numbers
from waybill.numbers.source import Binding, NumberSource, Request, SourceContext, open_source
from waybill.numbers.store import NumberStore
from waybill.shop import Shop

__all__ = ["BalanceWarning", "Numbered", "assign_numbers", "needs_numbers", "object_id", "source_for"]


@dataclass(frozen=True)
class BalanceWarning:
    """A carrier's numbers running low (``low_balance`` in the shop profile), or its balance unreadable."""

    carrier: str
    left: int | None  # None: the balance could not be read
    text: str


@dataclass(frozen=True)
class Numbered:
    orders: tuple[Order, ...]  # every order that has its number, in input order
    refused: tuple[tuple[Order, str], ...]  # orders left without one, each with a reason naming its carrier
    taken: int  # numbers newly taken in this run
    kept: int  # orders whose number was already bound in the store
    balance_warnings: tuple[BalanceWarning, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(warning.text for warning in self.balance_warnings)

    def error(self) -> NumberError:
        """One line per reason, naming the orders it left without a number."""
        by_reason: dict[str, list[str]] = {}
        for order, reason in self.refused:
            by_reason.setdefault(reason, []).append(order.order_id)
        lines = []
        for reason, ids in by_reason.items():
            shown = ", ".join(ids[:3])
            if len(ids) > 3:
                shown = _("{shown} and {n} more").format(shown=shown, n=len(ids) - 3)
            lines.append(_("{reason} (order {orders}); nothing was printed for it").format(reason=reason, orders=shown))
        return NumberError("\n".join(lines))


def object_id(order_id: str, cancelled: int) -> str:
    """Stable per order across retries; a new one after each cancellation, so the service gives a new number."""
    return order_id if not cancelled else f"{order_id}-{cancelled + 1}"


def source_for(store: NumberStore, shop: Shop, carrier: str, env: Mapping[str, str] | None = None) -> NumberSource:
    account = shop.account(carrier)
    if account.numbers is None:
        raise NumberError(
            _("{carrier}: the shop profile names no number source ([carriers.{carrier}.numbers])").format(
                carrier=carrier
            )
        )
    context = SourceContext(
        store, CARRIERS[carrier], account, account.numbers, shop, os.environ if env is None else env, _now
    )
    return open_source(context)


def _now() -> datetime:
    return datetime.now(UTC)


def assign_numbers(
    engine: Engine,
    orders: Sequence[Order],
    shop: Shop | None,
    *,
    env: Mapping[str, str] | None = None,
    sources: Callable[[NumberStore, Shop, str], NumberSource] | None = None,
) -> Numbered:
    """Number every order that has none; ``sources`` (tests) replaces how a carrier's source is opened."""
    store = NumberStore(engine)
    shop = shop or Shop()
    refused: dict[str, str] = {}
    bound: dict[str, Binding] = {}
    known = store.by_number(o.waybill_no for o in orders if o.waybill_no)
    wanting: list[Order] = []
    for order in orders:
        held = known.get(order.waybill_no)
        if not order.waybill_no:
            wanting.append(order)
        elif held is None:
            continue
        elif held.order_id != order.order_id or held.carrier != order.carrier.code:
            refused[order.order_id] = _("{carrier}: {waybill} belongs to order {order}").format(
                carrier=order.carrier.code, waybill=order.waybill_no, order=held.order_id
            )
        elif held.cancelled_at is not None:
            if shop.account(order.carrier.code).numbers is None:
                refused[order.order_id] = _(
                    "{carrier}: {waybill} was cancelled ({reason}); it is never printed again"
                ).format(
                    carrier=order.carrier.code, waybill=order.waybill_no, reason=held.cancel_reason or _("no reason")
                )
            else:
                wanting.append(order)
    taken = kept = 0
    warnings: list[BalanceWarning] = []
    by_carrier: dict[str, list[Order]] = {}
    for order in wanting:
        by_carrier.setdefault(order.carrier.code, []).append(order)
    for carrier, group in by_carrier.items():
        live = store.live(carrier, [o.order_id for o in group])
        bound.update(live)
        kept += len(live)
        rest = [o for o in group if o.order_id not in live]
        if not rest:
            continue
        try:
            source = sources(store, shop, carrier) if sources is not None else source_for(store, shop, carrier, env)
            cancelled = store.cancelled_count(carrier, [o.order_id for o in rest])
            assigned = source.assign([Request(o, object_id(o.order_id, cancelled.get(o.order_id, 0))) for o in rest])
        except NumberError as error:
            refused.update((o.order_id, str(error)) for o in rest)
            continue
        bound.update((b.order_id, b) for b in assigned.granted)
        taken += len(assigned.granted)
        refused.update((r.order_id, f"{carrier}: {r.reason}") for r in assigned.refused)
        warnings.extend(_low_balance(shop, carrier, source, assigned.left))
    numbered = []
    for order in orders:
        if order.order_id in refused:
            continue
        binding = bound.get(order.order_id)
        if binding is not None:
            order = replace(
                order,
                waybill_no=binding.waybill_no,
                sort_code=binding.sort_code or order.sort_code,
                package_center=binding.package_center or order.package_center,
            )
        numbered.append(order)
    return Numbered(
        tuple(numbered),
        tuple((o, refused[o.order_id]) for o in orders if o.order_id in refused),
        taken,
        kept,
        tuple(warnings),
    )


def _low_balance(shop: Shop, carrier: str, source: NumberSource, left: int | None) -> list[BalanceWarning]:
    config = shop.account(carrier).numbers
    if config is None or config.low_balance is None:
        return []
    try:
        count = left if left is not None else sum(b.left for b in source.balance())
    except NumberError as error:
        text = _("{carrier}: cannot check the balance: {error}").format(carrier=carrier, error=error)
        return [BalanceWarning(carrier, None, text)]
    if count >= config.low_balance:
        return []
    text = _("{carrier}: only {n} number(s) left at {source} (low_balance = {low})").format(
        carrier=carrier, n=count, source=source.name, low=config.low_balance
    )
    return [BalanceWarning(carrier, count, text)]

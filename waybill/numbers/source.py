"""What every number source is: the interface, the values it trades in, and the registry lookup.

A source serves ``Request``s (an order and its stable ``object_id``) with numbers already bound in the store
when they come back, so a number is never handed out without a record. A new source (PDD, JD) is one
module with ``open_source(context)`` plus one entry in ``config.SOURCES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from waybill.model import Carrier, Order
from waybill.numbers.config import SOURCES, NumbersConfig

if TYPE_CHECKING:  # the store imports these value types; the context only needs the store's type
    from waybill.numbers.store import NumberStore
    from waybill.shop import CarrierAccount, Shop

__all__ = ["Assigned", "Balance", "Binding", "NumberSource", "Refusal", "Request", "SourceContext", "open_source"]


@dataclass(frozen=True)
class Request:
    order: Order
    object_id: str  # the order id, then order id + "-N" after N-1 cancellations: stable across retries


@dataclass(frozen=True)
class Binding:
    """One number given to one order (for ever: a cancelled binding stays, so the number is never reused)."""

    waybill_no: str
    carrier: str
    source: str
    branch_code: str
    order_id: str
    object_id: str
    sort_code: str = ""
    package_center: str = ""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


@dataclass(frozen=True)
class Refusal:
    order_id: str
    reason: str


@dataclass(frozen=True)
class Assigned:
    granted: list[Binding] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    left: int | None = None  # numbers left after this call, when the source knows it cheaply


@dataclass(frozen=True)
class Balance:
    carrier: str
    source: str
    branch_code: str
    total: int
    used: int
    cancelled: int
    left: int


@dataclass(frozen=True)
class SourceContext:
    """Everything a source may use; secrets are read from ``env`` when a call is made, never kept."""

    store: NumberStore
    carrier: Carrier
    account: CarrierAccount
    config: NumbersConfig
    shop: Shop
    env: Mapping[str, str]
    now: Callable[[], datetime]


class NumberSource(Protocol):
    name: str

    def assign(self, requests: Sequence[Request]) -> Assigned:
        """Numbers for ``requests``, each bound in the store before it is returned; the rest refused."""
        ...

    def cancel(self, binding: Binding, reason: str) -> None:
        """Void ``binding``'s number with the service (if any) and record it in the store."""
        ...

    def balance(self) -> list[Balance]: ...


def open_source(context: SourceContext) -> NumberSource:
    module = importlib.import_module(SOURCES[context.config.source].module)
    source: NumberSource = module.open_source(context)
    return source

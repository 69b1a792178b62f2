"""Validated, frozen values of the order domain. Parsing and validation live in ``waybill.orders``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = [
    "CARRIERS",
    "Address",
    "Carrier",
    "Item",
    "Order",
    "Origin",
]


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    direct: bool  # direct carriers bill a monthly-settlement account; franchise carriers go through a branch


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier("SF", "顺丰速运", direct=True),
        Carrier("EMS", "中国邮政EMS", direct=True),
        Carrier("JD", "京东快递", direct=True),
        Carrier("YTO", "圆通速递", direct=False),
        Carrier("ZTO", "中通快递", direct=False),
        Carrier("STO", "申通快递", direct=False),
        Carrier("YUNDA", "韵达快递", direct=False),
        Carrier("JT", "极兔速递", direct=False),
    )
}


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    province: str
    city: str = ""
    district: str = ""
    address: str = ""

    @property
    def full_address(self) -> str:
        """Province, city, district and street as printed on Chinese labels (no separators)."""
        parts = [self.province]
        for part in (self.city, self.district):
            if part and part != parts[-1]:  # municipalities repeat the province as the city
                parts.append(part)
        return "".join(parts) + self.address


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    qty: int
    spec: str = ""
    location: str = ""
    barcode: str = ""  # the product's own EAN-13, UPC-A or Code128, as printed on the goods


@dataclass(frozen=True)
class Origin:
    """Where a record came from, for messages about it."""

    source: str
    line: int


@dataclass(frozen=True)
class Order:
    order_id: str
    carrier: Carrier
    waybill_no: str
    recipient: Address
    sender: Address | None
    items: tuple[Item, ...]
    sort_code: str = ""
    package_center: str = ""
    service: str = ""
    cod_amount: Decimal = Decimal(0)
    scheduled_delivery: date | None = None
    remark: str = ""
    shipped_at: datetime | None = None
    origin: Origin | None = None

    @property
    def total_qty(self) -> int:
        return sum(item.qty for item in self.items)

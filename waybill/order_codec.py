"""Orders as JSON text and back, for the print journal: a job keeps the orders it was created from, so
``--resume`` prints exactly what the first run would have, even if the order file has changed since."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from waybill.model import CARRIERS, Address, Item, Order, Origin

__all__ = [
    "decode_order",
    "encode_order",
    "order_line",
]


def encode_order(order: Order) -> str:
    record: dict[str, Any] = {
        "order_id": order.order_id,
        "carrier": order.carrier.code,
        "waybill_no": order.waybill_no,
        "recipient": _address(order.recipient),
        "sender": _address(order.sender) if order.sender else None,
        "items": [
            {"sku": i.sku, "name": i.name, "qty": i.qty, "spec": i.spec, "location": i.location, "barcode": i.barcode}
            for i in order.items
        ],
        "sort_code": order.sort_code,
        "package_center": order.package_center,
        "service": order.service,
        "cod_amount": str(order.cod_amount),
        "scheduled_delivery": order.scheduled_delivery.isoformat() if order.scheduled_delivery else None,
        "remark": order.remark,
        "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
        "origin": [order.origin.source, order.origin.line] if order.origin else None,
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def order_line(order: Order) -> str:
    """The order as a line of an orders file (JSON Lines), which ``load_orders`` reads back as it is."""
    record = {key: value for key, value in json.loads(encode_order(order)).items() if value not in (None, "")}
    del record["origin"]
    if order.cod_amount == 0:
        del record["cod_amount"]
    first = ("order_id", "carrier", "waybill_no", "sort_code", "package_center")
    record = {key: record[key] for key in first if key in record} | record
    return json.dumps(record, ensure_ascii=False)


def decode_order(text: str) -> Order:
    record = json.loads(text)
    origin = record["origin"]
    return Order(
        order_id=record["order_id"],
        carrier=CARRIERS[record["carrier"]],
        waybill_no=record["waybill_no"],
        recipient=Address(**record["recipient"]),
        sender=Address(**record["sender"]) if record["sender"] else None,
        items=tuple(Item(**item) for item in record["items"]),
        sort_code=record["sort_code"],
        package_center=record["package_center"],
        service=record["service"],
        cod_amount=Decimal(record["cod_amount"]),
        scheduled_delivery=date.fromisoformat(record["scheduled_delivery"]) if record["scheduled_delivery"] else None,
        remark=record["remark"],
        shipped_at=datetime.fromisoformat(record["shipped_at"]) if record["shipped_at"] else None,
        origin=Origin(origin[0], origin[1]) if origin else None,
    )


def _address(address: Address) -> dict[str, str]:
    return {
        "name": address.name,
        "phone": address.phone,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "address": address.address,
    }

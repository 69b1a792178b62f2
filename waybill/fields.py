"""What templates can print: the named fields of an order, the filters, and ``{field|filter:arg}`` text.

The context masks the recipient when privacy is on, so no template can leak a full phone number by
forgetting a filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from waybill.errors import TemplateError
from waybill.model import Address, Order
from waybill.privacy import mask_name, mask_phone, mask_phone_in
from waybill.shop import Shop
from waybill.times import BEIJING

__all__ = [
    "FIELDS",
    "FILTERS",
    "FieldRef",
    "TextExpression",
    "Value",
    "is_set",
    "order_context",
    "parse_expression",
]

Value = str | int | Decimal | date | datetime | bool | None

_ADDRESS_PARTS = ("name", "phone", "province", "city", "district", "address", "full_address")
FIELDS: frozenset[str] = frozenset(
    {
        "order_id", "waybill_no", "carrier", "carrier_name", "service", "sort_code", "package_center",
        "remark", "cod_amount", "scheduled_delivery", "shipped_at", "printed_at", "shop_name",
        "monthly_account", "branch_name", "branch_code", "item_count", "total_qty", "page", "pages",
        "continued", "batch_serial",
        *(f"{party}.{part}" for party in ("recipient", "sender") for part in _ADDRESS_PARTS),
    }
)  # fmt: skip


def order_context(order: Order, shop: Shop | None, *, printed_at: datetime, mask: bool = True) -> dict[str, Value]:
    """Every field of ``FIELDS`` except the page counters and the batch serial, which the layout adds per label.

    Privacy by default: the recipient is masked unless ``mask=False`` (``--no-mask``).
    """
    shop = shop or Shop()
    account = shop.account(order.carrier.code)
    context: dict[str, Value] = {
        "order_id": order.order_id,
        "waybill_no": order.waybill_no,
        "carrier": order.carrier.code,
        "carrier_name": order.carrier.name,
        "service": order.service,
        "sort_code": order.sort_code,
        "package_center": order.package_center,
        "remark": mask_phone_in(order.remark, order.recipient.phone) if mask else order.remark,
        "cod_amount": order.cod_amount if order.cod_amount > 0 else None,
        "scheduled_delivery": order.scheduled_delivery,
        "shipped_at": order.shipped_at,
        "printed_at": printed_at,
        "shop_name": shop.name,
        "monthly_account": account.monthly_account,
        "branch_name": account.branch.name if account.branch else "",
        "branch_code": account.branch.code if account.branch else "",
        "item_count": len(order.items),
        "total_qty": order.total_qty,
    }
    recipient = order.recipient
    if mask:
        # Buyers write their number into the address too; it is masked wherever it appears.
        recipient = Address(
            name=mask_name(recipient.name),
            phone=mask_phone(recipient.phone),
            province=mask_phone_in(recipient.province, recipient.phone),
            city=mask_phone_in(recipient.city, recipient.phone),
            district=mask_phone_in(recipient.district, recipient.phone),
            address=mask_phone_in(recipient.address, recipient.phone),
        )
    sender = shop.sender_for(order) or Address("", "", "")
    for party, address in (("recipient", recipient), ("sender", sender)):
        for part in _ADDRESS_PARTS:
            context[f"{party}.{part}"] = getattr(address, part)
    return context


def is_set(value: Value) -> bool:
    return value not in (None, "", 0, False) and value != Decimal(0)


def _as_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _money(value: Value, _arg: str) -> str:
    if not is_set(value):
        return ""
    try:
        return f"¥{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except InvalidOperation:  # not an amount (a template applied money to text): print it as it is
        return _as_text(value)


def _date(value: Value, arg: str) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING)
    return value.strftime(arg or "%Y-%m-%d") if isinstance(value, date) else _as_text(value)


def _datetime(value: Value, arg: str) -> str:
    return _date(value, arg or "%Y-%m-%d %H:%M")


FILTERS: Mapping[str, Callable[[Value, str], str]] = {
    "money": _money,
    "date": _date,
    "datetime": _datetime,
    "mask_name": lambda value, _arg: mask_name(_as_text(value)),
    "mask_phone": lambda value, _arg: mask_phone(_as_text(value)),
    "upper": lambda value, _arg: _as_text(value).upper(),
}


@dataclass(frozen=True)
class FieldRef:
    field: str
    filters: tuple[tuple[str, str], ...]  # (filter name, argument)

    def render(self, context: Mapping[str, Value]) -> str:
        value = context.get(self.field)
        if not self.filters:
            return _as_text(value)
        text = ""
        for name, arg in self.filters:
            text = FILTERS[name](value, arg)
            value = text
        return text


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True)
class TextExpression:
    """Literal text with ``{field|filter:arg|…}`` placeholders; ``{{`` and ``}}`` are literal braces."""

    parts: tuple[str | FieldRef, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(part.field for part in self.parts if isinstance(part, FieldRef))

    def render(self, context: Mapping[str, Value]) -> str:
        return "".join(part if isinstance(part, str) else part.render(context) for part in self.parts)


def parse_expression(text: str, where: str) -> TextExpression:
    """Parse and check a template text; unknown fields and filters are ``TemplateError`` naming ``where``."""
    parts: list[str | FieldRef] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(_literal(text[position : match.start()], text, where))
        position = match.end()
        if match.group(0) in ("{{", "}}"):
            parts.append(match.group(0)[0])
            continue
        name, *filter_specs = (piece.strip() for piece in match.group(1).split("|"))
        if name not in FIELDS:
            raise TemplateError(f"{where}: unknown field {name!r} (known: {', '.join(sorted(FIELDS))})")
        filters = []
        for spec in filter_specs:
            filter_name, _, arg = spec.partition(":")
            if filter_name not in FILTERS:
                raise TemplateError(f"{where}: unknown filter {filter_name!r} (known: {', '.join(FILTERS)})")
            filters.append((filter_name, arg))
        parts.append(FieldRef(name, tuple(filters)))
    parts.append(_literal(text[position:], text, where))
    return TextExpression(tuple(part for part in parts if part != ""))


def _literal(piece: str, text: str, where: str) -> str:
    """Text between placeholders; a brace left there (``{`` or ``}``) opens or closes nothing."""
    if "{" in piece or "}" in piece:
        raise TemplateError(f"{where}: unbalanced brace in {text!r} (write {{{{ or }}}} for a literal brace)")
    return piece

"""Orders in: JSON Lines (one order a line) or CSV (one item a row), validated into ``Order`` values.

Every problem is collected with its file, line and field, so one run reports them all. ``load_orders`` raises
``OrderError`` unless ``skip_invalid`` is set, in which case the valid orders come back with the problems.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from waybill import product_codes
from waybill.errors import OrderError, Problem
from waybill.i18n import N_, _
from waybill.model import CARRIERS, Address, Item, Order, Origin
from waybill.privacy import mask_phone
from waybill.records import is_csv, json_lines
from waybill.shop import Shop
from waybill.times import parse_beijing_time

__all__ = [
    "CSV_ITEM_COLUMNS",
    "CSV_ORDER_COLUMNS",
    "ISO_DATE",
    "MAX_MONEY",
    "MAX_QTY",
    "WAYBILL_NO",
    "LoadedOrders",
    "check_orders",
    "load_orders",
    "parse_date",
    "read_orders",
]

WAYBILL_NO = re.compile(r"[A-Z0-9-]{8,32}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What a label prints: a quantity of five digits, an amount up to ¥99,999.99 in the COD box.
MAX_QTY = 99_999
MAX_MONEY = Decimal("99999.99")

_ORDER_FIELDS = {
    "order_id", "carrier", "waybill_no", "sort_code", "package_center", "service", "recipient", "sender",
    "items", "cod_amount", "scheduled_delivery", "remark", "shipped_at",
}  # fmt: skip
_ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "address")
# Fields the store keeps in columns of this width (print journal, stall monitor).
_STORED_LENGTHS = {"order_id": 64, "recipient.province": 64}
_ITEM_FIELDS = ("sku", "name", "spec", "qty", "location", "barcode")

# CSV: one row per item; order-level columns repeat (or are left blank) on the order's further rows.
CSV_ORDER_COLUMNS = (
    "order_id", "carrier", "waybill_no", "sort_code", "package_center", "service",
    *(f"recipient_{f}" for f in _ADDRESS_FIELDS), *(f"sender_{f}" for f in _ADDRESS_FIELDS),
    "cod_amount", "scheduled_delivery", "remark", "shipped_at",
)  # fmt: skip
CSV_ITEM_COLUMNS = ("sku", "item_name", "spec", "qty", "location", "barcode")


@dataclass(frozen=True)
class LoadedOrders:
    orders: tuple[Order, ...]
    problems: tuple[Problem, ...]


def load_orders(path: Path, shop: Shop | None = None, *, skip_invalid: bool = False) -> LoadedOrders:
    """Read and validate an order file. Raises ``OrderError`` listing every problem unless ``skip_invalid``."""
    loaded = read_orders(path, shop)
    if loaded.problems and not skip_invalid:
        raise OrderError(loaded.problems)
    return loaded


def read_orders(path: Path, shop: Shop | None = None) -> LoadedOrders:
    source = str(path)
    try:
        text = _decode(path.read_bytes(), source)
    except OSError as error:
        raise OrderError(
            [Problem(source, None, None, _("cannot read: {reason}").format(reason=error.strerror))]
        ) from error
    records = _csv_records(text, source) if is_csv(path, text.lstrip()[:1]) else _jsonl_records(text, source)
    orders: list[Order] = []
    problems: list[Problem] = []
    seen = _Seen()
    for record in records:
        if isinstance(record, Problem):
            problems.append(record)
            continue
        checker = _Checker(source, record.line, record.item_lines)
        checker.problems.extend(record.problems)
        order = seen.unique(checker, checker.order(record.data, shop), _("line {line}").format(line=record.line))
        if checker.problems:
            problems.extend(checker.problems)
        elif order is not None:
            orders.append(order)
    return LoadedOrders(tuple(orders), tuple(problems))


def check_orders(objects: Sequence[Any], shop: Shop | None = None, name: str = "orders") -> LoadedOrders:
    """Validate orders decoded from JSON (a request body), as ``read_orders`` does a file's lines; each
    problem's source is the order's path (``orders[3]``), its field the path within (``recipient.phone``)."""
    orders: list[Order] = []
    problems: list[Problem] = []
    seen = _Seen()
    for index, data in enumerate(objects):
        checker = _Checker(f"{name}[{index}]", None, None)
        if not isinstance(data, dict):
            checker.problem("", f"must be an object, not {type(data).__name__}")
            order = None
        else:
            order = seen.unique(checker, checker.order(data, shop), f"{name}[{index}]")
        problems.extend(checker.problems)
        if order is not None and not checker.problems:
            orders.append(order)
    return LoadedOrders(tuple(orders), tuple(problems))


class _Seen:
    """Order ids and waybill numbers met so far: a second use of one is a problem of the later order."""

    def __init__(self) -> None:
        self.where: dict[tuple[str, str], str] = {}

    def unique(self, checker: _Checker, order: Order | None, here: str) -> Order | None:
        if order is None:
            return None
        for key, value in (("order_id", order.order_id), ("waybill_no", order.waybill_no)):
            if value and (key, value) in self.where:  # orders without a number yet get distinct ones later
                checker.problem(
                    key, _("{value!r} already used on {place}").format(value=value, place=self.where[key, value])
                )
                order = None
            else:
                self.where[key, value] = here
        return order


def _decode(raw: bytes, source: str) -> str:
    # Spreadsheets exported on Chinese Windows write GB18030; everything else writes UTF-8 (maybe with BOM).
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as not_utf8:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, not_utf8.start) + 1
            byte = raw[not_utf8.start]
            problem = Problem(source, line, None, _("not UTF-8 or GB18030 text (byte 0x{byte:02X})").format(byte=byte))
            raise OrderError([problem]) from error


@dataclass(frozen=True)
class _Record:
    data: dict[str, Any]
    line: int
    item_lines: tuple[int, ...] | None = None  # CSV: the row of each item
    problems: tuple[Problem, ...] = ()  # CSV: problems in the order's rows; they make the whole order invalid


def _jsonl_records(text: str, source: str) -> Iterator[_Record | Problem]:
    # Split on newlines only: str.splitlines() also splits on U+2028, U+0085 …, which JSON strings may hold raw.
    for item in json_lines(text.split("\n"), source, N_("an order")):
        yield item if isinstance(item, Problem) else _Record(item[1], item[0])


def _csv_records(text: str, source: str) -> Iterator[_Record | Problem]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _csv_orders(reader, source)
    except csv.Error as error:  # a cell over the field size limit (128 KiB): the file is refused
        yield Problem(source, reader.line_num, None, _("not valid CSV ({reason})").format(reason=error))


def _csv_orders(reader: Any, source: str) -> Iterator[_Record | Problem]:
    header: list[str] = []
    for row in reader:
        if row:
            header = [name.strip() for name in row]
            break
    header_line = reader.line_num
    known = set(CSV_ORDER_COLUMNS) | set(CSV_ITEM_COLUMNS)
    problems = [Problem(source, header_line, n, _("unknown column")) for n in header if n not in known]
    problems += [
        Problem(source, header_line, n, _("column given twice"))
        for n in sorted(set(header))
        if header.count(n) > 1 and n in known
    ]
    problems += [
        Problem(source, header_line, n, _("missing column")) for n in ("order_id", "carrier") if n not in header
    ]
    if problems:
        yield from problems
        return
    # order_id -> (order fields, line of each item, line where each order column was first given)
    grouped: dict[str, tuple[dict[str, Any], list[int], dict[str, int]]] = {}
    # Problems in an order's rows reject the whole order, so --skip-invalid never prints it short of an item.
    row_problems: dict[str, list[Problem]] = {}
    end = header_line
    previous_order_id = ""
    for row in reader:
        line, end = end + 1, reader.line_num  # a quoted cell may span lines: report the line the row starts on
        if not any(cell.strip() for cell in row):
            continue  # blank lines, and the all-empty rows spreadsheets export
        cells = {name: (row[index] if index < len(row) else "").strip() for index, name in enumerate(header)}
        order_id = cells["order_id"]
        if len(row) > len(header):
            extra = _("{n} more cells than the header has columns").format(n=len(row) - len(header))
            problem = Problem(source, line, None, extra)
            row_problems.setdefault(order_id or previous_order_id, []).append(problem)
            continue
        if not order_id:
            # Most likely an item of the order above whose order_id was left blank.
            row_problems.setdefault(previous_order_id, []).append(Problem(source, line, "order_id", _("is required")))
            continue
        previous_order_id = order_id
        if order_id not in grouped:
            grouped[order_id] = ({"items": []}, [], {})
        data, item_lines, first_line = grouped[order_id]
        for conflict in _merge_order_cells(data, cells, line, first_line):
            differs = _("differs from line {line} of the same order").format(line=first_line[conflict])
            problem = Problem(source, line, conflict, differs)
            row_problems.setdefault(order_id, []).append(problem)
        if any(cells.get(column) for column in CSV_ITEM_COLUMNS):
            item = {field: cells.get(column, "") for field, column in zip(_ITEM_FIELDS, CSV_ITEM_COLUMNS, strict=True)}
            data["items"].append(item)
            item_lines.append(line)
    for order_id, (data, item_lines, first_line) in grouped.items():
        yield _Record(data, first_line["order_id"], tuple(item_lines), tuple(row_problems.pop(order_id, ())))
    for orphans in row_problems.values():
        yield from orphans


def _merge_order_cells(
    data: dict[str, Any], cells: dict[str, str], line: int, first_line: dict[str, int]
) -> Iterator[str]:
    """Fold one CSV row's order-level cells into the order; yield the columns that contradict earlier rows."""
    for column in CSV_ORDER_COLUMNS:
        value = cells.get(column, "")
        if not value:
            continue
        party, _sep, part = column.partition("_")
        if party in ("recipient", "sender") and part in _ADDRESS_FIELDS:
            target, key = data.setdefault(party, {}), part
        else:
            target, key = data, column
        if key in target and target[key] != value:
            yield column
        elif key not in target:
            target[key] = value
            first_line[column] = line


class _Checker:
    """Validates one raw order, recording each problem with its line and field path."""

    def __init__(self, source: str, line: int | None, item_lines: tuple[int, ...] | None) -> None:
        self.source = source
        self.line = line
        self.item_lines = item_lines
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.source, line or self.line, field or None, message))

    def order(self, data: dict[str, Any], shop: Shop | None) -> Order | None:
        for key in data:
            if key not in _ORDER_FIELDS:
                self.problem(key, _("unknown field (a typo would silently drop its value)"))
        order_id = self.text(data, "order_id", required=True)
        carrier_code = self.text(data, "carrier", required=True).upper()
        carrier = CARRIERS.get(carrier_code)
        if carrier_code and carrier is None:
            self.problem(
                "carrier",
                _("unknown carrier {code!r}; known: {known}").format(code=carrier_code, known=", ".join(CARRIERS)),
            )
        # Left out, the number (with sort_code and package_center) comes from the shop's number source.
        waybill_no = self.text(data, "waybill_no").upper()
        if waybill_no and not WAYBILL_NO.fullmatch(waybill_no):
            self.problem(
                "waybill_no", _("{value!r} must be 8-32 characters of A-Z, 0-9 and -").format(value=waybill_no)
            )
        recipient = self.address(data.get("recipient"), "recipient")
        sender_given = data.get("sender") not in (None, {})
        sender = self.address(data["sender"], "sender") if sender_given else None
        items = self.items(data.get("items"))
        order = Order(
            order_id=order_id,
            carrier=carrier or CARRIERS["SF"],
            waybill_no=waybill_no,
            recipient=recipient or Address("", "", ""),
            sender=sender,
            items=items,
            sort_code=self.text(data, "sort_code"),
            package_center=self.text(data, "package_center"),
            service=self.text(data, "service"),
            cod_amount=self.money(data.get("cod_amount")),
            scheduled_delivery=self.parsed(data, "scheduled_delivery", parse_date, _("a date YYYY-MM-DD")),
            remark=self.text(data, "remark"),
            shipped_at=self.parsed(data, "shipped_at", parse_beijing_time, _("an ISO 8601 time")),
            origin=Origin(self.source, self.line) if self.line is not None else None,
        )
        if not sender_given and (shop is None or shop.sender_for(order) is None):
            self.problem("sender", _("missing, and no shop profile (--shop) gives a sender for this carrier"))
        return None if self.problems else order

    def text(self, data: dict[str, Any], key: str, *, required: bool = False, path: str = "") -> str:
        value = data.get(key)
        field = f"{path}{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, _("is required"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(field, _("must be a string, not {type}").format(type=type(value).__name__))
            return ""
        text = str(value).strip()
        if len(text) > _STORED_LENGTHS.get(field, len(text)):
            self.problem(field, _("is longer than {n} characters").format(n=_STORED_LENGTHS[field]))
        return text

    def address(self, value: Any, key: str) -> Address | None:
        if value is None:
            self.problem(key, _("is required"))
            return None
        if not isinstance(value, dict):
            self.problem(key, _("must be an object with name, phone, province, city, district, address"))
            return None
        for extra in sorted(value.keys() - set(_ADDRESS_FIELDS)):
            self.problem(f"{key}.{extra}", _("unknown field"))
        before = len(self.problems)
        fields = {
            part: self.text(value, part, required=part in ("name", "phone", "province", "address"), path=f"{key}.")
            for part in _ADDRESS_FIELDS
        }
        phone_digits = re.sub(r"[\s()+-]", "", fields["phone"])
        if fields["phone"] and not (phone_digits.isdigit() and 5 <= len(phone_digits) <= 20):
            self.problem(f"{key}.phone", _("{value!r} is not a phone number").format(value=mask_phone(fields["phone"])))
        return Address(**fields) if len(self.problems) == before else None

    def items(self, value: Any) -> tuple[Item, ...]:
        if not isinstance(value, list) or not value:
            self.problem("items", _("must be a non-empty list of items"))
            return ()
        items: list[Item] = []
        for index, raw in enumerate(value):
            path = f"items[{index}]"
            line = self.item_lines[index] if self.item_lines else None
            if not isinstance(raw, dict):
                self.problem(path, _("must be an object with sku, name, spec, qty, location"), line)
                continue
            checker = _Checker(self.source, line or self.line, None)
            for extra in sorted(raw.keys() - set(_ITEM_FIELDS)):
                checker.problem(f"{path}.{extra}", _("unknown field"))
            sku = checker.text(raw, "sku", required=True, path=f"{path}.")
            name = checker.text(raw, "name", required=True, path=f"{path}.")
            qty = checker.quantity(raw.get("qty"), f"{path}.qty")
            item = Item(
                sku=sku,
                name=name,
                qty=qty,
                spec=checker.text(raw, "spec", path=f"{path}."),
                location=checker.text(raw, "location", path=f"{path}."),
                barcode=checker.barcode(raw, f"{path}."),
            )
            self.problems.extend(checker.problems)
            if not checker.problems:
                items.append(item)
        return tuple(items)

    def barcode(self, raw: dict[str, Any], path: str) -> str:
        code = self.text(raw, "barcode", path=path)
        wrong = product_codes.problem(code) if code else None
        if wrong:
            self.problem(f"{path}barcode", wrong)
        return code

    def quantity(self, value: Any, field: str) -> int:
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 20:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QTY:
            shown = repr(value) if len(repr(value)) <= 20 else f"{repr(value)[:20]}…"
            self.problem(
                field, _("must be a whole number from 1 to {max}, not {value}").format(max=f"{MAX_QTY:,}", value=shown)
            )
            return 0
        return value

    def money(self, value: Any) -> Decimal:
        if value is None or value == "":
            return Decimal(0)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            self.problem("cod_amount", _("{value!r} is not an amount of money").format(value=value))
            return Decimal(0)
        try:
            whole_cents = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:  # too many digits to quantize
            whole_cents = False
        if not whole_cents or not 0 <= amount <= MAX_MONEY:
            shown = repr(value) if len(repr(value)) <= 20 else f"{repr(value)[:20]}…"
            self.problem(
                "cod_amount",
                _("{value} must be from 0 to {max} with at most 2 decimal places").format(
                    value=shown, max=f"{MAX_MONEY:,}"
                ),
            )
            return Decimal(0)
        return amount

    def parsed(self, data: dict[str, Any], key: str, parse: Callable[[str], Any], kind: str) -> Any:
        text = self.text(data, key)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError:
            self.problem(key, _("{value!r} is not {kind}").format(value=text, kind=kind))
            return None


def parse_date(text: str) -> date:
    """A date written exactly YYYY-MM-DD (``date.fromisoformat`` also takes 20261201 and 2026-W49-1)."""
    if not ISO_DATE.fullmatch(text.strip()):
        raise ValueError(text)
    return date.fromisoformat(text.strip())

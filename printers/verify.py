"""Pack verification (扫描验货) as a state machine over scanned codes: no printer, store or clock.

A packer scans an order id or waybill number: that order opens with its pick list, one ``Line`` per item
in location order (the numbering of the printed pick list). Each product scan counts one unit of the line
whose barcode it is; when every unit is counted the order is complete and the station prints its label.

Refused, with a ``Reason``: a barcode of no item in this order, one unit more than ordered, an EAN-13 or
UPC-A whose check digit is wrong (a misread, not a wrong product), a product before any order is open.
Scanning another order's code sets the open one aside (it keeps its counts, and scanning it again resumes
it); the supervisor's force code prints the open order on purpose, short of what is missing.

Items without any barcode are confirmed by typing ``+`` (one unit of the first such line with units left,
in pick-list order) or ``+N`` (row N). Not by scanning the pick list's own row symbol: the pick list is
on the waybill, which prints only after verification, so at the bench there is nothing yet to scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from waybill import product_codes
from waybill.catalog import Catalog
from waybill.layout.picklist import sort_items
from waybill.model import Item, Order

Reason = Literal["not in this order", "more than ordered", "misread", "no order open", "needs a scan"]
REASONS: tuple[Reason, ...] = ("not in this order", "more than ordered", "misread", "no order open", "needs a scan")
BY_HAND = "+"

__all__ = [
    "BY_HAND",
    "REASONS",
    "Check",
    "Counted",
    "Forced",
    "Line",
    "Opened",
    "Outcome",
    "PrintedBefore",
    "Reason",
    "Refused",
    "Verifier",
]


@dataclass(frozen=True)
class Line:
    number: int  # the row on the pick list (location order)
    item: Item
    codes: frozenset[str]  # the barcodes a scan may read, as ``gtin_key``s; none: confirmed by typing +

    @property
    def by_hand(self) -> bool:
        return not self.codes


@dataclass
class Check:
    """One order under verification: how many units of each line are counted so far."""

    order: Order
    lines: tuple[Line, ...]
    counted: list[int] = field(default_factory=list)
    by_hand: int = 0  # units confirmed by typing + rather than scanned

    def __post_init__(self) -> None:
        self.counted = self.counted or [0] * len(self.lines)

    def left(self, line: Line) -> int:
        return line.item.qty - self.counted[line.number - 1]

    @property
    def units_left(self) -> int:
        return sum(self.left(line) for line in self.lines)

    @property
    def complete(self) -> bool:
        return self.units_left == 0

    def missing(self) -> list[tuple[Line, int]]:
        """Lines with units still to count, and how many."""
        return [(line, self.left(line)) for line in self.lines if self.left(line)]


@dataclass(frozen=True)
class Opened:
    check: Check
    set_aside: Check | None = None  # the order left unfinished by this scan
    resumed: bool = False  # scanned before: its counts are kept


@dataclass(frozen=True)
class PrintedBefore:
    """An order whose label was printed already: the station asks before a reprint; nothing is open now."""

    order: Order
    set_aside: Check | None = None


@dataclass(frozen=True)
class Counted:
    check: Check  # complete once the last unit is counted: print it
    line: Line
    by_hand: bool


@dataclass(frozen=True)
class Refused:
    code: str
    reason: Reason
    detail: str = ""
    check: Check | None = None  # the order open when it was refused


@dataclass(frozen=True)
class Forced:
    """The force code: print the open order although ``check.missing()`` is not empty."""

    check: Check
    code: str


Outcome = Opened | PrintedBefore | Counted | Refused | Forced


class Verifier:
    def __init__(
        self,
        find: Callable[[str], Order | None],
        printed: Callable[[Order], bool],
        catalog: Catalog | None = None,
        *,
        force_code: str | None = None,
    ) -> None:
        self.find = find  # an order by its order id or waybill number
        self.printed = printed  # has this order's label been printed before?
        self.catalog = catalog or Catalog()
        self.force_code = force_code
        self.current: Check | None = None
        self.set_aside: dict[str, Check] = {}  # order id → unfinished check

    def lines(self, order: Order) -> tuple[Line, ...]:
        return tuple(
            Line(number, item, frozenset(map(product_codes.gtin_key, self.catalog.codes_for(item))))
            for number, (_, item) in enumerate(sort_items(order.items), start=1)
        )

    def scan(self, raw: str) -> Outcome:
        code = raw.strip()
        if self.force_code is not None and code == self.force_code:
            return self._force(code)
        check = self.current
        if check is not None and code.startswith(BY_HAND):
            return self._by_hand(check, code)
        if check is not None:
            key = product_codes.gtin_key(code)
            matching = [line for line in check.lines if key in line.codes]
            if matching:
                return self._count(check, matching, code)
        order = self.find(code)
        if order is not None:
            return self._open(order)
        misread = product_codes.check_digit_problem(code)
        if misread:
            return self._refuse(code, "misread", misread)
        if check is None:
            what = (
                "counts a unit of the open order"
                if code.startswith(BY_HAND)
                else "is not an order id or waybill number"
            )
            return self._refuse(code, "no order open", f"{code!r} {what}; scan an order first")
        sku = self.catalog.sku_of(code)
        return self._refuse(code, "not in this order", f"the catalog has it as SKU {sku}" if sku else "")

    def _open(self, order: Order) -> Opened | PrintedBefore:
        current = self.current
        if current is not None and current.order.order_id == order.order_id:
            return Opened(current, resumed=True)
        if current is not None:
            self.set_aside[current.order.order_id] = current
        self.current = None
        if self.printed(order):
            return PrintedBefore(order, current)
        resumed = self.set_aside.pop(order.order_id, None)
        self.current = resumed or Check(order, self.lines(order))
        return Opened(self.current, current, resumed is not None)

    def _count(self, check: Check, matching: list[Line], code: str) -> Counted | Refused:
        line = next((line for line in matching if check.left(line)), None)
        if line is None:
            ordered = sum(line.item.qty for line in matching)
            return self._refuse(code, "more than ordered", f"{matching[0].item.sku}: {ordered} ordered, all counted")
        return self._counted(check, line, by_hand=False)

    def _by_hand(self, check: Check, code: str) -> Counted | Refused:
        row = code.removeprefix(BY_HAND).strip()
        if row:
            if not row.isdigit() or not 1 <= int(row) <= len(check.lines):
                return self._refuse(code, "not in this order", f"the pick list has rows 1-{len(check.lines)}")
            candidates = [check.lines[int(row) - 1]]
        else:
            candidates = [line for line in check.lines if line.by_hand]
        if not any(line.by_hand for line in candidates):
            what = f"row {row} has" if row else "every item has"
            return self._refuse(code, "needs a scan", f"{what} a barcode: scan the goods")
        line = next((line for line in candidates if check.left(line)), None)
        if line is None:
            return self._refuse(code, "more than ordered", "every unit without a barcode is counted")
        return self._counted(check, line, by_hand=True)

    def _counted(self, check: Check, line: Line, *, by_hand: bool) -> Counted:
        check.counted[line.number - 1] += 1
        check.by_hand += by_hand
        if check.complete:
            self.current = None
        return Counted(check, line, by_hand)

    def _force(self, code: str) -> Forced | Refused:
        if self.current is None:
            return self._refuse(code, "no order open", "the force code prints the open order; scan one first")
        check, self.current = self.current, None
        return Forced(check, code)

    def _refuse(self, code: str, reason: Reason, detail: str) -> Refused:
        return Refused(code, reason, detail, self.current)

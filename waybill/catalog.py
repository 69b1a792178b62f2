"""The product catalog (``--catalog FILE``): CSV ``sku,barcode``, one barcode a row, several rows for a SKU
that ships in more than one packaging. It fills in the barcode of order items that carry none."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from waybill import product_codes
from waybill.errors import OrderError, Problem
from waybill.model import Item, Order

COLUMNS = ("sku", "barcode")

__all__ = ["COLUMNS", "Catalog", "load_catalog"]


@dataclass(frozen=True)
class Catalog:
    barcodes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sku → its barcodes, in file order

    def codes_for(self, item: Item) -> tuple[str, ...]:
        """The codes a scan of ``item`` may read: its own barcode, or (with none, or one from this catalog)
        every barcode the catalog lists for its SKU."""
        listed = self.barcodes.get(item.sku, ())
        if not item.barcode or item.barcode in listed:
            return listed or ((item.barcode,) if item.barcode else ())
        return (item.barcode,)

    def sku_of(self, code: str) -> str | None:
        """The SKU a scanned code belongs to, if the catalog knows it (to name a wrong product)."""
        key = product_codes.gtin_key(code)
        return next(
            (sku for sku, codes in self.barcodes.items() if key in map(product_codes.gtin_key, codes)),
            None,
        )

    def fill(self, order: Order) -> Order:
        """``order`` with each item that has no barcode given the catalog's first one for its SKU."""
        items = tuple(
            dataclasses.replace(item, barcode=self.barcodes[item.sku][0])
            if not item.barcode and item.sku in self.barcodes
            else item
            for item in order.items
        )
        return order if items == order.items else dataclasses.replace(order, items=items)

    def fill_all(self, orders: Iterable[Order]) -> tuple[Order, ...]:
        return tuple(self.fill(order) for order in orders)


def load_catalog(path: Path) -> Catalog:
    """Read a catalog; every bad row is reported at once (file:line: field: what is wrong)."""
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise OrderError([Problem(source, None, None, f"cannot read: {error.strerror}")]) from error
    except UnicodeDecodeError as error:
        raise OrderError([Problem(source, None, None, "not UTF-8 text")]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    problems = [Problem(source, 1, name, "missing column") for name in COLUMNS if name not in header]
    problems += [Problem(source, 1, name, "unknown column") for name in header if name not in COLUMNS]
    if problems:
        raise OrderError(problems)
    barcodes: dict[str, list[str]] = {}
    owner: dict[str, tuple[str, int]] = {}  # barcode → (sku, line) that listed it first
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(Problem(source, line, None, f"{len(row) - len(header)} more cells than the header"))
            continue
        cells = {name: (row[i] if i < len(row) else "").strip() for i, name in enumerate(header)}
        sku, code = cells["sku"], cells["barcode"]
        for name in COLUMNS:
            if not cells[name]:
                problems.append(Problem(source, line, name, "is required"))
        wrong = product_codes.problem(code) if code else None
        if wrong:
            problems.append(Problem(source, line, "barcode", wrong))
        if not sku or not code or wrong:
            continue
        key = product_codes.gtin_key(code)
        if key in owner and owner[key][0] != sku:
            first_sku, first_line = owner[key]
            problems.append(Problem(source, line, "barcode", f"{code!r} is SKU {first_sku!r} on line {first_line}"))
            continue
        owner.setdefault(key, (sku, line))
        if code not in barcodes.setdefault(sku, []):
            barcodes[sku].append(code)
    if problems:
        raise OrderError(problems)
    return Catalog({sku: tuple(codes) for sku, codes in barcodes.items()})

"""The pick list (拣货单) table: rows in natural location order, split by whole rows over as many labels as
it takes, the header repeated on each, the totals on the first. No item is ever dropped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from natsort import natsort_keygen, ns

from waybill.fonts.metrics import FontMetrics
from waybill.layout.item_codes import ItemSymbol, fit_symbol
from waybill.layout.label import Mark, Rect
from waybill.layout.text import FittedText, fit_text
from waybill.layout.typeset import DotBox, place_text
from waybill.model import Item
from waybill.template import PickListElement

__all__ = [
    "Row",
    "Table",
    "cell_text",
    "paginate",
    "sort_items",
    "totals_text",
]

_location_key = natsort_keygen(alg=ns.IGNORECASE)


def sort_items(items: Sequence[Item]) -> list[tuple[int, Item]]:
    """(index in the order, item) in natural location order: A-2 before A-10; items without a location last."""
    return sorted(enumerate(items), key=lambda pair: (not pair[1].location, _location_key(pair[1].location)))


def cell_text(field: str, number: int, item: Item) -> str:
    if field == "index":
        return str(number)
    if field == "qty":
        return str(item.qty)
    if field == "name_spec":
        return f"{item.name} {item.spec}".strip()
    return str(getattr(item, field))


def totals_text(items: Sequence[Item], pages: int) -> str:
    text = f"共 {len(items)} 种  {sum(item.qty for item in items)} 件"
    return text + (f"（拣货单续 {pages - 1} 张）" if pages > 1 else "")


@dataclass(frozen=True)
class Row:
    number: int  # 1-based position in the sorted list
    item_index: int  # position in the order, for messages
    cells: tuple[FittedText, ...]
    height: int
    symbol: ItemSymbol | None = None  # the item's barcode, painted in the `barcode` column
    symbol_problem: str = ""  # why the barcode is printed as text instead


@dataclass(frozen=True)
class Table:
    """One pick-list element's geometry in dots."""

    element: PickListElement
    font: FontMetrics
    box: DotBox
    columns: tuple[DotBox, ...]  # x and w of each column (y and h unused)
    size: int
    min_size: int
    pad_x: int
    pad_y: int
    rule: int
    dots_per_mm: float

    @classmethod
    def at(cls, element: PickListElement, font: FontMetrics, dots_per_mm: float) -> Table:
        def dots(mm: float) -> int:
            return round(mm * dots_per_mm)

        box = DotBox(dots(element.box.x), dots(element.box.y), dots(element.box.w), dots(element.box.h))
        fixed = sum(dots(c.width) for c in element.columns if c.width)
        flexible = [c for c in element.columns if not c.width]
        share = (box.w - fixed) // len(flexible) if flexible else 0
        columns, x = [], box.x
        for column in element.columns:
            width = dots(column.width) if column.width else share
            columns.append(DotBox(x, 0, width, 0))
            x += width
        return cls(
            element,
            font,
            box,
            tuple(columns),
            max(1, dots(element.size)),
            max(1, dots(element.min_size)),
            pad_x=max(1, dots(0.6)),
            pad_y=max(1, dots(0.3)),
            rule=max(1, dots(0.25)),
            dots_per_mm=dots_per_mm,
        )

    @property
    def line_pitch(self) -> float:
        return self.size * self.element.line_height

    @property
    def header_height(self) -> int:
        return round(self.line_pitch) + 2 * self.pad_y + self.rule

    @property
    def totals_height(self) -> int:
        return round(self.line_pitch) + 2 * self.pad_y if self.element.totals else 0

    def fit(self, text: str, column: DotBox, lines: int) -> FittedText:
        line_height = self.element.line_height
        return fit_text(
            text,
            self.font,
            width=column.w - 2 * self.pad_x,
            height=lines * self.size * line_height,
            size=self.size,
            min_size=self.min_size,
            line_height=line_height,
            max_lines=lines,
        )

    def rows(self, items: Sequence[Item], scrub: Callable[[str], str] = str) -> list[Row]:
        """Every item as a fitted row; ``scrub`` cleans cell text (privacy masking of stray phone numbers)."""
        rows = []
        for number, (item_index, item) in enumerate(sort_items(items), start=1):
            symbol, problem, bars = self._symbol(item)
            cells = tuple(
                self.fit("" if c.field == "barcode" and symbol else scrub(cell_text(c.field, number, item)), box, most)
                for c, box, most in zip(self.element.columns, self.columns, self._max_lines(), strict=True)
            )
            lines = max(bars, *(len(cell.lines) * cell.size * self.element.line_height for cell in cells))
            rows.append(Row(number, item_index, cells, round(lines) + 2 * self.pad_y + 1, symbol, problem))
        return rows

    def _symbol(self, item: Item) -> tuple[ItemSymbol | None, str, int]:
        """The item's barcode fitted to the `barcode` column, why not, and the bars' height in dots."""
        index = next((i for i, c in enumerate(self.element.columns) if c.field == "barcode"), None)
        if index is None or not item.barcode:
            return None, "", 0
        fitted = fit_symbol(item.barcode, self.columns[index].w, self.dots_per_mm)
        if isinstance(fitted, str):
            return None, fitted, 0
        return fitted, "", max(1, round(self.element.columns[index].height * self.dots_per_mm))

    def _max_lines(self) -> list[int]:
        # A barcode shown as text keeps to one line: a code wrapped at a hyphen reads as two codes.
        return [1 if c.field == "barcode" else self.element.max_lines for c in self.element.columns]

    def marks(self, rows: Sequence[Row], totals: str | None) -> tuple[list[Mark], set[str]]:
        """The header, ``rows`` and (on the first label) the totals line, top-down in the box."""
        marks: list[Mark] = []
        missing: set[str] = set()
        y = self.box.y
        header = [self.fit(c.title, box, 1) for c, box in zip(self.element.columns, self.columns, strict=True)]
        y = self._row_marks(header, y, round(self.line_pitch) + 2 * self.pad_y, marks, missing)
        marks.append(Rect(self.box.x, y, self.box.w, self.rule))
        y += self.rule
        for row in rows:
            y = self._row_marks(list(row.cells), y, row.height - 1, marks, missing, row.symbol)
            marks.append(Rect(self.box.x, y, self.box.w, 1))
            y += 1
        if totals is not None:
            bottom = self.box.y + self.box.h - self.totals_height
            marks.append(Rect(self.box.x, bottom, self.box.w, self.rule))
            fitted = fit_text(
                totals,
                self.font,
                width=self.box.w - 2 * self.pad_x,
                height=self.line_pitch,
                size=self.size,
                min_size=self.min_size,
                max_lines=1,
            )
            line_box = DotBox(
                self.box.x + self.pad_x,
                bottom + self.pad_y,
                self.box.w - 2 * self.pad_x,
                self.totals_height - 2 * self.pad_y,
            )
            placed, gaps = place_text(
                fitted, line_box, self.font, valign="middle", bold=True, line_height=self.element.line_height
            )
            marks.extend(placed)
            missing |= gaps
        return marks, missing

    def _row_marks(
        self,
        cells: list[FittedText],
        y: int,
        height: int,
        marks: list[Mark],
        missing: set[str],
        symbol: ItemSymbol | None = None,
    ) -> int:
        for cell, column, spec in zip(cells, self.columns, self.element.columns, strict=True):
            if symbol is not None and spec.field == "barcode":
                # The quiet zones may take the cell's padding: it is white either way.
                marks.extend(symbol.rects(column.x, y + self.pad_y, column.w, height - 2 * self.pad_y))
                continue
            box = DotBox(column.x + self.pad_x, y + self.pad_y, column.w - 2 * self.pad_x, height - 2 * self.pad_y)
            placed, gaps = place_text(cell, box, self.font, align=spec.align, line_height=self.element.line_height)
            marks.extend(placed)
            missing |= gaps
        return y + height


def paginate(first: Sequence[Row], rest: Sequence[Row], first_room: int, rest_room: int) -> list[list[Row]]:
    """Split rows by whole rows: as many as fit on the first label (``first``'s heights), the rest onto
    continuation labels (``rest``'s heights). Both lists hold the same rows fitted to each table."""
    pages: list[list[Row]] = [[]]
    used = 0
    index = 0
    while index < len(first) and used + first[index].height <= first_room:
        used += first[index].height
        pages[0].append(first[index])
        index += 1
    while index < len(rest):
        page: list[Row] = []
        used = 0
        while index < len(rest) and (not page or used + rest[index].height <= rest_room):
            used += rest[index].height
            page.append(rest[index])
            index += 1
        pages.append(page)
    return pages

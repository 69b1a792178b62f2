"""Order + template → labels. Pure: no file, clock or printer is touched here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from waybill.errors import LayoutError
from waybill.fields import Value, is_set, order_context
from waybill.i18n import _
from waybill.layout.codes import SymbolDoesNotFit, code128_capacity, code128_mark, module_sizes, qr_mark
from waybill.layout.label import Label, LabelFont, LayoutWarning, Mark, Rect
from waybill.layout.picklist import Row, Table, paginate, totals_text
from waybill.layout.text import fit_text
from waybill.layout.typeset import DotBox, outline, place_text
from waybill.model import Order
from waybill.privacy import mask_phone_in
from waybill.shop import Shop
from waybill.template import (
    BarcodeElement,
    Box,
    BoxElement,
    Element,
    LineElement,
    PickListElement,
    QRElement,
    Template,
    TextElement,
)
from waybill.units import DEFAULT_DPI, dots_per_mm

__all__ = [
    "LaidOut",
    "LayoutOptions",
    "barcode_title",
    "layout_order",
]

_BARCODE_TITLES = {"waybill_no": "main barcode", "waybill_no_small": "second barcode"}


def barcode_title(element_id: str) -> str:
    """What errors call a barcode element: the built-in templates' ids by their role, others by id."""
    return _BARCODE_TITLES.get(element_id, f"barcode {element_id}")


@dataclass(frozen=True)
class LayoutOptions:
    dpi: int = DEFAULT_DPI
    mask: bool = True  # privacy waybill: recipient name and phone masked
    shop: Shop | None = None
    printed_at: datetime | None = None  # the print time on the label; default: the order's shipped_at
    # (order id, page) → the label's batch serial (YYMMDD-JJJ-SSS) when it prints through a printer pool
    batch_serials: Mapping[tuple[str, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class LaidOut:
    labels: tuple[Label, ...]
    warnings: tuple[LayoutWarning, ...]


def layout_order(
    order: Order, template: Template, font: LabelFont, options: LayoutOptions, *, now: datetime
) -> LaidOut:
    """The first label and any continuation labels of ``order``; ``now`` is the print time of last resort."""
    return _Layout(order, template, font, options, now).run()


class _Layout:
    def __init__(
        self, order: Order, template: Template, font: LabelFont, options: LayoutOptions, now: datetime
    ) -> None:
        self.order = order
        self.template = template
        self.font = font
        self.dpi = options.dpi
        self.dpmm = dots_per_mm(options.dpi)
        self.serials = options.batch_serials
        printed_at = options.printed_at or order.shipped_at or now
        self.context = order_context(order, options.shop, mask=options.mask, printed_at=printed_at)
        self.warnings: list[LayoutWarning] = []
        phone = order.recipient.phone
        # With privacy on, the recipient's number is masked even where someone typed it into an item.
        self.scrub: Callable[[str], str] = (lambda text: mask_phone_in(text, phone)) if options.mask else str
        self.handlers: dict[type, Callable[..., list[Mark]]] = {
            TextElement: self._text,
            BarcodeElement: self._barcode,
            QRElement: self._qr,
            LineElement: self._line,
            BoxElement: self._box,
            PickListElement: self._picklist,
        }

    def dots(self, mm: float) -> int:
        return round(mm * self.dpmm)

    def box(self, box: Box) -> DotBox:
        return DotBox(self.dots(box.x), self.dots(box.y), max(1, self.dots(box.w)), max(1, self.dots(box.h)))

    def warn(self, field: str, message: str) -> None:
        self.warnings.append(LayoutWarning(self.order.order_id, field, message))

    def run(self) -> LaidOut:
        pages = self._paginate_picklist()
        labels = []
        for page, rows in enumerate(pages, start=1):
            context: dict[str, Value] = {
                **self.context,
                "page": page,
                "pages": len(pages),
                "continued": len(pages) > 1,
                "batch_serial": self.serials.get((self.order.order_id, page), ""),
            }
            elements = self.template.elements if page == 1 else self.template.continuation
            marks: list[Mark] = []
            for element in elements:
                if element.when is None or is_set(context.get(element.when)):
                    marks.extend(self._element(element, context, rows, len(pages)))
            labels.append(
                Label(
                    waybill_no=self.order.waybill_no,
                    order_id=self.order.order_id,
                    page=page,
                    pages=len(pages),
                    width_mm=self.template.width_mm,
                    height_mm=self.template.height_mm,
                    width=self.dots(self.template.width_mm),
                    height=self.dots(self.template.height_mm),
                    dots_per_mm=self.dpmm,
                    font=self.font,
                    marks=tuple(marks),
                )
            )
        return LaidOut(tuple(labels), tuple(self.warnings))

    def _paginate_picklist(self) -> list[list[Row]]:
        first, rest = self.template.picklist, self.template.continuation_picklist
        if first is None or rest is None:
            return [[]]
        first_table, rest_table = Table.at(first, self.font, self.dpmm), Table.at(rest, self.font, self.dpmm)
        first_room = first_table.box.h - first_table.header_height - first_table.totals_height
        rest_room = rest_table.box.h - rest_table.header_height
        first_rows = first_table.rows(self.order.items, self.scrub)
        fits_on_first = sum(row.height for row in first_rows) <= first_room
        rest_rows = first_rows if fits_on_first else rest_table.rows(self.order.items, self.scrub)
        pages = paginate(first_rows, rest_rows, first_room, rest_room)
        for page in pages:
            for row in page:
                self._cell_warnings(row, first if page is pages[0] else rest)
        return pages

    def _cell_warnings(self, row: Row, element: PickListElement) -> None:
        if row.symbol_problem:
            self.warn(f"items[{row.item_index}].barcode", row.symbol_problem)
        for cell, column in zip(row.cells, element.columns, strict=True):
            self._fit_warnings(f"items[{row.item_index}].{column.field}", cell.size, cell.truncated, element.size)

    def _fit_warnings(self, field: str, size: int, truncated: bool, preferred_mm: float) -> None:
        preferred = max(1, self.dots(preferred_mm))
        # A resident font sets the preferred size at its nearest cell size below: no shrinking, the printer's grid.
        if size < self.font.sizes(preferred, preferred)[0]:
            self.warn(
                field,
                _("shrunk from {preferred} mm to {size} mm to fit").format(
                    preferred=f"{preferred_mm:g}", size=f"{size / self.dpmm:.2g}"
                ),
            )
        if truncated:
            self.warn(field, _("cut with an ellipsis: the text does not fit even at the minimum size"))

    def _element(self, element: Element, context: dict[str, Value], rows: list[Row], pages: int) -> list[Mark]:
        return self.handlers[type(element)](element, context=context, rows=rows, pages=pages)

    def _text(self, element: TextElement, *, context: dict[str, Value], **_: object) -> list[Mark]:
        text = element.text.render(context)
        box = self.box(element.box)
        background: list[Mark] = [Rect(box.x, box.y, box.w, box.h)] if element.inverse else []
        if not text.strip():
            return background
        inset = DotBox(box.x + 2, box.y, box.w - 4, box.h) if element.inverse else box
        fitted = fit_text(
            text,
            self.font,
            width=inset.w - (2 if element.bold else 0),
            height=inset.h,
            size=max(1, self.dots(element.size)),
            min_size=max(1, self.dots(element.min_size)),
            line_height=element.line_height,
            wrap=element.wrap,
            max_lines=element.max_lines,
        )
        self._fit_warnings(element.id, fitted.size, fitted.truncated, element.size)
        marks, missing = place_text(
            fitted,
            inset,
            self.font,
            align=element.align,
            valign=element.valign,
            line_height=element.line_height,
            bold=element.bold,
            white=element.inverse,
        )
        self._missing_warning(element.id, missing)
        return background + marks

    def _missing_warning(self, field: str, missing: set[str]) -> None:
        for char in sorted(missing):
            self.warn(
                field,
                _("the font has no glyph for {char!r} (U+{code:04X}); drawn as an empty box").format(
                    char=char, code=ord(char)
                ),
            )

    def _barcode(self, element: BarcodeElement, *, context: dict[str, Value], **_: object) -> list[Mark]:
        data = element.data.render(context)
        if not data:
            return []
        box = self.box(element.box)
        modules = module_sizes(element.module, element.min_module, self.dpmm)
        try:
            return [code128_mark(data, box.x, box.y, box.w, box.h, modules, vertical=element.vertical)]
        except SymbolDoesNotFit as error:
            capacity = code128_capacity(box.h if element.vertical else box.w, modules[-1])
            raise LayoutError(
                f"order {self.order.order_id}: {element.id}: {error}; this template's {barcode_title(element.id)} "
                f"carries at most {capacity.characters} characters at {self.dpi} dpi ({capacity.digits} if all digits)"
            ) from error
        except ValueError as error:  # characters outside Code128's set
            raise LayoutError(f"order {self.order.order_id}: {element.id}: cannot encode {data!r}: {error}") from error

    def _qr(self, element: QRElement, *, context: dict[str, Value], **_: object) -> list[Mark]:
        data = element.data.render(context)
        if not data:
            return []
        box = self.box(element.box)
        try:
            return [qr_mark(data, box.x, box.y, min(box.w, box.h))]
        except SymbolDoesNotFit as error:
            raise LayoutError(f"order {self.order.order_id}: {element.id}: {error}") from error

    def _line(self, element: LineElement, **_: object) -> list[Mark]:
        box = self.box(element.box)
        return [Rect(box.x, box.y, box.w, box.h)]

    def _box(self, element: BoxElement, **_: object) -> list[Mark]:
        box = self.box(element.box)
        if element.fill:
            return [Rect(box.x, box.y, box.w, box.h)]
        return list(outline(box, max(1, self.dots(element.thickness))))

    def _picklist(self, element: PickListElement, *, rows: list[Row], pages: int, **_: object) -> list[Mark]:
        table = Table.at(element, self.font, self.dpmm)
        first = element is self.template.picklist
        totals = totals_text(self.order.items, pages) if first and element.totals else None
        marks, missing = table.marks(rows, totals)
        self._missing_warning(element.id, missing)
        return marks

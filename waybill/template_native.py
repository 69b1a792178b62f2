"""``waybill templates check --profile NATIVE``: what a printer drawing labels itself cannot draw as the
template asks — text sizes off its font's cells, and characters its font lacks (sent as bitmaps, or shown as
empty boxes when the bundled font lacks them too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from waybill.fields import Value, order_context
from waybill.fonts.cells import CellFont
from waybill.layout.picklist import cell_text
from waybill.model import Order
from waybill.shop import Shop
from waybill.template import Element, PickListElement, Template, TextElement
from waybill.units import dots_per_mm

__all__ = ["native_notes"]


def native_notes(
    template: Template, font: CellFont, orders: Sequence[Order], shop: Shop | None, *, now: datetime, dpi: int
) -> tuple[str, ...]:
    """One line per element and finding, in template order."""
    dpmm = dots_per_mm(dpi)
    notes: list[str] = []
    sections = (("elements", template.elements), ("continuation", template.continuation))
    for section, elements in sections:
        for element in elements:
            where = f"{section}: {element.id}"
            if isinstance(element, TextElement | PickListElement):
                notes.extend(f"{where}: {line}" for line in _size_notes(element, font, dpmm))
    missing: dict[str, set[str]] = {}
    for order in orders:
        context: dict[str, Value] = {
            **order_context(order, shop, printed_at=order.shipped_at or now),
            "page": 1,
            "pages": 1,
            "continued": False,
        }
        for section, elements in sections:
            for element in elements:
                for text in _texts(element, context, order):
                    chars = {c for c in text if not c.isspace() and not font.resident(c)}
                    if chars:
                        missing.setdefault(f"{section}: {element.id}", set()).update(chars)
    for where, chars in missing.items():
        drawn = "".join(sorted(c for c in chars if font.outline.has_glyph(c)))
        lost = "".join(sorted(c for c in chars if not font.outline.has_glyph(c)))
        if drawn:
            notes.append(f"{where}: {drawn} not in {font.name}: sent as bitmaps")
        if lost:
            notes.append(f"{where}: {lost} in neither {font.name} nor the bundled font: drawn as empty boxes")
    return tuple(notes)


def _size_notes(element: TextElement | PickListElement, font: CellFont, dpmm: float) -> list[str]:
    size = max(1, round(element.size * dpmm))
    sizes = font.sizes(size, max(1, round(element.min_size * dpmm)))
    cell_mm = font.cell / dpmm
    if sizes[0] == size:
        return []
    if sizes[0] > size:
        return [f"size {element.size:g} mm is below {font.name}'s smallest: set at {cell_mm:g} mm, larger"]
    return [f"size {element.size:g} mm set at {sizes[0] / dpmm:g} mm ({font.name} magnifies {cell_mm:g} mm cells)"]


def _texts(element: Element, context: dict[str, Value], order: Order) -> list[str]:
    if isinstance(element, TextElement):
        return [element.text.render(context)]
    if isinstance(element, PickListElement):
        rows = [cell_text(c.field, n, item) for n, item in enumerate(order.items, 1) for c in element.columns]
        return [c.title for c in element.columns] + rows
    return []

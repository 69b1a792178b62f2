"""``waybill templates check``: what would go wrong with a template before a label is printed.

Parse problems (unknown fields and keys, elements off the page, sizes below the legible minimum) come from
``load_template``; this adds what needs the font and real orders: text boxes too small for one line at their
minimum size, and every sample order laid out at each dpi, where a barcode that does not fit with its quiet zones fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from waybill.errors import LayoutError
from waybill.fonts import Font
from waybill.layout import DPI_CHOICES
from waybill.layout.codes import QUIET_MODULES, code128_modules
from waybill.layout.engine import LayoutOptions, dots_per_mm, layout_order
from waybill.model import Order
from waybill.shop import Shop
from waybill.template import BarcodeElement, Template, TextElement


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[str, ...]  # the template must be fixed
    notes: tuple[str, ...]  # worth knowing: text that shrinks or is cut on the sample orders


def check_template(
    template: Template, font: Font, orders: Sequence[Order], shop: Shop | None, *, now: datetime
) -> CheckResult:
    problems: list[str] = []
    notes: list[str] = []
    for section, elements in (("elements", template.elements), ("continuation", template.continuation)):
        for element in elements:
            where = f"{section}: {element.id}"
            if isinstance(element, TextElement) and element.box.h < element.min_size * element.line_height - 1e-9:
                problems.append(
                    f"{where}: the box is {element.box.h:g} mm high; one line at min_size {element.min_size:g} mm "
                    f"needs {element.min_size * element.line_height:.2f} mm, so text would go below the minimum size"
                )
            if isinstance(element, BarcodeElement):
                notes.extend(_barcode_capacity(where, element))
    for dpi in DPI_CHOICES:
        options = LayoutOptions(dpi=dpi, shop=shop)
        for order in orders:
            try:
                laid_out = layout_order(order, template, font, options, now=now)
            except LayoutError as error:
                problems.append(f"at {dpi} dpi: {error}")
                continue
            notes.extend(f"at {dpi} dpi: {warning}" for warning in laid_out.warnings)
    return CheckResult(tuple(problems), tuple(dict.fromkeys(notes)))


def _barcode_capacity(where: str, element: BarcodeElement) -> list[str]:
    notes = []
    for dpi in DPI_CHOICES:
        dpmm = dots_per_mm(dpi)
        module = max(1, round(element.min_module * dpmm))
        room = round(element.box.w * dpmm) // module - 2 * QUIET_MODULES
        notes.append(
            f"{where}: at {dpi} dpi holds a symbol of up to {room} modules at {module}-dot modules "
            f"(an SF number such as SF1234567890123 takes {len(code128_modules('SF1234567890123'))})"
        )
    return notes

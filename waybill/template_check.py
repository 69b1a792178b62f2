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
from waybill.i18n import _
from waybill.layout.codes import Capacity, code128_capacity, module_sizes
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.label import LabelFont
from waybill.model import Order
from waybill.shop import Shop
from waybill.template import BarcodeElement, Template, TextElement
from waybill.units import DPI_CHOICES, dots_per_mm

__all__ = [
    "BarcodeCapacity",
    "CheckResult",
    "barcode_capacity",
    "capacity_table",
    "check_template",
]


@dataclass(frozen=True)
class BarcodeCapacity:
    """The longest number one barcode element carries at one dpi (at its narrowest allowed module)."""

    element: str  # "elements: waybill_no", "continuation: waybill_no"
    dpi: int
    module: int  # dots
    capacity: Capacity


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[str, ...]  # the template must be fixed
    notes: tuple[str, ...]  # worth knowing: text that shrinks or is cut on the sample orders
    barcodes: tuple[BarcodeCapacity, ...]


def check_template(
    template: Template,
    font: LabelFont,
    orders: Sequence[Order],
    shop: Shop | None,
    *,
    now: datetime,
    dpis: Sequence[int] = DPI_CHOICES,
) -> CheckResult:
    problems: list[str] = []
    notes: list[str] = []
    barcodes: list[BarcodeCapacity] = []
    for section, elements in (("elements", template.elements), ("continuation", template.continuation)):
        for element in elements:
            where = f"{section}: {element.id}"
            if isinstance(element, TextElement) and element.box.h < element.min_size * element.line_height - 1e-9:
                problems.append(
                    _(
                        "{where}: the box is {height:g} mm high; one line at min_size {min_size:g} mm needs "
                        "{needed:.2f} mm, so text would go below the minimum size"
                    ).format(
                        where=where,
                        height=element.box.h,
                        min_size=element.min_size,
                        needed=element.min_size * element.line_height,
                    )
                )
            if isinstance(element, BarcodeElement):
                barcodes.extend(barcode_capacity(where, element, dpi) for dpi in dpis)
    for dpi in dpis:
        options = LayoutOptions(dpi=dpi, shop=shop)
        for order in orders:
            try:
                laid_out = layout_order(order, template, font, options, now=now)
            except LayoutError as error:
                problems.append(_("at {dpi} dpi: {problem}").format(dpi=dpi, problem=error))
                continue
            notes.extend(_("at {dpi} dpi: {problem}").format(dpi=dpi, problem=warning) for warning in laid_out.warnings)
    return CheckResult(tuple(problems), tuple(dict.fromkeys(notes)), tuple(barcodes))


def barcode_capacity(where: str, element: BarcodeElement, dpi: int) -> BarcodeCapacity:
    dpmm = dots_per_mm(dpi)
    module = module_sizes(element.module, element.min_module, dpmm)[-1]
    length = round((element.box.h if element.vertical else element.box.w) * dpmm)
    return BarcodeCapacity(where, dpi, module, code128_capacity(length, module))


def capacity_table(barcodes: Sequence[BarcodeCapacity]) -> list[str]:
    """The longest numbers, one line per barcode and dpi (nothing when the template has no barcode)."""
    if not barcodes:
        return []
    width = max(len(b.element) for b in barcodes)
    lines = [_("longest number each barcode carries (at its narrowest module, quiet zones of 10 modules):")]
    for b in barcodes:
        mm = b.module / dots_per_mm(b.dpi)
        lines.append(
            "  "
            + b.element.ljust(width)
            + "  "
            + _(
                "{dpi} dpi, {module}-dot modules ({mm:.3f} mm): {characters:>2} characters of A-Z 0-9 - (any mix), "
                "{digits:>2} digits"
            ).format(dpi=b.dpi, module=b.module, mm=mm, characters=b.capacity.characters, digits=b.capacity.digits)
        )
    return lines

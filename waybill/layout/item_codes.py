"""Item barcodes in the pick list: the product's EAN-13, UPC-A or Code128 as rectangles at whole printer dots.

python-barcode's ``build()`` gives an EAN-13 or UPC-A as a module string (``"1010001…"``, guard bars
included), Code128 is the waybill's own shortest encoding (``waybill.layout.code128``); painting each module
as the same whole number of dots keeps every bar edge where a decoder expects it (python-barcode's image
writers scale in millimetres and leave bars a dot off). The symbology follows the code itself
(``waybill.product_codes``), so a packer's scanner reads back exactly the item's barcode.
"""

from __future__ import annotations

from dataclasses import dataclass

from waybill.layout.codes import bar_runs, code128_modules, module_sizes
from waybill.layout.label import Rect
from waybill.product_codes import Symbology, symbology

# Quiet zones in modules, (left, right): GS1 asks 11/7 for EAN-13 and 9/9 for UPC-A; Code128 10 a side.
QUIET: dict[Symbology, tuple[int, int]] = {"ean13": (11, 7), "upca": (9, 9), "code128": (10, 10)}
MODULE_MM = 0.33  # EAN-13's nominal module
MIN_MODULE_MM = 0.25  # 2 dots at 203 dpi; a thermal head's dot gain makes 1-dot bars unreadable

__all__ = ["MIN_MODULE_MM", "MODULE_MM", "QUIET", "ItemSymbol", "fit_symbol", "item_modules"]


def item_modules(code: str) -> str:
    """The module string of ``code``, in the symbology its digits call for."""
    kind = symbology(code)
    if kind == "code128":
        return code128_modules(code)
    import barcode  # here: the package loads its image writer (PIL), and most pick lists carry no EAN

    return str(barcode.get(kind, code).build()[0])


@dataclass(frozen=True)
class ItemSymbol:
    code: str
    modules: str  # "1" a bar module, "0" a space module, quiet zones excluded
    module: int  # dots per module
    quiet: tuple[int, int]

    @property
    def width(self) -> int:
        """Dots, quiet zones included."""
        return (len(self.modules) + sum(self.quiet)) * self.module

    def rects(self, x: int, y: int, width: int, height: int) -> list[Rect]:
        """The bars, the symbol and its quiet zones centred in the box."""
        left = x + (width - self.width) // 2 + self.quiet[0] * self.module
        return bar_runs(self.modules, left, y, self.module, height)


def fit_symbol(code: str, width: int, dots_per_mm: float) -> ItemSymbol | str:
    """``code`` at the widest whole-dot module from ``MODULE_MM`` down to ``MIN_MODULE_MM`` that fits
    ``width`` dots with its quiet zones; else why it does not fit."""
    modules = item_modules(code)
    quiet = QUIET[symbology(code)]
    sizes = module_sizes(MODULE_MM, MIN_MODULE_MM, dots_per_mm)
    smallest = sizes[-1]
    for module in sizes:
        symbol = ItemSymbol(code, modules, module, quiet)
        if symbol.width <= width:
            return symbol
    needed = (len(modules) + sum(quiet)) * smallest
    return f"{code!r} needs {needed} dots at {smallest}-dot modules, the column has {width}; printed as text"

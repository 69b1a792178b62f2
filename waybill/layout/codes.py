"""Code128 and QR symbols as rectangles at whole printer dots.

Code128 uses reportlab's encoder: it switches to code set C for even runs of digits, which gives the
shortest symbol (a typical ``SF`` number: 145 modules, where python-barcode's encoder takes 156), so the
main barcode keeps its 3-dot modules on narrower stock.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno
from reportlab.graphics.barcode.code128 import Code128

from waybill.layout.label import Rect

QUIET_MODULES = 10  # each side of a Code128 symbol
QR_QUIET_MODULES = 4


class SymbolDoesNotFit(Exception):
    """The symbol cannot be drawn at an allowed module size inside its box (a template error)."""


def code128_modules(data: str) -> str:
    """The symbol as a string of ``1`` (bar) and ``0`` (space) modules, quiet zones excluded."""
    symbol = Code128(data)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    # reportlab writes each element as a letter: upper case a bar, lower case a space, A/a = 1 module wide.
    return "".join(
        ("1" if element.isupper() else "0") * (ord(element.upper()) - ord("A") + 1) for element in symbol.decomposed
    )


def code128_rects(data: str, x: int, y: int, width: int, height: int, modules: Sequence[int]) -> list[Rect]:
    """Bars of ``data`` centred in the box, at the first module size (dots) of ``modules`` that fits."""
    pattern = code128_modules(data)
    needed = len(pattern) + 2 * QUIET_MODULES
    for module in modules:
        if needed * module <= width:
            left = x + (width - len(pattern) * module) // 2
            return _runs(pattern, left, y, module, height)
    smallest = min(modules)
    raise SymbolDoesNotFit(
        f"Code128 of {data!r} needs {needed} modules with quiet zones: {needed * smallest} dots at "
        f"{smallest}-dot modules, but the box is {width} dots wide"
    )


def _runs(pattern: str, left: int, top: int, module: int, height: int) -> list[Rect]:
    rects: list[Rect] = []
    start = None
    for index, bit in enumerate(pattern + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            rects.append(Rect(left + start * module, top, (index - start) * module, height))
            start = None
    return rects


def qr_rects(data: str, x: int, y: int, size: int) -> list[Rect]:
    """A QR code (error correction M) centred in a ``size``-dot square, modules at whole dots (≥ 2)."""
    symbol = segno.make(data, error="m", micro=False)
    count = int(symbol.symbol_size(border=0)[0])
    module = size // (count + 2 * QR_QUIET_MODULES)
    if module < 2:
        raise SymbolDoesNotFit(
            f"QR code of {len(data)} characters has {count} modules a side; a {size}-dot box gives "
            f"{module}-dot modules, need at least 2"
        )
    offset_x = x + (size - count * module) // 2
    offset_y = y + (size - count * module) // 2
    rects: list[Rect] = []
    for row_index, row in enumerate(symbol.matrix):
        pattern = "".join("1" if cell else "0" for cell in row)
        rects.extend(_runs(pattern, offset_x, offset_y + row_index * module, module, module))
    return rects

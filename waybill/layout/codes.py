"""Code128 and QR symbols as rectangles at whole printer dots, and how long a number a Code128 box carries.

Code128 is encoded in the fewest symbol characters (``waybill.layout.code128``: a typical ``SF`` number in 145
modules), so the main barcode keeps its 3-dot modules on narrower stock. Code set C shortens only runs of
digits, so a number without digits is the longest of its length: the worst case a box must carry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from waybill.layout.code128 import code128_symbol, code128_values
from waybill.layout.label import Barcode, QRCode, Rect

__all__ = [
    "QR_QUIET_MODULES",
    "QUIET_MODULES",
    "Capacity",
    "SymbolDoesNotFit",
    "bar_runs",
    "code128_capacity",
    "code128_mark",
    "code128_modules",
    "code128_rects",
    "code128_symbol",
    "code128_values",
    "code128_width",
    "module_sizes",
    "qr_mark",
    "qr_matrix",
    "qr_module_rects",
]

QUIET_MODULES = 10  # each side of a Code128 symbol
QR_QUIET_MODULES = 4
_BAR_RUN = re.compile("1+")


class SymbolDoesNotFit(Exception):
    """The symbol cannot be drawn at an allowed module size inside its box (a template error)."""


@dataclass(frozen=True)
class Capacity:
    """The longest numbers a Code128 box carries at its narrowest module, every shorter one included."""

    characters: int  # any mix of A-Z, 0-9 and - (the worst case for code set choice: no digits)
    digits: int  # numbers of digits only


def module_sizes(preferred_mm: float, min_mm: float, dots_per_mm: float) -> tuple[int, ...]:
    """Whole-dot module widths to try, widest first: from ``preferred_mm`` (rounded) down to the narrowest
    that is still at least ``min_mm`` (rounded up, so a module is never thinner than the rule)."""
    narrowest = max(1, math.ceil(min_mm * dots_per_mm - 1e-6))
    widest = max(narrowest, round(preferred_mm * dots_per_mm))
    return tuple(range(widest, narrowest - 1, -1))


def code128_modules(data: str) -> str:
    """The symbol of ``data`` as a string of ``1`` (bar) and ``0`` (space) modules, quiet zones excluded."""
    return code128_symbol(code128_values(data))


def code128_width(data: str) -> int:
    """Modules of the symbol of ``data`` with both quiet zones."""
    return len(code128_modules(data)) + 2 * QUIET_MODULES


def code128_rects(
    data: str, x: int, y: int, width: int, height: int, modules: Sequence[int], *, vertical: bool = False
) -> list[Rect]:
    """Bars of ``data`` centred in the box, at the first module size (dots) of ``modules`` that fits."""
    return list(code128_mark(data, x, y, width, height, modules, vertical=vertical).rects)


def code128_mark(
    data: str, x: int, y: int, width: int, height: int, modules: Sequence[int], *, vertical: bool = False
) -> Barcode:
    """The symbol of ``data`` centred in the box, at the first module size (dots) of ``modules`` that fits.
    ``vertical``: the symbol runs down the box (read top to bottom), bars across its width."""
    pattern = code128_modules(data)
    needed = len(pattern) + 2 * QUIET_MODULES
    length = height if vertical else width
    for module in modules:
        if needed * module <= length:
            start = (length - len(pattern) * module) // 2
            if vertical:
                rects = [Rect(x, y + r.x, width, r.w) for r in bar_runs(pattern, start, 0, module, 1)]
                return Barcode(data, x, y + start, module, len(pattern) * module, width, True, tuple(rects))
            rects = bar_runs(pattern, x + start, y, module, height)
            return Barcode(data, x + start, y, module, len(pattern) * module, height, False, tuple(rects))
    smallest = min(modules)
    raise SymbolDoesNotFit(
        f"Code128 of {data!r} needs {needed} modules with quiet zones: {needed * smallest} dots at "
        f"{smallest}-dot modules, but the box is {length} dots {'high' if vertical else 'wide'}"
    )


def code128_capacity(length: int, module: int) -> Capacity:
    """How long a number fits ``length`` dots at ``module``-dot modules with its quiet zones."""

    def longest(number: Callable[[int], str]) -> int:
        count = 0
        while count < _LONGEST and code128_width(number(count + 1)) * module <= length:
            count += 1
        return count

    return Capacity(characters=longest(lambda n: "A" * n), digits=longest(lambda n: "1" * n))


_LONGEST = 99  # far past the 32 characters an order's waybill_no may have


def bar_runs(pattern: str, left: int, top: int, module: int, height: int) -> list[Rect]:
    """One rectangle per run of bar modules (``1``) of ``pattern``, ``module`` dots each."""
    return [
        Rect(left + run.start() * module, top, (run.end() - run.start()) * module, height)
        for run in _BAR_RUN.finditer(pattern)
    ]


def qr_matrix(data: str, error: str = "m") -> list[str]:
    """The QR code of ``data`` (error correction M unless ``error`` says l, q or h; the smallest version)
    as rows of ``1``/``0`` modules."""
    import segno  # on first use: its writers import urllib and ssl (16 ms), and no built-in template has a QR

    symbol = segno.make(data, error=error, micro=False)
    return ["".join("1" if cell else "0" for cell in row) for row in symbol.matrix]


def qr_module_rects(matrix: Sequence[str], x: int, y: int, module: int) -> list[Rect]:
    """The dark modules of ``matrix`` as rectangles, top-left module at (``x``, ``y``)."""
    rects: list[Rect] = []
    for row_index, pattern in enumerate(matrix):
        rects.extend(bar_runs(pattern, x, y + row_index * module, module, module))
    return rects


def qr_mark(data: str, x: int, y: int, size: int) -> QRCode:
    """A QR code (error correction M) centred in a ``size``-dot square, modules at whole dots (≥ 2)."""
    matrix = qr_matrix(data)
    count = len(matrix)
    module = size // (count + 2 * QR_QUIET_MODULES)
    if module < 2:
        raise SymbolDoesNotFit(
            f"QR code of {len(data)} characters has {count} modules a side; a {size}-dot box gives "
            f"{module}-dot modules, need at least 2"
        )
    offset_x = x + (size - count * module) // 2
    offset_y = y + (size - count * module) // 2
    rects = qr_module_rects(matrix, offset_x, offset_y, module)
    return QRCode(data, offset_x, offset_y, module, count * module, tuple(rects))

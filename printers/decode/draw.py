"""How a simulated printer draws its own text, symbols and rules, whatever the language that asked: the
resident font stood in for by the bundled font rendered into its cells, Code128 and QR symbols painted by
the label engine's own code (the same modules), so a decoded label scans if the printer's would.

A command parses to a ``Drawing``: the area it covers and how it paints a mode "1" canvas (0 = black);
a label is its drawings painted in stream order (``compose``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops

from waybill.fonts import load_font
from waybill.fonts.cells import CellFont, resident_font
from waybill.layout.codes import qr_matrix

__all__ = [
    "Drawing",
    "NotDrawn",
    "Paint",
    "bars",
    "compose",
    "qr_symbol",
    "resident",
    "reversed_stamp",
    "stamp",
    "turned",
]

Paint = Callable[[Image.Image], None]


@dataclass(frozen=True)
class Drawing:
    box: tuple[int, int, int, int]  # left, top, right, bottom (exclusive)
    paint: Paint


class NotDrawn(Exception):
    """A drawing command the simulator cannot draw: why (a font or barcode type it does not have…)."""


@functools.cache
def resident(name: str) -> CellFont:
    """The printer's resident font ``name``, drawn by the bundled font; ``NotDrawn`` for one it lacks."""
    try:
        return resident_font(name, load_font())
    except KeyError:
        raise NotDrawn(f'font "{name}" is not resident') from None


def stamp(x: int, y: int, mask: Image.Image, colour: int = 0) -> Drawing:
    """``mask`` (1 = a dot) painted in ``colour`` (0 black, 255 white) with its top-left at (``x``, ``y``)."""
    box = (x, y, x + mask.width, y + mask.height)
    return Drawing(box, lambda canvas: canvas.paste(colour, box, mask))


def reversed_stamp(x: int, y: int, mask: Image.Image) -> Drawing:
    """``mask`` reversing what is under its dots: black becomes white and white black."""
    box = (x, y, x + mask.width, y + mask.height)

    def paint(canvas: Image.Image) -> None:
        canvas.paste(ImageChops.logical_xor(canvas.crop(box), mask), box)

    return Drawing(box, paint)


_TURNS = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def turned(mask: Image.Image, rotation: int) -> Image.Image:
    """``mask`` turned clockwise by ``rotation`` degrees (0, 90, 180 or 270)."""
    if rotation == 0:
        return mask
    if rotation not in _TURNS:
        raise NotDrawn(f"rotation {rotation}")
    return mask.transpose(_TURNS[rotation])


def _bits(pattern: str) -> bytes:
    padded = pattern + "0" * (-len(pattern) % 8)
    return bytes(int(padded[i : i + 8], 2) for i in range(0, len(padded), 8))


def bars(pattern: str, module: int, height: int) -> Image.Image:
    """A Code128 symbol's modules (``"1101…"``) as a mask: ``module`` dots a module, ``height`` dots high."""
    if module < 1 or height < 1:
        raise NotDrawn("a barcode of no size")
    strip = Image.frombytes("1", (len(pattern), 1), _bits(pattern))
    return strip.resize((len(pattern) * module, height), Image.Resampling.NEAREST)


def qr_symbol(data: str, level: str, cell: int) -> Image.Image:
    """The QR code of ``data`` at error correction ``level`` (l, m, q, h) as a mask, ``cell`` dots a module."""
    if cell < 1:
        raise NotDrawn("a QR code cell width below 1")
    matrix: Sequence[str] = qr_matrix(data, error=level)
    modules = len(matrix)
    image = Image.frombytes("1", (modules, modules), b"".join(_bits(row) for row in matrix))
    return image.resize((modules * cell, modules * cell), Image.Resampling.NEAREST)


def compose(drawings: Iterable[Drawing], width: int, height: int) -> Image.Image | None:
    """The drawings painted in order on a white canvas of at least ``width`` × ``height`` dots, grown to hold
    each; None when that is no area."""
    drawings = list(drawings)
    for drawing in drawings:
        width, height = max(width, drawing.box[2]), max(height, drawing.box[3])
    if width <= 0 or height <= 0:
        return None
    canvas = Image.new("1", (width, height), 255)
    for drawing in drawings:
        drawing.paint(canvas)
    return canvas

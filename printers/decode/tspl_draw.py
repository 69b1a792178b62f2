"""The drawing commands of a TSPL printer, as the simulator draws them (``printers.decode.draw``): ``TEXT``
in the resident font (``TSS24.BF2``, stood in for by the bundled font rendered into 24-dot cells),
``BARCODE "128"``, ``QRCODE``, ``BAR``, ``BOX``, ``ERASE`` and ``REVERSE``. A turned symbol turns about its
reference point, the top-left corner it would have unturned.

Each command parses to a ``Drawing``: the area it covers and how it paints a mode "1" canvas (0 = black).
"""

from __future__ import annotations

import re

from PIL import Image, ImageChops

from printers.decode.draw import Drawing, NotDrawn, bars, qr_symbol, resident, stamp, turned
from waybill.layout.codes import code128_modules
from waybill.render.cells import text_mask

__all__ = ["DRAWING_COMMANDS", "Drawing", "NotDrawn", "parse_drawing"]

_NUM = rb"\s*(-?\d+)\s*"
_STRING = rb'\s*"((?:[^"\\]|\\\["\]|\\)*)"\s*'
_PATTERNS = {
    "TEXT": re.compile(
        rb"TEXT" + _NUM + b"," + _NUM + b"," + _STRING + b"," + (_NUM + b",") * 3 + _STRING + b"$", re.I
    ),
    "BARCODE": re.compile(
        rb"BARCODE" + _NUM + b"," + _NUM + b"," + _STRING + b"," + (_NUM + b",") * 5 + _STRING + b"$", re.I
    ),
    "QRCODE": re.compile(
        rb"QRCODE"
        + _NUM
        + b","
        + _NUM
        + rb",\s*([LMQH])\s*,"
        + _NUM
        + rb",\s*([AM])\s*,"
        + _NUM
        + rb"(?:,[^\"]*)?,"
        + _STRING
        + b"$",
        re.I,
    ),
    "BAR": re.compile(rb"BAR" + (_NUM + b",") * 3 + _NUM + b"$", re.I),
    "ERASE": re.compile(rb"ERASE" + (_NUM + b",") * 3 + _NUM + b"$", re.I),
    "REVERSE": re.compile(rb"REVERSE" + (_NUM + b",") * 3 + _NUM + b"$", re.I),
    "BOX": re.compile(rb"BOX" + (_NUM + b",") * 4 + _NUM + rb"(?:,\s*\d+\s*)?$", re.I),
}
DRAWING_COMMANDS = frozenset(_PATTERNS)


def _unquote(raw: bytes) -> str:
    return raw.decode("gb18030", "replace").replace('\\["]', '"')


def parse_drawing(keyword: str, line: bytes) -> Drawing:
    """The drawing of one command line; ``NotDrawn`` (the reason) when the simulator cannot draw it."""
    match = _PATTERNS[keyword].match(line.strip())
    if match is None:
        raise NotDrawn(f"malformed {keyword}")
    groups = match.groups()
    if keyword == "TEXT":
        return _text(groups)
    if keyword == "BARCODE":
        return _barcode(groups)
    if keyword == "QRCODE":
        return _qrcode(groups)
    x, y, a, b = (int(value) for value in groups[:4])
    if keyword == "BOX":
        thickness = int(groups[4])
        return Drawing((x, y, a + 1, b + 1), lambda canvas: _box(canvas, x, y, a, b, thickness))
    box = (x, y, x + a, y + b)
    if keyword == "REVERSE":
        return Drawing(box, lambda canvas: _reverse(canvas, box))
    colour = 255 if keyword == "ERASE" else 0
    return Drawing(box, lambda canvas: canvas.paste(colour, box) if a > 0 and b > 0 else None)


def _text(groups: tuple[bytes, ...]) -> Drawing:
    x, y = int(groups[0]), int(groups[1])
    font = resident(groups[2].decode("ascii", "replace"))
    rotation, xmul, ymul = (int(value) for value in groups[3:6])
    if rotation != 0:
        raise NotDrawn(f"TEXT rotation {rotation}")
    if not (1 <= xmul <= 10 and 1 <= ymul <= 10):
        raise NotDrawn("TEXT magnification outside 1-10")
    return stamp(x, y, text_mask(font, _unquote(groups[6]), xmul, ymul))


def _barcode(groups: tuple[bytes, ...]) -> Drawing:
    x, y = int(groups[0]), int(groups[1])
    kind = groups[2].decode("ascii", "replace")
    height, _readable, rotation, narrow, _wide = (int(value) for value in groups[3:8])
    if kind != "128":
        raise NotDrawn(f'BARCODE type "{kind}"')
    try:
        pattern = code128_modules(_unquote(groups[8]))
    except ValueError as error:
        raise NotDrawn(f"BARCODE data: {error}") from error
    return _rotated(x, y, bars(pattern, narrow, height), rotation)


def _rotated(x: int, y: int, mask: Image.Image, rotation: int) -> Drawing:
    """``mask`` turned clockwise by ``rotation`` about the reference point (``x``, ``y``), its top-left
    corner before turning."""
    width, height = mask.size
    corners = {0: (x, y), 90: (x - height, y), 180: (x - width, y - height), 270: (x, y - width)}
    if rotation not in corners:
        raise NotDrawn(f"rotation {rotation}")
    left, top = corners[rotation]
    return stamp(left, top, turned(mask, rotation))


def _qrcode(groups: tuple[bytes, ...]) -> Drawing:
    x, y = int(groups[0]), int(groups[1])
    level, cell, rotation = groups[2].decode().lower(), int(groups[3]), int(groups[5])
    return _rotated(x, y, qr_symbol(_unquote(groups[6]), level, cell), rotation)


def _box(canvas: Image.Image, x: int, y: int, x_end: int, y_end: int, thickness: int) -> None:
    t = max(1, thickness)
    for box in ((x, y, x_end + 1, y + t), (x, y_end + 1 - t, x_end + 1, y_end + 1), (x, y, x + t, y_end + 1)):
        canvas.paste(0, box)
    canvas.paste(0, (x_end + 1 - t, y, x_end + 1, y_end + 1))


def _reverse(canvas: Image.Image, box: tuple[int, int, int, int]) -> None:
    if box[2] > box[0] and box[3] > box[1]:
        canvas.paste(ImageChops.invert(canvas.crop(box)), box)

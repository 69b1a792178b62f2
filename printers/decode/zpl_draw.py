"""The fields of a ZPL II printer, as the simulator draws them (``printers.decode.draw``): text in a resident
font (``^A@`` by name, ``^A`` by a ``^CW`` name; font 0 stood in for by the same cells), ``^BC`` Code128 in
mode N, ``^BQ`` QR codes, ``^GB`` boxes and ``^GF`` graphics, each reversing what is under it after
``^FR``. A field's ``^FO`` is its top-left corner whatever its orientation.

Each finished field (``^FS``) becomes a ``Drawing``; ``NotDrawn`` says why one cannot be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from printers.decode.draw import Drawing, NotDrawn, bars, qr_symbol, resident, reversed_stamp, stamp, turned
from printers.encode.zpl_code128 import code128_field_values
from waybill.fonts.cells import ANMDS, CellFont
from waybill.layout.codes import code128_symbol
from waybill.render.cells import text_mask

__all__ = ["Defaults", "Field", "field_drawing"]

_TURNS = {"N": 0, "R": 90, "I": 180, "B": 270}
_LEVELS = frozenset("HQML")


@dataclass
class Defaults:
    """Printer settings that outlive a format: ``^BY``, ``^CW`` font names and the ``^CI`` encoding."""

    module: int = 2  # ^BY at power-up: 2-dot modules, 10-dot bar code height
    bar_height: int = 10
    fonts: dict[str, str] = field(default_factory=dict)
    encoding: str = "latin-1"


@dataclass
class Field:
    """One field as its commands arrive, from ``^FO`` to ``^FS``."""

    origin: tuple[int, int]  # with the label home added
    font: tuple[str, list[str]] | None = None  # "@" and its name, or a font letter; then o,h,w
    reverse: bool = False
    escape: str | None = None  # ^FH's escape character
    kind: str | None = None  # "BC", "BQ", "GB" or "GF"
    parameters: list[str] = field(default_factory=list)
    data: bytes | None = None
    graphic: Image.Image | None = None  # ^GF's image: 1 = a dot


def field_drawing(item: Field, defaults: Defaults) -> Drawing | None:
    """The drawing of a finished field; None for one that draws nothing (no data, no graphic)."""
    x, y = item.origin
    if item.kind == "GB":
        mask = _box(item.parameters)
        colour = 255 if _parameter(item.parameters, 3, "B").upper() == "W" else 0
    elif item.graphic is not None:
        mask, colour = item.graphic, 0
    elif item.data is None:
        return None
    elif item.kind == "BC":
        mask = _code128(item.parameters, _text(item, defaults), defaults)
        colour = 0
    elif item.kind == "BQ":
        mask, colour = _qr(item.parameters, _text(item, defaults)), 0
        y += defaults.bar_height  # as Zebra firmware does with a ^FO QR code
    else:
        mask, colour = _glyphs(item, _text(item, defaults), defaults), 0
    if item.reverse:
        return reversed_stamp(x, y, mask)
    return stamp(x, y, mask, colour)


def _parameter(parameters: list[str], i: int, default: str) -> str:
    value = parameters[i].strip() if i < len(parameters) else ""
    return value or default


def _number(parameters: list[str], i: int, default: int) -> int:
    value = _parameter(parameters, i, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise NotDrawn(f"{value!r} is not a number") from None


def _text(item: Field, defaults: Defaults) -> str:
    """The field data as text: ``^FH`` escapes (``_5E``) undone, then decoded as ``^CI`` says."""
    data = item.data or b""
    if item.escape:
        escape, out, i = item.escape.encode("latin-1"), bytearray(), 0
        while i < len(data):
            if data[i : i + 1] == escape and i + 3 <= len(data):
                try:
                    out.append(int(data[i + 1 : i + 3], 16))
                    i += 3
                    continue
                except ValueError:
                    pass
            out.append(data[i])
            i += 1
        data = bytes(out)
    return data.decode(defaults.encoding, "replace")


def _glyphs(item: Field, text: str, defaults: Defaults) -> Image.Image:
    if item.font is None:
        raise NotDrawn("text in no resident font")
    name, parameters = item.font
    font = _font(name, defaults)
    orientation = _parameter(parameters, 0, "N").upper()
    if orientation != "N":
        raise NotDrawn(f"text turned {orientation}")
    height = _number(parameters, 1, 0)
    width = _number(parameters, 2, 0) or height
    xmul, x_rest = divmod(width, font.cell)
    ymul, y_rest = divmod(height, font.cell)
    if x_rest or y_rest or not (1 <= xmul <= font.max_mul and 1 <= ymul <= font.max_mul):
        raise NotDrawn(f"text {height}x{width} dots is not whole {font.cell}-dot cells (1-{font.max_mul})")
    return text_mask(font, text, xmul, ymul)


def _font(name: str, defaults: Defaults) -> CellFont:
    if name.startswith("@"):
        return resident(name[1:].strip().upper())
    if name == "0":
        return resident(ANMDS)  # font 0 is proportional: these cells show where its text goes, not its shapes
    if name in defaults.fonts:
        return resident(defaults.fonts[name].upper())
    raise NotDrawn(f"font {name} is not resident")


def _code128(parameters: list[str], text: str, defaults: Defaults) -> Image.Image:
    orientation = _parameter(parameters, 0, "N").upper()
    height = _number(parameters, 1, defaults.bar_height)
    if _parameter(parameters, 2, "Y").upper() != "N":
        raise NotDrawn("^BC with an interpretation line")
    if _parameter(parameters, 4, "N").upper() != "N" or _parameter(parameters, 5, "N").upper() != "N":
        raise NotDrawn("^BC in a mode other than N")
    if orientation not in _TURNS:
        raise NotDrawn(f"^BC orientation {orientation}")
    try:
        pattern = code128_symbol(code128_field_values(text))
    except ValueError as error:
        raise NotDrawn(f"^BC data: {error}") from error
    return turned(bars(pattern, defaults.module, height), _TURNS[orientation])


def _qr(parameters: list[str], text: str) -> Image.Image:
    if _parameter(parameters, 1, "2") != "2":
        raise NotDrawn("QR code model 1")
    if len(text) < 3 or text[0].upper() not in _LEVELS or text[1:3].upper() != "A,":
        raise NotDrawn("^BQ data without its error correction and automatic input prefix (MA,)")
    return qr_symbol(text[3:], text[0].lower(), _number(parameters, 2, 2))


def _box(parameters: list[str]) -> Image.Image:
    thickness = max(1, _number(parameters, 2, 1))
    width = max(thickness, _number(parameters, 0, thickness))
    height = max(thickness, _number(parameters, 1, thickness))
    if _number(parameters, 4, 0):
        raise NotDrawn("^GB with rounded corners")
    mask = Image.new("1", (width, height), 255)
    if width > 2 * thickness and height > 2 * thickness:
        mask.paste(0, (thickness, thickness, width - thickness, height - thickness))
    return mask

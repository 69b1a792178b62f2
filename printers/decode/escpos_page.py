"""ESC/POS page mode as the simulator draws it: the page a Chinese-model printer composes between ``ESC L``
and ``FF``, for ``printers.decode.escpos``.

Drawn: text in Font A (12 × 24) and, in Chinese character mode (``FS &``), GB18030 characters (24 × 24),
magnified by ``GS !``, both stood in for by the bundled font rendered into the cells as the label preview
draws them (``waybill.render.cells``); Font A user-defined characters (``ESC &``, ``ESC %``); ``ESC *`` bit
images; Code128 (``GS k`` 73, code sets as the data names them); QR codes (``GS ( k``). Symbols are painted
by the label engine's own code, so a decoded label scans if the printer's would.

Geometry: ``ESC W`` sets the print area, ``ESC T`` the direction (0 left to right from the upper left, 1
bottom to top from the lower left, 2 right to left from the lower right, 3 top to bottom from the upper
right; it may change within a page), ``ESC $`` / ``ESC \\`` the position along the direction, ``GS $`` /
``GS \\`` the *baseline*: the row the bottom dots of characters, bit images and symbols are mapped on, all
of them growing upward from it. Positions outside the area are ignored; a new area or direction starts at
its start point with the baseline on row 23 (one Font A line down). Motion units are one dot unless ``GS P``
says otherwise. Everything drawn is OR-ed into the page. Text that would run past the area (where a printer
wraps it), reverse (``GS B``) text and Font B are reported as not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from printers.decode.draw import NotDrawn, bars, qr_symbol, resident
from waybill.fonts.cells import GB24
from waybill.layout.codes import code128_symbol
from waybill.render.cells import cell_glyph

__all__ = ["NotDrawn", "PageMode", "code128_values_of"]

_DEFAULT_AREA_HEIGHT = 1662  # Epson's default ESC W height (dyL 126, dyH 6)
_FIRST_BASELINE = 23
_QR_LEVELS = {48: "l", 49: "m", 50: "q", 51: "h"}
_SET_SWITCH = {(0, 1): 100, (0, 2): 99, (1, 0): 101, (1, 2): 99, (2, 0): 101, (2, 1): 100}


def code128_values_of(data: bytes) -> list[int]:
    """The code values (start code first) of ``GS k`` 73 data: ``{A``/``{B``/``{C`` pick the code set,
    ``{1`` is FNC1, ``{{`` a brace; in code set C each byte is a pair of digits (0-99)."""
    if len(data) < 2 or data[0] != ord("{") or data[1] not in b"ABC":
        raise NotDrawn("GS k Code128 data must start with {A, {B or {C")
    code = data[1] - ord("A")
    values, index = [103 + code], 2
    while index < len(data):
        byte = data[index]
        if byte == ord("{") and index + 1 < len(data) and data[index + 1] != ord("{"):
            name = chr(data[index + 1])
            index += 2
            if name in "ABC" and "ABC".index(name) != code:
                target = "ABC".index(name)
                values.append(_SET_SWITCH[code, target])
                code = target
            elif name == "1":
                values.append(102)
            else:
                raise NotDrawn(f"GS k Code128 {{{name} (not drawn)")
            continue
        if byte == ord("{"):
            index += 1  # "{{": one brace
        index += 1
        if code == 2:
            if byte > 99:
                raise NotDrawn(f"GS k Code128 code set C byte {byte}")
            values.append(byte)
        elif code == 1 and 32 <= byte < 128:
            values.append(byte - 32)
        elif code == 0 and byte < 96:
            values.append(byte + 64 if byte < 32 else byte - 32)
        else:
            raise NotDrawn(f"GS k Code128 byte {byte} not in code set {'ABC'[code]}")
    return values


@dataclass
class PageMode:
    """Character and symbol settings (kept in standard mode too; ``ESC @`` resets them) and, between
    ``ESC L`` and ``FF``, the page."""

    head_width: int = 0
    dpi: float = 203.0
    active: bool = False
    size: tuple[int, int] = (1, 1)  # GS !: magnification across and up
    font_b: bool = False
    reverse: bool = False
    kanji: bool = False
    user_defined: bool = False
    glyphs: dict[int, Image.Image] = field(default_factory=dict)  # ESC &: Font A code → 12 × 24 ink mask
    # ESC SP, FS S: page mode keeps its own values; (ANK right, Kanji left, Kanji right) in motion units
    spacing: dict[bool, tuple[int, int, int]] = field(default_factory=lambda: {False: (0, 0, 0), True: (0, 0, 0)})
    line_spacing: int = 30  # ESC 3 n; ESC 2 sets 30
    units: tuple[float, float] = (1.0, 1.0)  # dots per motion unit across and down (GS P)
    barcode_height: int = 162
    barcode_module: int = 3
    qr_model: int = 50
    qr_module: int = 3
    qr_level: str = "l"
    qr_data: bytes | None = None
    area: tuple[int, int, int, int] = (0, 0, 0, 0)  # ESC W: left, top, width, height in dots
    direction: int = 0
    x: int = 0
    y: int = _FIRST_BASELINE
    drawn: list[tuple[int, int, Image.Image]] = field(default_factory=list)  # paper left, top, ink mask

    def __post_init__(self) -> None:
        self.area = self._default_area()

    def _default_area(self) -> tuple[int, int, int, int]:
        return 0, 0, self.head_width or 512, _DEFAULT_AREA_HEIGHT

    def reset(self) -> None:
        """``ESC @``."""
        fresh = PageMode(self.head_width, self.dpi)
        self.__dict__.update(fresh.__dict__)

    # ── the page ─────────────────────────────────────────────────────────────────────────────────
    def enter(self) -> None:
        self.active = True
        self.drawn = []
        self._home()

    def leave(self) -> None:
        """Back to standard mode: the page is gone, the area back to its default (ESC T stays)."""
        self.active = False
        self.drawn = []
        self.area = self._default_area()

    def page(self) -> Image.Image:
        """The page as printed: the area where ESC W put it on a head-wide strip of paper (0 = black)."""
        left, top, width, height = self.area
        canvas = Image.new("1", (max(self.head_width, left + width), top + height), 255)
        for x, y, mask in self.drawn:
            canvas.paste(0, (x, y, x + mask.width, y + mask.height), mask)
        return canvas

    def _frame(self) -> tuple[int, int]:
        """The area's width and height as the current direction runs: along, then across."""
        width, height = self.area[2], self.area[3]
        return (height, width) if self.direction in (1, 3) else (width, height)

    def _home(self) -> None:
        self.x, self.y = 0, _FIRST_BASELINE

    def _stamp(self, mask: Image.Image) -> None:
        """Map an ink mask drawn upright at the print position (its bottom row on the baseline) into the
        page, turned as the direction runs, clipped to the area."""
        u0, v0 = self.x, self.y - mask.height + 1
        width, height = mask.size
        area_w, area_h = self.area[2], self.area[3]
        if self.direction == 1:
            mask, left, top = mask.transpose(Image.Transpose.ROTATE_90), v0, area_h - u0 - width
        elif self.direction == 2:
            mask, left, top = mask.transpose(Image.Transpose.ROTATE_180), area_w - u0 - width, area_h - v0 - height
        elif self.direction == 3:
            mask, left, top = mask.transpose(Image.Transpose.ROTATE_270), area_w - v0 - height, u0
        else:
            left, top = u0, v0
        clip = (max(0, -left), max(0, -top), min(mask.width, area_w - left), min(mask.height, area_h - top))
        if clip[2] > clip[0] and clip[3] > clip[1]:
            self.drawn.append((self.area[0] + left + clip[0], self.area[1] + top + clip[1], mask.crop(clip)))

    # ── settings and positions ───────────────────────────────────────────────────────────────────
    def command(self, raw: bytes) -> None:
        """A fixed-length command's effect on the settings or the page (others change nothing here)."""
        prefix, letter, args = raw[0], raw[1], raw[2:]
        key = (prefix, chr(letter))
        if key == (0x1D, "!"):
            self.size = ((args[0] >> 4 & 7) + 1, (args[0] & 7) + 1)
        elif key == (0x1B, "!"):
            self.font_b = bool(args[0] & 1)
            self.size = (1 + (args[0] >> 5 & 1), 1 + (args[0] >> 4 & 1))
        elif key == (0x1B, "M"):
            self.font_b = args[0] not in (0, 48)
        elif key == (0x1D, "B"):
            self.reverse = bool(args[0] & 1)
        elif key in ((0x1C, "&"), (0x1C, ".")):
            self.kanji = letter == ord("&")
        elif key == (0x1B, "%"):
            self.user_defined = bool(args[0] & 1)
        elif key == (0x1B, "?"):
            self.glyphs.pop(args[0], None)
        elif key == (0x1B, " "):
            self.spacing[self.active] = (args[0], *self.spacing[self.active][1:])
        elif key == (0x1C, "S"):
            self.spacing[self.active] = (self.spacing[self.active][0], args[0], args[1])
        elif key == (0x1B, "3"):
            self.line_spacing = args[0]
        elif key == (0x1B, "2"):
            self.line_spacing = 30
        elif key == (0x1D, "P"):
            self.units = tuple(self.dpi / n if n else 1.0 for n in args[:2])  # type: ignore[assignment]
        elif key == (0x1D, "h"):
            self.barcode_height = args[0]
        elif key == (0x1D, "w"):
            self.barcode_module = args[0]
        elif key == (0x1B, "T"):  # in standard mode too: it applies once page mode is entered
            self.direction = args[0] & 3 if args[0] in (0, 1, 2, 3, 48, 49, 50, 51) else self.direction
            self._home()
        elif self.active:
            self._position(key, args)

    def _position(self, key: tuple[int, str], args: bytes) -> None:
        across_unit, down_unit = self.units if self.direction in (0, 2) else self.units[::-1]
        along, across = self._frame()
        if key == (0x1B, "W"):
            x0, y0, width, height = (int.from_bytes(args[i : i + 2], "little") for i in range(0, 8, 2))
            ux, uy = self.units
            self.area = (round(x0 * ux), round(y0 * uy), round(width * ux), round(height * uy))
            self._home()
        elif key in ((0x1B, "$"), (0x1B, "\\")):
            value = int.from_bytes(args, "little", signed=key[1] == "\\")
            x = round(value * across_unit) + (self.x if key[1] == "\\" else 0)
            if 0 <= x < along:
                self.x = x
        elif key in ((0x1D, "$"), (0x1D, "\\")):
            value = int.from_bytes(args, "little", signed=key[1] == "\\")
            y = round(value * down_unit) + (self.y if key[1] == "\\" else 0)
            if 0 <= y < across:
                self.y = y

    def line_feed(self) -> None:
        self.x, self.y = 0, self.y + self.line_spacing

    def define(self, rows: int, first: int, last: int, data: bytes) -> None:
        """``ESC & y c1 c2`` with its glyphs (``data``: x d1…d(y·x) per character); only Font A's (y = 3)."""
        index = 0
        for code in range(first, last + 1):
            columns = data[index]
            glyph = Image.new("1", (12, 24), 0)
            if columns:
                drawn = Image.frombytes("1", (rows * 8, columns), bytes(data[index + 1 : index + 1 + rows * columns]))
                glyph.paste(drawn.transpose(Image.Transpose.TRANSPOSE), (0, 0))
            if rows == 3 and columns <= 12:
                self.glyphs[code] = glyph
            index += 1 + rows * columns

    # ── drawing ──────────────────────────────────────────────────────────────────────────────────
    def text(self, data: bytes) -> str | None:
        """Characters at the print position; why they were not drawn, if they were not."""
        if self.reverse or self.font_b:
            return "reverse or Font B text (not rendered)"
        font = resident(GB24)
        xmul, ymul = self.size
        along = self._frame()[0]
        ank, left, right = self.spacing[True]
        index = 0
        while index < len(data):
            byte = data[index]
            if byte < 0x80:
                length, before, after = 1, 0, ank
                user = self.glyphs.get(byte) if self.user_defined else None
                glyph = (
                    cell_glyph(font, chr(byte), xmul, ymul)
                    if user is None
                    else user.resize((12 * xmul, 24 * ymul), Image.Resampling.NEAREST)
                )
                blank = user is None and chr(byte).isspace()
            elif self.kanji:
                length = 4 if index + 1 < len(data) and 0x30 <= data[index + 1] <= 0x39 else 2
                char = bytes(data[index : index + length]).decode("gb18030", "replace")
                glyph, before, after, blank = cell_glyph(font, char, xmul, ymul), left, right, char.isspace()
            else:
                return "code-page text (not rendered)"
            advance = (before + after) * xmul + glyph.width
            if self.x + advance > along:
                return "text past the print area, where the printer wraps (not rendered)"
            self.x += before * xmul
            if not blank:
                self._stamp(glyph)
            self.x += glyph.width + after * xmul
            index += length
        return None

    def bit_image(self, image: Image.Image) -> None:
        """An ink mask (``ESC *``): bottom on the baseline, the position moves past it."""
        self._stamp(image)
        self.x += image.width

    def barcode(self, data: bytes) -> None:
        """``GS k`` 73 (Code128)."""
        if not 1 <= self.barcode_module <= 6 or self.barcode_height < 1:
            raise NotDrawn("GS k with GS w or GS h out of range")
        symbol = bars(code128_symbol(code128_values_of(data)), self.barcode_module, self.barcode_height)
        self._stamp(symbol)
        self.x += symbol.width

    def qr(self, function: int, params: bytes) -> None:
        """``GS ( k`` cn 49, function ``function`` with its parameters after fn."""
        if function == 65 and params:
            self.qr_model = params[0]
        elif function == 67 and params:
            self.qr_module = params[0]
        elif function == 69 and params:
            self.qr_level = _QR_LEVELS.get(params[0], self.qr_level)
        elif function == 80 and params[:1] == b"0":
            self.qr_data = bytes(params[1:])
        elif function == 81:
            if self.qr_model != 50 or not 1 <= self.qr_module <= 16:
                raise NotDrawn("GS ( k QR other than model 2, or module size out of range")
            if not self.qr_data:
                return
            symbol = qr_symbol(self.qr_data.decode("utf-8", "replace"), self.qr_level, self.qr_module)
            self._stamp(symbol)
            self.x += symbol.width

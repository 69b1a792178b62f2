"""Native ESC/POS: a laid-out label as the page-mode commands of a Chinese-model printer (Epson TM-T88
Simplified Chinese, Xprinter, Gprinter), a couple of KB instead of a 144 KB raster.

Per label, numbers 16-bit little-endian::

    ESC & 3 c1 c2 (12 d×36)…    rule cells: user-defined Font A characters, each one black block (defined in
                                standard mode, before the page)
    ESC L                       page mode
    GS P dpi dpi                motion units of one dot
    ESC W x0 y0 dx dy           print area: the label, at the profile's offsets
    ESC T 0  ESC SP 0  FS S 0 0  ESC ! 0    left to right; cells touch (page mode keeps its own spacing); Font A
    ESC % 1 … ESC % 0           rules and boxes: runs of rule cells magnified by GS !
    FS &                        Chinese character mode: GB18030 two-byte codes, ASCII in Font A 12 × 24
    GS ! n  ESC $ x  GS $ y  text            a run of text, magnified 1-8; bold: again one dot right
    ESC $ x  GS $ y  ESC * 33 n d            24-row bit-image strips: characters the font lacks, white text
    GS H 0  GS w m  GS h n  ESC $ GS $  GS k 73 n {B…{C…     Code128, in the engine's own code sets
    ESC T 3 … ESC T 0           vertical barcodes, drawn top to bottom
    GS ( k fn 65/67/69/80/81    QR: model 2, module size, ECC M, store, print
    FF                          print the page and go back to standard mode (ESC FF + ESC S would do the same
                                in two commands); the next label sets everything it uses again
    GS FF | GS V A 0 | nothing  the profile's label end

Positions: ``ESC $`` counts dots from the area's left edge, ``GS $`` names the *baseline*: the bottom row of
dots. Characters, bit images, barcodes and QR codes are all mapped upward from it (Epson, Citizen: "the
print data is mapped with its lower-left point aligned to the baseline"), so text whose cells end above
``TextRun.baseline`` gets ``GS $ baseline-1``. A printer that took the row below instead would move every
mark one dot down alike.

Page mode only adds dots: what is drawn is OR-ed into the page, nothing whitens it. So the order of the
commands does not matter (they are grouped by kind, with the fewest mode changes), and whatever a white
mark covers (inverse text, a white rectangle) is sent as a bit image of the preview there, black marks kept
out of it: rules are cut around it, text and symbols that touch it go inside it. Bit-image data has every
real-time command hiding in it defused (``printers.encode.realtime``); the dots changed are reported.
Barcodes and QR codes whose data would hold one, or whose module the printer cannot set, go as their bars
(rule cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from PIL import Image

from printers.encode.encoded import EncodedLabel
from printers.encode.escpos import label_end
from printers.encode.escpos_zones import empty, outside, preview, white_zones
from printers.encode.native import joined, native_font
from printers.encode.realtime import HAZARD_BIT, defuse, find_hazards
from printers.errors import ProfileError
from printers.profiles import PrinterProfile
from waybill.fonts.cells import GB24, CellFont
from waybill.i18n import _
from waybill.layout.codes import code128_values
from waybill.layout.label import Barcode, Label, QRCode, Rect, TextRun
from waybill.render.cells import text_mask

__all__ = ["RULE_CODES", "encode_native_label", "gs_k_code128"]

ESC, FS, GS = b"\x1b", b"\x1c", b"\x1d"
STRIP = 24  # rows of an ESC * 33 strip (24-dot double density: one dot a bit)
CELL_W, CELL_H = 12, 24  # a Font A cell, user-defined characters included
MAX_MUL = 8  # GS ! magnifies 1-8 times in each direction
RULE_CODES = range(0x21, 0x7F)  # the codes rule cells are defined at: printable ASCII but space
_BARCODE_MODULES = range(2, 7)  # GS w 2-6 on every model
_QR_MODULES = range(1, 17)
_QR = GS + b"(k"
_START = {103: b"{A", 104: b"{B", 105: b"{C"}
_SWITCH = {  # per code set (A, B, C): a value that switches set or is FNC1 → (its GS k bytes, the set after)
    0: {99: (b"{C", 2), 100: (b"{B", 1), 102: (b"{1", 0)},
    1: {99: (b"{C", 2), 101: (b"{A", 0), 102: (b"{1", 1)},
    2: {100: (b"{B", 1), 101: (b"{A", 0), 102: (b"{1", 2)},
}


def encode_native_label(label: Label, profile: PrinterProfile) -> EncodedLabel:
    """One label that stands on its own on an opened link: page-mode commands · ``FF`` · label end."""
    font = native_font(label, profile, GB24)
    if profile.dpi > 255 or label.width < CELL_W or label.height < STRIP:
        raise ProfileError(
            _("printer profile {name!r}: ESC/POS native labels need at most 255 dpi and 12 × 24 dots").format(
                name=profile.name
            )
        )
    page = _Page(label.width, label.height)
    zones = white_zones(label.marks, font)
    for mark in joined(outside(label.marks, zones, font), font):
        if isinstance(mark, Rect):
            page.rules.append(mark)
        elif isinstance(mark, TextRun):
            page.text(mark, font)
        elif isinstance(mark, Barcode):
            page.barcode(mark)
        else:
            page.qrcode(mark)
    for zone in zones:
        page.image(zone[0], zone[1], preview(label, zone))
    definitions, commands = page.close()
    out = bytearray(definitions)
    out += ESC + b"L" + GS + b"P" + bytes((profile.dpi, profile.dpi))
    out += ESC + b"W" + _words(profile.offset_x_dots, profile.offset_y_dots, label.width, label.height)
    out += ESC + b"T\x00" + ESC + b" \x00" + FS + b"S\x00\x00" + ESC + b"!\x00"
    out += commands
    out += b"\x0c" + label_end(profile)
    return EncodedLabel(bytes(out), tuple(page.altered))


def _words(*values: int) -> bytes:
    return b"".join(value.to_bytes(2, "little") for value in values)


@dataclass
class _Writer:
    """One section's commands with the printer's state tracked, so a position or size already in force is not
    sent again. Each section starts knowing nothing: sections are written in any order and sent in one."""

    out: bytearray = field(default_factory=bytearray)
    x: int | None = None
    y: int | None = None
    size: int | None = None

    def at(self, x: int, y: int) -> None:
        if x != self.x:
            self.out += ESC + b"$" + _words(x)
            self.x = x
        if y != self.y:
            self.out += GS + b"$" + _words(y)
            self.y = y

    def magnify(self, xmul: int, ymul: int) -> None:
        size = (xmul - 1) << 4 | (ymul - 1)
        if size != self.size:
            self.out += GS + b"!" + bytes((size,))
            self.size = size

    def put(self, data: bytes, advance: int) -> None:
        """Characters or a bit image ``advance`` dots wide: the print position moves on past them."""
        self.out += data
        assert self.x is not None
        self.x += advance


@dataclass(frozen=True)
class _Shape:
    """A rule cell: a black block of columns [left, left + width) and rows [top, top + height)."""

    left: int
    width: int
    top: int
    height: int

    def columns(self) -> bytes:
        bits = ((1 << self.height) - 1) << (CELL_H - self.top - self.height)
        column = bits.to_bytes(3, "big")  # top dot in the first byte's MSB
        return b"".join(column if self.left <= c < self.left + self.width else b"\0\0\0" for c in range(CELL_W))


def _span(start: int, length: int, limit: int, cell: int) -> tuple[int, int, int, list[int]]:
    """How rule cells cover [start, start + length) along one axis of a ``limit``-dot area: the block's
    offset and length in the cell, the magnification, and where the cells start. A span a cell long or more
    is covered by whole black cells, the last one overlapping the one before; a shorter one by one cell
    whose block is moved so that the cell stays inside the area (a character past it would wrap)."""
    if length >= cell:
        mul = min(MAX_MUL, length // cell)
        pitch = cell * mul
        starts = [start + index * pitch for index in range(length // pitch)]
        if length % pitch:
            starts.append(start + length - pitch)
        return 0, cell, mul, starts
    offset = max(0, start + cell - limit)
    return offset, length, 1, [start - offset]


class _Page:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rules: list[Rect] = []
        self.shapes: dict[_Shape, int] = {}  # rule cell → its code
        self.text_w, self.image_w = _Writer(), _Writer()
        self.barcodes: list[tuple[bool, bytes]] = []  # (vertical, commands)
        self.qr = bytearray()
        self.altered: list[tuple[int, int]] = []

    # ── text and bit images ──────────────────────────────────────────────────────────────────────
    def text(self, run: TextRun, font: CellFont) -> None:
        mul = font.magnification(run.size)
        top = run.baseline - font.cell * mul
        x = round(run.x)
        for resident, chars in groupby(run.text, font.resident):
            piece = "".join(chars)
            if not resident:
                self.image(x, top, text_mask(font, piece, mul, mul, bold=run.bold))
            elif drawn := piece.rstrip():
                ink = sum(font.cell_width(char) for char in drawn) * mul
                for shift in (0, 1) if run.bold else (0,):
                    if x + shift + ink > self.width or top < 0 or run.baseline > self.height:
                        self.image(x + shift, top, text_mask(font, drawn, mul, mul))  # the printer would wrap
                        continue
                    self.text_w.magnify(mul, mul)
                    self.text_w.at(x + shift, run.baseline - 1)
                    self.text_w.put(drawn.encode("gb18030"), ink)
            x += sum(font.cell_width(char) for char in piece) * mul

    def image(self, left: int, top: int, ink: Image.Image) -> None:
        """An ink mask (255 = a dot) at (``left``, ``top``) as 24-row strips inside the area, empty columns
        and strips left out."""
        clip = (max(0, -left), max(0, -top), min(ink.width, self.width - left), min(ink.height, self.height - top))
        if empty(clip) or (bbox := ink.crop(clip).getbbox()) is None:
            return
        ink = ink.crop(clip).crop(bbox)
        left, top = left + clip[0] + bbox[0], top + clip[1] + bbox[1]
        if ink.height <= STRIP:
            tops = [min(top, self.height - STRIP)]
        else:
            tops = list(range(top, top + ink.height - STRIP + 1, STRIP))
            if ink.height % STRIP:
                tops.append(top + ink.height - STRIP)
        for strip_top in tops:
            strip = ink.crop((0, strip_top - top, ink.width, strip_top - top + STRIP))
            columns = strip.getbbox()
            if columns is None:
                continue
            first, last = columns[0], columns[2]
            data = strip.crop((first, 0, last, STRIP)).transpose(Image.Transpose.TRANSPOSE).tobytes()
            data, changed = defuse(data)
            x = left + first
            self.altered.extend((x + offset // 3, strip_top + offset % 3 * 8 + HAZARD_BIT) for offset in changed)
            self.image_w.at(x, strip_top + STRIP - 1)
            self.image_w.put(ESC + b"*\x21" + _words(last - first) + data, last - first)

    # ── symbols ──────────────────────────────────────────────────────────────────────────────────
    def barcode(self, mark: Barcode) -> None:
        data = gs_k_code128(code128_values(mark.data))
        if data is None or mark.module not in _BARCODE_MODULES or len(data) > 255 or find_hazards(data + ESC):
            self.rules.extend(mark.rects)  # the bars themselves
            return
        out = bytearray(GS + b"w" + bytes((mark.module,)))
        for offset in range(0, mark.height, 255):  # GS h sets 1-255 dots: a taller symbol is stacked
            height = min(255, mark.height - offset)
            if mark.vertical:
                # ESC T 3 turns the frame clockwise: ESC $ runs down the page, GS $ leftward from the right
                # edge, and the symbol's bottom (on the baseline) faces the page's left.
                along, baseline = mark.y, self.width - 1 - (mark.x + offset)
            else:
                along, baseline = mark.x, mark.y + offset + height - 1
            out += GS + b"h" + bytes((height,)) + ESC + b"$" + _words(along) + GS + b"$" + _words(baseline)
            out += GS + b"kI" + bytes((len(data),)) + data
        self.barcodes.append((mark.vertical, bytes(out)))

    def qrcode(self, mark: QRCode) -> None:
        payload = mark.data.encode("utf-8")
        store = _QR + _words(len(payload) + 3) + b"1P0" + payload
        if mark.module not in _QR_MODULES or len(payload) > 7089 or find_hazards(store + GS):
            self.rules.extend(mark.rects)
            return
        self.qr += ESC + b"$" + _words(mark.x) + GS + b"$" + _words(mark.y + mark.size - 1)
        self.qr += _QR + b"\x03\x001C" + bytes((mark.module,)) + store + _QR + b"\x03\x001Q0"

    # ── rules ────────────────────────────────────────────────────────────────────────────────────
    def _rules(self) -> bytes:
        writer = _Writer()
        for rect in self.rules:
            if rect.w <= 0 or rect.h <= 0:
                continue
            left, width, xmul, lefts = _span(rect.x, rect.w, self.width, CELL_W)
            top, height, ymul, tops = _span(rect.y, rect.h, self.height, CELL_H)
            shape = _Shape(left, width, top, height)
            code = self.shapes.get(shape)
            if code is None:
                if len(self.shapes) == len(RULE_CODES):
                    self.image(rect.x, rect.y, Image.new("1", (rect.w, rect.h), 255))
                    continue
                code = self.shapes[shape] = RULE_CODES[len(self.shapes)]
            pitch = CELL_W * xmul
            run = 1
            while run < len(lefts) and lefts[run] == lefts[0] + run * pitch:
                run += 1
            writer.magnify(xmul, ymul)
            for cell_top in tops:
                writer.at(lefts[0], cell_top + CELL_H * ymul - 1)
                writer.put(bytes((code,)) * run, run * pitch)
                for start in lefts[run:]:
                    writer.at(start, cell_top + CELL_H * ymul - 1)
                    writer.put(bytes((code,)), pitch)
        return bytes(writer.out)

    def close(self) -> tuple[bytes, bytes]:
        """``(definitions, commands)``: the rule cells' ``ESC & 3 c1 c2`` (no real-time command can hide in
        solid blocks of whole rows: the data needs no defusing), and the page's drawing commands."""
        rules = self._rules()  # first: a rule no cell is left for becomes a bit image
        definitions = b""
        if self.shapes:
            codes = list(self.shapes.values())
            body = b"".join(bytes((CELL_W,)) + shape.columns() for shape in self.shapes)
            definitions = ESC + b"&\x03" + bytes((codes[0], codes[-1])) + body
        out = bytearray()
        if rules:
            out += ESC + b"%\x01" + rules + ESC + b"%\x00"
        if self.text_w.out:
            out += FS + b"&" + self.text_w.out
        out += self.image_w.out
        if self.barcodes:
            out += GS + b"H\x00"
            out += b"".join(commands for vertical, commands in self.barcodes if not vertical)
            if any(vertical for vertical, _commands in self.barcodes):
                out += ESC + b"T\x03" + b"".join(commands for vertical, commands in self.barcodes if vertical)
                out += ESC + b"T\x00"
        if self.qr:
            out += _QR + b"\x04\x001A2\x00" + _QR + b"\x03\x001E1" + self.qr
        return definitions, bytes(out)


def gs_k_code128(values: Sequence[int]) -> bytes | None:
    """``GS k`` 73 data for the symbol of code ``values`` (start code first): each code set named where the
    values switch (``{A``, ``{B``, ``{C``), so the printer draws exactly this symbol; None for values this
    does not map (shift, FNC2-4)."""
    out = bytearray(_START[values[0]])
    code = values[0] - 103  # 0 A, 1 B, 2 C
    for value in values[1:]:
        if code == 2 and value < 100:
            out.append(value)  # code set C: a pair of digits as one byte, 0-99
        elif code < 2 and value < 96:
            char = value + 32 if code == 1 or value < 64 else value - 64
            out += b"{{" if char == ord("{") else bytes((char,))
        elif value in _SWITCH[code]:
            command, code = _SWITCH[code][value]
            out += command
        else:
            return None
    return bytes(out)

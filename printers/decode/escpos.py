"""ESC/POS stream parser: raster images and pages back to labels, everything else recognised and skipped.

Rendered in standard mode: ``GS v 0`` raster bit images, ``GS ( L`` / ``GS 8 L`` fn 112 (store raster
graphics) + fn 50 (print them), and ``ESC *`` column bit images (strips of a line, committed by LF). Images
stack down the paper as printed; a label ends at ``GS FF``, ``GS V`` or ``FF``. Dot sizes of ``ESC *``
densities and ``GS v 0`` double modes follow Epson's 203 dpi models. Line feeds and text are not rendered
(text is reported); a label end with no image before it (a blank feed) gives no label.

Page mode (``ESC L``) draws text, ``ESC *`` bit images, Code128 and QR codes into a page as
``printers.decode.escpos_page`` describes; ``FF`` prints the page (it ends the label) and goes back to
standard mode, ``ESC FF`` prints it and stays, ``ESC S`` leaves it unprinted, ``CAN`` clears it.

The parser is incremental: ``step`` parses one command at ``pos`` or returns None when the buffer does
not yet hold all of it, so a printer simulator can feed it bytes as they arrive.
"""

from __future__ import annotations

from PIL import Image, ImageChops

from printers.decode.escpos_page import NotDrawn, PageMode
from printers.decode.records import Sink

__all__ = ["EscposParser"]

# Commands with a fixed number of parameter bytes: second byte → (mnemonic, parameter count).
_ESC_FIXED = {
    **{c: 1 for c in b"!-3EGJMRVadet{ %=TUrru"},
    **{c: 0 for c in b"@2LSimv\x0c"},
    ord("?"): 1,
    ord("c"): 2,
    ord("p"): 3,
    ord("$"): 2,
    ord("\\"): 2,
    ord("W"): 8,
}
_GS_FIXED = {
    **{c: 1 for c in b"a!BHfhwbrITjE"},
    **{c: 2 for c in b"LWP$\\"},
    ord(":"): 0,
    ord("^"): 3,
}
_FS_FIXED = {**{c: 0 for c in b".&"}, **{c: 1 for c in b"C!W-?"}, ord("S"): 2}
_DLE_DC4_LENGTH = {1: 5, 2: 5, 3: 7, 7: 4, 8: 10}
_GS_V_LENGTH = {**dict.fromkeys((0, 1, 48, 49), 3), **dict.fromkeys((65, 66, 97, 98, 103, 104), 4)}
_GS_PAREN_KNOWN = set(b"ACDEHKMNPQz")
# ESC * m → (bytes per column, x scale, y scale) in dots of a 203 dpi head.
_ESC_STAR = {0: (1, 2, 3), 1: (1, 1, 3), 32: (3, 2, 1), 33: (3, 1, 1)}
_SILENT = {0x00: "NUL", 0x09: "HT", 0x0D: "CR", 0x18: "CAN"}


def _raster_image(data: bytes | bytearray, row_bytes: int, rows: int, width: int | None = None) -> Image.Image:
    """Packed rows, 1 = black, MSB first → a mode "1" image (0 = black), cropped to ``width`` dots."""
    image = Image.frombytes("1", (row_bytes * 8, rows), bytes(data), "raw", "1;I")
    return image if width is None or width == row_bytes * 8 else image.crop((0, 0, width, rows))


def _scaled(image: Image.Image, sx: int, sy: int) -> Image.Image:
    if sx == 1 and sy == 1:
        return image
    return image.resize((image.width * sx, image.height * sy), Image.Resampling.NEAREST)


class EscposParser:
    language = "escpos"

    def __init__(self, sink: Sink, head_width: int = 0, dpi: float = 203.0) -> None:
        self._sink = sink
        self._head_width = head_width
        self._page = PageMode(head_width, dpi)
        self._strips: list[Image.Image] = []  # printed images of the label so far, top to bottom
        self._line: list[Image.Image] = []  # ESC * images of the current line
        self._stored: Image.Image | None = None  # graphics stored by fn 112, printed by fn 50
        self._start = 0  # where the current label's bytes begin: just after the previous label end

    # -- label assembly ------------------------------------------------------------------------
    def _print(self, image: Image.Image) -> None:
        self._commit_line()
        self._strips.append(image)

    def _commit_line(self) -> None:
        if not self._line:
            return
        line = Image.new("1", (sum(i.width for i in self._line), max(i.height for i in self._line)), 255)
        x = 0
        for image in self._line:
            line.paste(image, (x, 0))
            x += image.width
        self._line = []
        self._strips.append(line)

    def _end_label(self, end: int, ending: str) -> None:
        self._commit_line()
        if self._strips:
            width = max(self._head_width, *(s.width for s in self._strips))
            label = Image.new("1", (width, sum(s.height for s in self._strips)), 255)
            y = 0
            for strip in self._strips:
                label.paste(strip, (0, y))
                y += strip.height
            self._sink.label(label, self.language, self._start, end, ending)
        self._strips = []
        self._start = end

    def finish(self, end: int) -> None:
        self._end_label(end, "end of stream")

    # -- parsing -------------------------------------------------------------------------------
    def step(self, buf: bytearray, pos: int, base: int, final: bool) -> int | None:
        """Parse the command at ``buf[pos]``; the position after it, or None if it is incomplete."""
        del final  # an incomplete ESC/POS command stays incomplete; the decoder reports it
        available = len(buf) - pos
        first = buf[pos]
        offset = base + pos
        if first >= 0x20:
            end = pos + 1
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            if self._page.active:
                return self._text(buf, pos, end, offset)
            self._sink.not_understood(offset, buf[pos:end], "text (not rendered)")
            return end
        if first == 0x0A:
            self._commit_line()
            self._sink.command("LF", offset, buf[pos : pos + 1])
            if self._page.active:
                self._page.line_feed()
            return pos + 1
        if first == 0x0C:
            self._sink.command("FF", offset, buf[pos : pos + 1])
            if self._page.active:
                self._print(self._page.page())
                self._page.leave()
            self._end_label(offset + 1, "FF")
            return pos + 1
        if first == 0x18 and self._page.active:
            self._sink.command("CAN", offset, buf[pos : pos + 1])
            self._page.drawn = []
            return pos + 1
        if first in _SILENT:
            self._sink.command(_SILENT[first], offset, buf[pos : pos + 1])
            return pos + 1
        if first not in (0x10, 0x1B, 0x1C, 0x1D):
            self._sink.not_understood(offset, buf[pos : pos + 1], "control byte")
            return pos + 1
        if available < 2:
            return None
        second = buf[pos + 1]
        if first == 0x10:
            return self._dle(buf, pos, base, second)
        if first == 0x1B:
            return self._esc(buf, pos, base, second)
        if first == 0x1C:
            return self._fixed(buf, pos, base, "FS", _FS_FIXED, second)
        return self._gs(buf, pos, base, second)

    def _text(self, buf: bytearray, pos: int, end: int, offset: int) -> int | None:
        """Page-mode text up to ``end``, less a GB18030 character still arriving."""
        if self._page.kanji:
            index = pos
            while index < end:
                length = 1 if buf[index] < 0x81 else 2
                if length == 2 and index + 1 < end and 0x30 <= buf[index + 1] <= 0x39:
                    length = 4
                if index + length > end:
                    break
                index += length
            if index == pos:
                return None
            end = index
        reason = self._page.text(bytes(buf[pos:end]))
        if reason is None:
            self._sink.command("text", offset, buf[pos:end])
        else:
            self._sink.not_understood(offset, buf[pos:end], reason)
        return end

    def _fixed(
        self, buf: bytearray, pos: int, base: int, prefix: str, table: dict[int, int], second: int
    ) -> int | None:
        name = f"{prefix} {chr(second) if 0x20 < second < 0x7F else f'0x{second:02X}'}"
        if second not in table:
            self._sink.not_understood(base + pos, buf[pos : pos + 2], f"unknown command {name}")
            return pos + 2
        end = pos + 2 + table[second]
        if end > len(buf):
            return None
        self._sink.command(name, base + pos, buf[pos:end])
        raw = bytes(buf[pos:end])
        if raw == b"\x1b@":
            self._page.reset()
        elif raw == b"\x1bL" and not self._page.active:
            self._page.enter()
        elif raw == b"\x1bS":
            self._page.leave()
        elif raw == b"\x1b\x0c" and self._page.active:
            self._print(self._page.page())
            self._end_label(base + end, "ESC FF")
        else:
            self._page.command(raw)
        return end

    def _dle(self, buf: bytearray, pos: int, base: int, second: int) -> int | None:
        names = {0x04: ("DLE EOT", 3), 0x05: ("DLE ENQ", 3), 0x14: ("DLE DC4", 3)}
        if second not in names:
            self._sink.not_understood(base + pos, buf[pos : pos + 1], "control byte")
            return pos + 1
        name, length = names[second]
        if len(buf) - pos < length:
            return None
        if second == 0x14:
            length = _DLE_DC4_LENGTH.get(buf[pos + 2], 0)
            if length == 0:
                self._sink.not_understood(base + pos, buf[pos : pos + 3], "unknown DLE DC4 function")
                return pos + 3
            if len(buf) - pos < length:
                return None
        self._sink.command(name, base + pos, buf[pos : pos + length])
        return pos + length

    def _esc(self, buf: bytearray, pos: int, base: int, second: int) -> int | None:
        if second == ord("*"):
            if len(buf) - pos < 5:
                return None
            mode = buf[pos + 2]
            columns = buf[pos + 3] | buf[pos + 4] << 8
            if mode not in _ESC_STAR:
                self._sink.not_understood(base + pos, buf[pos : pos + 5], f"ESC * with unknown mode {mode}")
                return pos + 5
            depth, sx, sy = _ESC_STAR[mode]
            end = pos + 5 + depth * columns
            if end > len(buf):
                return None
            self._sink.command("ESC *", base + pos, buf[pos : pos + 5])
            if columns:
                # Each column is `depth` bytes, top dot in the MSB: read as rows, then transpose.
                strip = _raster_image(buf[pos + 5 : end], depth, columns).transpose(Image.Transpose.TRANSPOSE)
                if self._page.active:
                    self._page.bit_image(ImageChops.invert(_scaled(strip, sx, sy)))
                else:
                    self._line.append(_scaled(strip, sx, sy))
            return end
        if second == ord("&"):  # ESC & y c1 c2 [x d1 ... d(y * x)] ...: user-defined characters
            return self._define(buf, pos, base)
        if second == ord("D"):  # ESC D n1 ... NUL: tab positions
            end = buf.find(0, pos + 2)
            if end < 0:
                return None
            self._sink.command("ESC D", base + pos, buf[pos : end + 1])
            return end + 1
        return self._fixed(buf, pos, base, "ESC", _ESC_FIXED, second)

    def _define(self, buf: bytearray, pos: int, base: int) -> int | None:
        if len(buf) - pos < 5:
            return None
        rows, first, last = buf[pos + 2], buf[pos + 3], buf[pos + 4]
        end = pos + 5
        for _code in range(first, last + 1):
            if end >= len(buf):
                return None
            end += 1 + rows * buf[end]
        if end > len(buf):
            return None
        if not (1 <= rows <= 3 and 32 <= first <= last <= 126):
            self._sink.not_understood(base + pos, buf[pos:end], "ESC & with codes or height out of range")
            return end
        self._sink.command("ESC &", base + pos, buf[pos:end])
        self._page.define(rows, first, last, bytes(buf[pos + 5 : end]))
        return end

    def _gs(self, buf: bytearray, pos: int, base: int, second: int) -> int | None:
        if second == 0x0C:
            self._sink.command("GS FF", base + pos, buf[pos : pos + 2])
            if not self._page.active:  # ignored in page mode
                self._end_label(base + pos + 2, "GS FF")
            return pos + 2
        if second == ord("V"):
            if len(buf) - pos < 3:
                return None
            length = _GS_V_LENGTH.get(buf[pos + 2], 0)
            if length == 0:
                self._sink.not_understood(base + pos, buf[pos : pos + 3], "GS V with unknown mode")
                return pos + 3
            if len(buf) - pos < length:
                return None
            self._sink.command("GS V", base + pos, buf[pos : pos + length])
            if not self._page.active:
                self._end_label(base + pos + length, "GS V")
            return pos + length
        if second == ord("v"):
            return self._raster(buf, pos, base)
        if second == ord("("):
            if len(buf) - pos < 5:
                return None
            end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            return self._length_prefixed(buf, pos, base, f"GS ( {chr(buf[pos + 2])}", pos + 5, end)
        if second == ord("8") and len(buf) - pos >= 3 and buf[pos + 2] == ord("L"):
            if len(buf) - pos < 7:
                return None
            end = pos + 7 + int.from_bytes(buf[pos + 3 : pos + 7], "little")
            return self._length_prefixed(buf, pos, base, "GS 8 L", pos + 7, end)
        if second == ord("k"):  # 1D barcode: Code128 drawn in page mode
            if len(buf) - pos < 4:
                return None
            if buf[pos + 2] <= 6:
                nul = buf.find(0, pos + 3)
                if nul < 0:
                    return None
                end = nul + 1
            else:
                end = pos + 4 + buf[pos + 3]
            if end > len(buf):
                return None
            if buf[pos + 2] != 73 or not self._page.active:
                self._sink.not_understood(base + pos, buf[pos:end], "GS k barcode (not rendered)")
                return end
            try:
                self._page.barcode(bytes(buf[pos + 4 : end]))
            except NotDrawn as reason:
                self._sink.not_understood(base + pos, buf[pos:end], f"{reason} (not rendered)")
                return end
            self._sink.command("GS k", base + pos, buf[pos:end])
            return end
        return self._fixed(buf, pos, base, "GS", _GS_FIXED, second)

    def _raster(self, buf: bytearray, pos: int, base: int) -> int | None:
        if len(buf) - pos < 8:
            return None
        if buf[pos + 2] != ord("0") or buf[pos + 3] not in (0, 1, 2, 3, 48, 49, 50, 51):
            self._sink.not_understood(base + pos, buf[pos : pos + 4], "GS v with unknown function or mode")
            return pos + 4
        mode = buf[pos + 3] & 3
        row_bytes = buf[pos + 4] | buf[pos + 5] << 8
        rows = buf[pos + 6] | buf[pos + 7] << 8
        end = pos + 8 + row_bytes * rows
        if end > len(buf):
            return None
        self._sink.command("GS v 0", base + pos, buf[pos : pos + 8])
        if row_bytes and rows:
            image = _raster_image(buf[pos + 8 : end], row_bytes, rows)
            self._print(_scaled(image, 1 + (mode & 1), 1 + (mode >> 1)))
        return end

    def _length_prefixed(self, buf: bytearray, pos: int, base: int, name: str, body: int, end: int) -> int | None:
        """GS ( X and GS 8 L: ``buf[body:end]`` is the parameter block (m fn ... for graphics)."""
        if end > len(buf):
            return None
        offset = base + pos
        letter = buf[pos + 2]
        if name == "GS 8 L" or letter == ord("L"):
            self._graphics(buf, pos, base, name, body, end)
        elif letter == ord("k"):
            self._symbol(buf, pos, base, body, end)
        elif letter in _GS_PAREN_KNOWN:
            self._sink.command(name, offset, buf[pos:end])
        else:
            self._sink.not_understood(offset, buf[pos:end], f"unknown command {name}")
        return end

    def _symbol(self, buf: bytearray, pos: int, base: int, body: int, end: int) -> None:
        """GS ( k: QR code (cn 49) settings, store and, in page mode, print."""
        offset = base + pos
        if end - body < 2 or buf[body] != 49 or (buf[body + 1] == 81 and not self._page.active):
            self._sink.not_understood(offset, buf[pos:end], "GS ( k 2D symbol (not rendered)")
            return
        try:
            self._page.qr(buf[body + 1], bytes(buf[body + 2 : end]))
        except NotDrawn as reason:
            self._sink.not_understood(offset, buf[pos:end], f"{reason} (not rendered)")
            return
        self._sink.command(f"GS ( k fn {buf[body + 1]}", offset, buf[pos:end])

    def _graphics(self, buf: bytearray, pos: int, base: int, name: str, body: int, end: int) -> None:
        offset = base + pos
        function = buf[body + 1] if end - body >= 2 else -1
        if function == 50:  # print the graphics stored in the print buffer
            self._sink.command(f"{name} fn 50", offset, buf[pos:end])
            if self._stored is not None:
                self._print(self._stored)
                self._stored = None
            return
        if function == 112 and end - body >= 10 and buf[body + 2] == 48:
            sx, sy = buf[body + 3], buf[body + 4]
            width = buf[body + 6] | buf[body + 7] << 8
            rows = buf[body + 8] | buf[body + 9] << 8
            row_bytes = (width + 7) // 8
            if sx in (1, 2) and sy in (1, 2) and end - body - 10 >= row_bytes * rows:
                self._sink.command(f"{name} fn 112", offset, buf[pos : body + 10])
                data = buf[body + 10 : body + 10 + row_bytes * rows]
                if rows and width:
                    self._stored = _scaled(_raster_image(data, row_bytes, rows, width), sx, sy)
                return
        if function in (49, 48, 51, 52, 64, 66):  # density, capacity and key-code queries
            self._sink.command(f"{name} fn {function}", offset, buf[pos:end])
            return
        self._sink.not_understood(offset, buf[pos:end], f"{name} function {function} (not rendered)")

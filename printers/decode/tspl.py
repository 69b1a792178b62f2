"""TSPL stream parser: ``BITMAP`` images back to labels, setup lines recognised, the rest reported.

The image buffer works as on the printer: ``CLS`` clears it, ``BITMAP`` draws into it (mode 0
overwrite, 1 OR, 2 XOR; a 0 bit is black), ``PRINT m[,n]`` prints it and keeps it. A label's image
is ``SIZE`` in dots when the dots per mm are known, grown to hold every bitmap, with the label's
top-left at (0, 0). ``ESC ! x`` / ``~! x`` immediate commands (status, reset, pause) are recognised.
Native drawing commands (``TEXT``, ``BARCODE``, ``QRCODE``, ``BAR``, ``BOX``, ``ERASE``, ``REVERSE``)
draw in stream order as ``printers.decode.tspl_draw`` paints them; other drawing commands are reported
as not rendered.
"""

from __future__ import annotations

import re

from PIL import Image, ImageChops

from printers.decode.draw import compose
from printers.decode.records import Sink
from printers.decode.tspl_draw import DRAWING_COMMANDS, Drawing, NotDrawn, parse_drawing

__all__ = ["TSPL_KEYWORDS", "TsplParser"]

_SETUP = frozenset(
    [
        "GAP",
        "BLINE",
        "OFFSET",
        "SPEED",
        "DENSITY",
        "DIRECTION",
        "REFERENCE",
        "SHIFT",
        "CODEPAGE",
        "SET",
        "LIMITFEED",
        "FEED",
        "BACKFEED",
        "FORMFEED",
        "HOME",
        "SOUND",
        "CUT",
        "KILL",
        "EOP",
        "INITIALPRINTER",
    ]
)
_DRAWING = frozenset(
    [
        "TEXT",
        "BLOCK",
        "BARCODE",
        "QRCODE",
        "BAR",
        "BOX",
        "CIRCLE",
        "ELLIPSE",
        "ERASE",
        "REVERSE",
        "PUTBMP",
        "PUTPCX",
        "DMATRIX",
    ]
)
TSPL_KEYWORDS = _SETUP | _DRAWING | {"SIZE", "CLS", "BITMAP", "PRINT", "DOWNLOAD"}
_BITMAP_HEADER = re.compile(rb"BITMAP\s+(-?\d+)\s*,\s*(-?\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,", re.I)
_SIZE_PART = re.compile(r"^\s*([0-9.]+)\s*(mm|dot)?\s*$", re.I)
_MAX_HEADER = 64  # a BITMAP header longer than this is malformed


class TsplParser:
    language = "tspl"

    def __init__(self, sink: Sink, dots_per_mm: float | None = None) -> None:
        self._sink = sink
        self._dots_per_mm = dots_per_mm
        self._size_mm: tuple[float, float] | None = None
        self._drawings: list[Drawing] = []  # in stream order
        self._start = 0  # where the current label's bytes begin: just after the previous PRINT

    def finish(self, end: int) -> None:
        del end  # an unprinted image buffer is not a label

    def step(self, buf: bytearray, pos: int, base: int, final: bool) -> int | None:
        first = buf[pos]
        if first in b"\r\n \t":
            return pos + 1
        if first in (0x1B, 0x7E):  # ESC ! x  /  ~! x  immediate commands
            if len(buf) - pos < 3:
                return None if not final else self._unknown(buf, pos, base, len(buf), "truncated command")
            if buf[pos + 1] == ord("!"):
                prefix = "ESC" if first == 0x1B else "~"
                self._sink.command(f"{prefix} ! {chr(buf[pos + 2])}", base + pos, buf[pos : pos + 3])
                return pos + 3
        if buf[pos : pos + 6].upper() == b"BITMAP" or (
            len(buf) - pos < 6 and b"BITMAP".startswith(bytes(buf[pos:]).upper()) and not final
        ):
            return self._bitmap(buf, pos, base, final)
        newline = buf.find(b"\n", pos)
        if newline < 0:
            if not final:
                return None
            newline = len(buf)
        self._line(bytes(buf[pos:newline]), base + pos)
        return newline + 1

    def _unknown(self, buf: bytearray, pos: int, base: int, end: int, reason: str) -> int:
        self._sink.not_understood(base + pos, buf[pos:end], reason)
        return end

    def _bitmap(self, buf: bytearray, pos: int, base: int, final: bool) -> int | None:
        match = _BITMAP_HEADER.match(buf, pos)
        if match is None:
            window = buf[pos : pos + _MAX_HEADER]
            if not final and len(window) < _MAX_HEADER and b"\n" not in window:
                return None  # header still arriving
            newline = buf.find(b"\n", pos)
            return self._unknown(buf, pos, base, len(buf) if newline < 0 else newline + 1, "malformed BITMAP")
        x, y, row_bytes, rows, mode = (int(group) for group in match.groups())
        end = match.end() + row_bytes * rows
        if end > len(buf):
            return None if not final else self._unknown(buf, pos, base, len(buf), "truncated BITMAP")
        self._sink.command("BITMAP", base + pos, buf[pos : match.end()])
        if mode not in (0, 1, 2):
            return self._unknown(buf, pos, base, end, f"BITMAP mode {mode}")
        if row_bytes and rows:
            image = Image.frombytes("1", (row_bytes * 8, rows), bytes(buf[match.end() : end]))
            box = (x, y, x + image.width, y + image.height)
            self._drawings.append(Drawing(box, lambda canvas: _paste_bitmap(canvas, box, mode, image)))
        return end

    def _line(self, line: bytes, offset: int) -> None:
        text = line.decode("ascii", "replace").strip()  # drawing commands parse the bytes (GB18030 text)
        keyword, _, arguments = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "SIZE":
            self._size(arguments, line, offset)
        elif keyword == "CLS":
            self._sink.command("CLS", offset, line)
            self._drawings = []
        elif keyword == "PRINT":
            self._print(arguments, line, offset)
        elif keyword in _SETUP:
            self._sink.command(keyword, offset, line)
        elif keyword in DRAWING_COMMANDS:
            try:
                self._drawings.append(parse_drawing(keyword, line))
            except NotDrawn as reason:
                self._sink.not_understood(offset, line, f"{reason} (not rendered)")
                return
            self._sink.command(keyword, offset, line)
        elif keyword in _DRAWING:
            self._sink.not_understood(offset, line, f"{keyword} (not rendered)")
        else:
            self._sink.not_understood(offset, line, "unknown command")

    def _size(self, arguments: str, line: bytes, offset: int) -> None:
        parts = [_SIZE_PART.match(part) for part in arguments.split(",")]
        if len(parts) != 2 or parts[0] is None or parts[1] is None:
            self._sink.not_understood(offset, line, "malformed SIZE")
            return
        sizes: list[float] = []
        for part in parts:
            assert part is not None
            value, unit = float(part.group(1)), (part.group(2) or "inch").lower()
            if unit == "dot":
                value = value / self._dots_per_mm if self._dots_per_mm else float("nan")
            sizes.append(value if unit != "inch" else value * 25.4)
        self._size_mm = (sizes[0], sizes[1])
        self._sink.command("SIZE", offset, line)

    def _print(self, arguments: str, line: bytes, offset: int) -> None:
        try:
            counts = [int(part) for part in arguments.split(",")]
        except ValueError:
            counts = []
        if not 1 <= len(counts) <= 2 or min(counts) < 0:
            self._sink.not_understood(offset, line, "malformed PRINT")
            return
        self._sink.command("PRINT", offset, line)
        copies = counts[0] * (counts[1] if len(counts) == 2 else 1)
        end = offset + len(line) + 1
        image = self._compose()
        if image is not None:
            self._sink.label(image, self.language, self._start, end, "PRINT", copies)
        self._start = end

    def _compose(self) -> Image.Image | None:
        width = height = 0
        if self._size_mm is not None and self._dots_per_mm:
            width, height = (round(mm * self._dots_per_mm) for mm in self._size_mm)
        return compose(self._drawings, width, height)


def _paste_bitmap(canvas: Image.Image, box: tuple[int, int, int, int], mode: int, image: Image.Image) -> None:
    if mode == 0:
        canvas.paste(image, box[:2])
        return
    under = canvas.crop(box)
    if mode == 1:  # OR of black dots: black where either is black (0 = black)
        merged = ImageChops.logical_and(under, image)
    else:  # XOR of black dots: black where exactly one is black
        merged = ImageChops.invert(ImageChops.logical_xor(under, image))
    canvas.paste(merged, box)

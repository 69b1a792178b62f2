"""ZPL II stream parser: ``^GFA`` graphic fields back to labels, set-up commands recognised, the rest reported.

A command is ``^`` or ``~`` and two characters; its parameters run to the next ``^`` or ``~``. The label is
built as on the printer: ``^XA`` opens a format, ``^FO`` sets the field origin (relative to the label home
``^LH``), ``^GFA`` draws black dots there (white dots leave what is under them), ``^PQ`` sets the copies,
``^XZ`` prints. ``^PW``, ``^LL`` and ``^LH`` stay in force across formats, as they do on the printer. The
label's image is ``^PW`` × ``^LL`` dots, grown to hold every graphic, with the printer's origin at (0, 0).
Graphic data may be Z64, B64, ACS or plain hex. Text, barcodes and boxes are reported as not rendered.
"""

from __future__ import annotations

import re

from PIL import Image, ImageChops

from printers.decode.records import Sink
from printers.encode.zpl_graphics import unacs, unz64

__all__ = ["ZPL_SETUP", "ZplParser"]

ZPL_SETUP = frozenset(
    ["MN", "MM", "MT", "MD", "PR", "PO", "PM", "LS", "LT", "CI", "CF", "BY", "FX", "JU", "JM", "PF", "SZ", "FS"]
)
_CONTROL = frozenset(["HS", "HQ", "HI", "HM", "JA", "SD", "TA", "JR", "JS", "PS", "PP", "WC", "HB", "HD"])
_DRAWING = frozenset(["FD", "FB", "FT", "FH", "FR", "FV", "GB", "GC", "GD", "GE", "XG", "IM", "CW", "TB"])
_BARE = frozenset(["^XA", "^XZ", "^FS", "~HS", "~JA", "~HM", "~HB", "~HD", "~PS", "~WC", "~JR"])
_NUMBERS = re.compile(r"^\s*(-?\d+)?\s*(?:,\s*(-?\d+)?\s*)?")
_BLANK = b"\r\n\t "
_PREFIXES = b"^~"


class ZplParser:
    language = "zpl"

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._width = self._length = 0  # ^PW, ^LL
        self._home = (0, 0)  # ^LH
        self._origin = (0, 0)  # ^FO
        self._copies = 1  # ^PQ
        self._in_format = False
        self._graphics: list[tuple[int, int, Image.Image]] = []
        self._start = 0  # where the current label's bytes begin: just after the previous ^XZ

    def finish(self, end: int) -> None:
        del end  # a format without ^XZ is not printed

    def step(self, buf: bytearray, pos: int, base: int, final: bool) -> int | None:
        first = buf[pos]
        if first in _BLANK:
            return pos + 1
        if first not in _PREFIXES:  # text outside a command: skip to the next command
            end = _next_command(buf, pos + 1)
            if end < 0 and not final:
                return None
            end = len(buf) if end < 0 else end
            self._sink.not_understood(base + pos, buf[pos:end], "data outside a command")
            return end
        if len(buf) - pos < 3 and not final:
            return None
        name = bytes(buf[pos : pos + 3]).decode("ascii", "replace").upper()
        # A command's parameters run to the next command; one without any ends at once (^XZ ends a stream).
        end = pos + 3 if name in _BARE else _next_command(buf, pos + 1)
        if end < 0:
            if not final:
                return None  # its parameters may go on
            end = len(buf)
        self._command(name[0], name[1:], buf, pos, end, base)
        return end

    def _command(self, prefix: str, code: str, buf: bytearray, pos: int, end: int, base: int) -> None:
        raw = bytes(buf[pos:end])
        parameters = raw[3:]
        offset = base + pos
        name = prefix + code
        if prefix == "~":
            if code in _CONTROL:
                self._sink.command(name, offset, raw)
            else:
                self._sink.not_understood(offset, raw, "unknown command")
            return
        if code == "XA":
            self._in_format, self._graphics, self._copies, self._origin = True, [], 1, (0, 0)
        elif code == "XZ":
            self._print(offset + 3)
        elif code == "GF":
            if self._graphic(parameters, raw, offset):
                return
        elif code == "FO":
            self._origin = _pair(parameters, (0, 0))
        elif code == "LH":
            self._home = _pair(parameters, (0, 0))
        elif code == "PW":
            self._width = _pair(parameters, (self._width, 0))[0]
        elif code == "LL":
            self._length = _pair(parameters, (self._length, 0))[0]
        elif code == "PQ":
            self._copies = max(1, _pair(parameters, (1, 0))[0])
        elif code in _DRAWING or code[0] in "AB":  # ^A font, ^B… barcodes
            self._sink.not_understood(offset, raw, f"^{code} (not rendered)")
            return
        elif code not in ZPL_SETUP:
            self._sink.not_understood(offset, raw, "unknown command")
            return
        self._sink.command(name, offset, raw[:64])

    def _graphic(self, parameters: bytes, raw: bytes, offset: int) -> bool:
        """Draw a ^GF field; True if it was reported as not understood instead."""
        parts = parameters.split(b",", 4)
        try:
            kind = parts[0].strip().upper()
            total, row_bytes = int(parts[2]), int(parts[3])
            field = parts[4].strip()
        except (IndexError, ValueError):
            self._sink.not_understood(offset, raw[:64], "malformed ^GF")
            return True
        if kind != b"A" or row_bytes < 1 or total < 0:
            self._sink.not_understood(offset, raw[:64], f"^GF{kind.decode('ascii', 'replace')} (not rendered)")
            return True
        try:
            data = unz64(field) if field[:1] == b":" and field[4:5] == b":" else unacs(field, row_bytes)
        except ValueError as e:
            self._sink.not_understood(offset, raw[:64], f"^GF: {e}")
            return True
        if len(data) != total:
            self._sink.not_understood(offset, raw[:64], f"^GF holds {len(data)} bytes, its header says {total}")
            return True
        rows = total // row_bytes
        if rows:
            image = Image.frombytes("1", (row_bytes * 8, rows), data[: rows * row_bytes], "raw", "1;I")
            x, y = self._home[0] + self._origin[0], self._home[1] + self._origin[1]
            self._graphics.append((x, y, image))
        header = 3 + sum(len(part) + 1 for part in parts[:4])
        self._sink.command("^GF", offset, raw[:header])  # the image data left out
        return False

    def _print(self, end: int) -> None:
        if not self._in_format:
            return
        self._in_format = False
        width, height = self._width, self._length
        for x, y, image in self._graphics:
            width, height = max(width, x + image.width), max(height, y + image.height)
        if width > 0 and height > 0:
            canvas = Image.new("1", (width, height), 255)
            for x, y, image in self._graphics:
                box = (x, y, x + image.width, y + image.height)
                canvas.paste(ImageChops.logical_and(canvas.crop(box), image), box)  # black wins (0 = black)
            self._sink.label(canvas, self.language, self._start, end, "^XZ", self._copies)
        self._start = end


def _next_command(buf: bytearray, start: int) -> int:
    """Where the next ``^`` or ``~`` is, from ``start``; -1 if not yet there."""
    caret, tilde = buf.find(b"^", start), buf.find(b"~", start)
    found = [i for i in (caret, tilde) if i >= 0]
    return min(found) if found else -1


def _pair(parameters: bytes, default: tuple[int, int]) -> tuple[int, int]:
    """The first two numbers of a parameter list, each defaulting (``^FO10`` is 10,0 on a printer)."""
    match = _NUMBERS.match(parameters.decode("ascii", "replace"))
    assert match is not None  # the pattern matches the empty string
    first, second = match.groups()
    return (int(first) if first else default[0], int(second) if second else default[1])

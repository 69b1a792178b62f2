"""ZPL II stream parser: formats back to labels, set-up commands recognised, the rest reported.

A command is ``^`` or ``~`` and two characters; its parameters run to the next ``^`` or ``~``. The label is
built as on the printer: ``^XA`` opens a format; a field gathers its commands (``^FO`` origin, relative to
the label home ``^LH``; a font ``^A``; ``^FR`` reverse; ``^FH`` hex escapes; a barcode, box or graphic;
``^FD`` data) and is drawn at ``^FS`` as ``printers.decode.zpl_draw`` draws it, in stream order (a ``^GF``
graphic's white dots leave what is under them); ``^PQ`` sets the copies, ``^XZ`` prints. ``^PW``, ``^LL``,
``^LH``, ``^BY``, ``^CW`` and ``^CI`` stay in force across formats, as they do on the printer. The label's
image is ``^PW`` × ``^LL`` dots, grown to hold every field, with the printer's origin at (0, 0). Graphic
data may be Z64, B64, ACS or plain hex. Fields the simulator cannot draw are reported as not rendered.
"""

from __future__ import annotations

import re

from PIL import Image

from printers.decode.draw import Drawing, NotDrawn, compose
from printers.decode.records import Sink
from printers.decode.zpl_draw import Defaults, Field, field_drawing
from printers.encode.zpl_graphics import unacs, unz64

__all__ = ["ZPL_SETUP", "ZplParser"]

ZPL_SETUP = frozenset(["MN", "MM", "MT", "MD", "PR", "PO", "PM", "LS", "LT", "CF", "FX", "JU", "JM", "PF", "SZ"])
_CONTROL = frozenset(["HS", "HQ", "HI", "HM", "JA", "SD", "TA", "JR", "JS", "PS", "PP", "WC", "HB", "HD"])
_NOT_DRAWN = frozenset(["FB", "FT", "FV", "FN", "GC", "GD", "GE", "XG", "IM", "TB"])
_FIELD = frozenset(["FO", "FR", "FH", "FD", "GB", "GF", "BC", "BQ"])
_BARE = frozenset(["^XA", "^XZ", "^FS", "^FR", "~HS", "~JA", "~HM", "~HB", "~HD", "~PS", "~WC", "~JR"])
_NUMBERS = re.compile(r"^\s*(-?\d+)?\s*(?:,\s*(-?\d+)?\s*)?")
_BLANK = b"\r\n\t "
_PREFIXES = b"^~"
_ENCODINGS = {28: "utf-8"}  # ^CI28: UTF-8; the single-byte code pages are read as Latin-1
_REPORTED = 64  # bytes of a field kept for the report of one not drawn


class ZplParser:
    language = "zpl"

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._width = self._length = 0  # ^PW, ^LL
        self._home = (0, 0)  # ^LH
        self._defaults = Defaults()
        self._copies = 1  # ^PQ
        self._in_format = False
        self._drawings: list[Drawing] = []  # in stream order
        self._field: Field | None = None
        self._field_offset = 0  # where the field's first command is
        self._field_raw = b""  # its first bytes
        self._field_drawn = True  # False once a command of it cannot be drawn
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
        code = buf[pos + 1 : pos + 3]
        if len(code) < 2 or code[0] in _PREFIXES or code[1] in _PREFIXES:  # a command cut short
            end = _next_command(buf, pos + 1)
            end = len(buf) if end < 0 else end
            self._sink.not_understood(base + pos, buf[pos:end], "a command cut short")
            return end
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
        if code in _FIELD or code in _NOT_DRAWN or code[0] == "A" or (code[0] == "B" and code != "BY"):
            if not self._field_command(code, parameters, raw, offset):
                return
        elif code == "FS":
            self._end_field()
        elif code == "XA":
            self._in_format, self._drawings, self._copies, self._field = True, [], 1, None
        elif code == "XZ":
            self._end_field()
            self._print(offset + 3)
        elif not self._setting(code, parameters):
            self._sink.not_understood(offset, raw, "unknown command")
            return
        self._sink.command(name, offset, raw[:64])

    def _setting(self, code: str, parameters: bytes) -> bool:
        """Apply a command that sets something up; False if it is not one."""
        text = parameters.decode("ascii", "replace")
        if code == "LH":
            self._home = _pair(parameters, (0, 0))
        elif code == "PW":
            self._width = _pair(parameters, (self._width, 0))[0]
        elif code == "LL":
            self._length = _pair(parameters, (self._length, 0))[0]
        elif code == "PQ":
            self._copies = max(1, _pair(parameters, (1, 0))[0])
        elif code == "BY":
            parts = [part.strip() for part in text.split(",")]
            if parts[0].isdigit():
                self._defaults.module = int(parts[0])
            if len(parts) > 2 and parts[2].isdigit():
                self._defaults.bar_height = int(parts[2])
        elif code == "CW":
            alias, _, font = text.partition(",")
            self._defaults.fonts[alias.strip()[:1]] = font.strip()
        elif code == "CI":
            self._defaults.encoding = _ENCODINGS.get(_pair(parameters, (0, 0))[0], "latin-1")
        else:
            return code in ZPL_SETUP
        return True

    def _field_command(self, code: str, parameters: bytes, raw: bytes, offset: int) -> bool:
        """Add a command to the field under way; False if it was reported as not understood instead."""
        if self._field is None:
            self._field, self._field_offset, self._field_raw, self._field_drawn = Field(self._home), offset, b"", True
        item = self._field
        if offset - self._field_offset < _REPORTED:
            self._field_raw = (self._field_raw + raw)[:_REPORTED]
        text = parameters.decode("latin-1")
        if code in _NOT_DRAWN or (code[0] == "B" and code not in ("BC", "BQ")):
            self._sink.not_understood(offset, raw, f"^{code} (not rendered)")
            self._field_drawn = False
            return False
        if code == "FO":
            x, y = _pair(parameters, (0, 0))
            item.origin = (self._home[0] + x, self._home[1] + y)
        elif code == "FR":
            item.reverse = True
        elif code == "FH":
            item.escape = text.strip()[:1] or "_"
        elif code == "FD":
            item.data = parameters
        elif code[0] == "A":
            parts = text.split(",")
            item.font = ("@" + ",".join(parts[3:]), parts[:3]) if code[1] == "@" else (code[1], parts)
        elif code == "GF":
            item.kind, item.graphic = "GF", self._graphic(parameters, raw, offset)
            if item.graphic is None:  # reported
                self._field_drawn = False
                return False
            header = 3 + sum(len(part) + 1 for part in parameters.split(b",", 4)[:4])
            self._sink.command("^GF", offset, raw[:header])  # the image data left out
            return False
        else:  # ^BC, ^BQ, ^GB
            item.kind, item.parameters = code, text.split(",")
        return True

    def _end_field(self) -> None:
        item, self._field = self._field, None
        if item is None or not self._field_drawn:
            return
        try:
            drawing = field_drawing(item, self._defaults)
        except NotDrawn as reason:
            self._sink.not_understood(self._field_offset, self._field_raw, f"{reason} (not rendered)")
            return
        if drawing is not None:
            self._drawings.append(drawing)

    def _graphic(self, parameters: bytes, raw: bytes, offset: int) -> Image.Image | None:
        """A ^GF field's image (1 = a dot); None if it was reported as not understood instead."""
        parts = parameters.split(b",", 4)
        try:
            kind = parts[0].strip().upper()
            total, row_bytes = int(parts[2]), int(parts[3])
            field = parts[4].strip()
        except (IndexError, ValueError):
            self._sink.not_understood(offset, raw[:64], "malformed ^GF")
            return None
        if kind != b"A" or row_bytes < 1 or total < 0:
            self._sink.not_understood(offset, raw[:64], f"^GF{kind.decode('ascii', 'replace')} (not rendered)")
            return None
        try:
            data = unz64(field) if field[:1] == b":" and field[4:5] == b":" else unacs(field, row_bytes)
        except ValueError as e:
            self._sink.not_understood(offset, raw[:64], f"^GF: {e}")
            return None
        if len(data) != total:
            self._sink.not_understood(offset, raw[:64], f"^GF holds {len(data)} bytes, its header says {total}")
            return None
        rows = total // row_bytes
        if not rows:
            return Image.new("1", (row_bytes * 8, 0))
        return Image.frombytes("1", (row_bytes * 8, rows), data[: rows * row_bytes])

    def _print(self, end: int) -> None:
        if not self._in_format:
            return
        self._in_format = False
        image = compose(self._drawings, self._width, self._length)
        if image is not None:
            self._sink.label(image, self.language, self._start, end, "^XZ", self._copies)
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

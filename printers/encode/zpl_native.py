"""Native ZPL II: a laid-out label as the printer's own fields, a few KB instead of a ~11 KB Z64 image.

One self-contained format per label, one field a line, with the raster encoder's set-up (the profile's
offsets in ``^LH``)::

    ^XA
    ^MNY ^MMT ^PW… ^LL… ^LH…                        printers.encode.zpl.setup
    ^CI28                                           field data in UTF-8
    ^CW1,E:ANMDS.TTF                                font 1: the resident font
    ^FOx,y^A1N,h,w^FDtext^FS                        text in it, h = w = 24 × magnification; bold: again at
                                                    x+1
    ^FOx,y^GFA,n,n,row bytes,data^FS                characters the font lacks (Z64 or ACS)
    ^FOx,y^BYm^BCN,h,N,N,N,N^FD>:…^FS               Code128 by its code values, no interpretation line;
                                                    ^BCR: a vertical one, turned 90° clockwise
    ^FOx,y-1^BY1,3,1^BQN,2,m,M^FDMA,data^FS         QR code, model 2, error correction M
    ^FOx,y^GBw,h,t^FS  /  ^GBw,h,t,W^FS             black and white rectangles (t = the shorter side: filled)
    ^PQ1
    ^XZ

``^FO`` is a field's top-left corner whatever its orientation. Naming the font once (``^CW``) rather than
in every field (``^A@N,h,w,E:ANMDS.TTF``) saves 12 bytes a text field, a sixth of a full 100 × 180 label.
White text (inverse elements) is drawn black on a cleared area that is then reversed: a white ``^GB`` over
the run's cells, the text, and a ``^FR`` (reverse field) ``^GB`` over the cells; a reversed text field
would instead cancel a bold run's dots where its two drawings overlap. Field data holding ``^`` or ``~``
(command prefixes) goes after ``^FH`` with those, and the escape character ``_``, as ``_5E``, ``_7E`` and
``_5F``.

Zebra firmware places a ``^FO`` QR code lower by the ``^BY`` bar code height in force (a setting that
outlives the format): each QR field pins that height to 1 dot and starts one dot higher.
"""

from __future__ import annotations

from collections.abc import Iterator

from printers.encode.encoded import EncodedLabel
from printers.encode.native import joined, native_font, pieces, run_cells
from printers.encode.zpl import graphic_data, setup
from printers.encode.zpl_code128 import code128_field
from printers.profiles import PrinterProfile
from waybill.fonts.cells import ANMDS, CellFont
from waybill.layout.codes import code128_values
from waybill.layout.label import Barcode, Label, QRCode, Rect, TextRun
from waybill.render.cells import text_mask

__all__ = ["FONT_ID", "QR_SINK", "encode_native_label", "field_data"]

FONT_ID = "1"  # the ^CW name of the resident font: not a built-in font's letter
QR_SINK = 1  # the ^BY height each QR field pins: how far the firmware moves the symbol down
_HEX = {ord("^"): "_5E", ord("~"): "_7E", ord("_"): "_5F"}


def field_data(text: str) -> bytes:
    """``^FD…^FS`` for ``text`` in UTF-8, after ``^FH`` when it holds a command prefix."""
    if "^" in text or "~" in text:
        return b"^FH^FD" + text.translate(_HEX).encode("utf-8") + b"^FS"
    return b"^FD" + text.encode("utf-8") + b"^FS"


def encode_native_label(label: Label, profile: PrinterProfile) -> EncodedLabel:
    """One format: ``^XA`` · set-up · ``^CI28`` ``^CW`` · fields in display-list order · ``^PQ1`` · ``^XZ``."""
    font = native_font(label, profile, ANMDS)
    out = bytearray(b"^XA\n" + setup((label.width, label.height), profile))
    out += f"^CI28\n^CW{FONT_ID},{ANMDS}\n".encode("ascii")
    for mark in joined(label.marks, font):
        if isinstance(mark, Rect):
            if mark.w > 0 and mark.h > 0:
                out += _box(mark.x, mark.y, mark.w, mark.h, "W" if mark.white else "")
        elif isinstance(mark, TextRun):
            out += b"".join(_text(mark, font))
        elif isinstance(mark, Barcode):
            out += _barcode(mark)
        else:
            out += _qrcode(mark)
    out += b"^PQ1\n^XZ\n"  # one copy; end of format
    return EncodedLabel(bytes(out))


def _box(x: int, y: int, w: int, h: int, colour: str = "", reverse: bool = False) -> bytes:
    tail = f",{colour}" if colour else ""
    return f"^FO{x},{y}{'^FR' if reverse else ''}^GB{w},{h},{min(w, h)}{tail}^FS\n".encode("ascii")


def _text(run: TextRun, font: CellFont) -> Iterator[bytes]:
    cells = run_cells(run, font)
    mul, top = cells.mul, cells.top
    if run.white:
        yield _box(cells.left, top, cells.width, cells.height, "W")
    for piece in pieces(run.text, font, cells.left, mul):
        if piece.resident and piece.text.strip():
            for shift in (0, 1) if run.bold else (0,):
                head = f"^FO{piece.x + shift},{top}^A{FONT_ID}N,{font.cell * mul},{font.cell * mul}"
                yield head.encode("ascii") + field_data(piece.text) + b"\n"
        elif not piece.resident:
            yield _bitmap(piece.x, top, font, piece.text, mul, run.bold)
    if run.white:
        yield _box(cells.left, top, cells.width, cells.height, reverse=True)


def _bitmap(x: int, y: int, font: CellFont, piece: str, mul: int, bold: bool) -> bytes:
    """Characters the printer's font lacks, drawn from the bundled font into their cells."""
    mask = text_mask(font, piece, mul, mul, bold=bold)
    row_bytes = (mask.width + 7) // 8
    raw = mask.tobytes()  # mask 1 = ink, as in ^GF data; the row padding is white
    head = f"^FO{x},{y}^GFA,{len(raw)},{len(raw)},{row_bytes},".encode("ascii")
    return head + graphic_data(raw, row_bytes) + b"^FS\n"


def _barcode(mark: Barcode) -> bytes:
    # No interpretation line: the template prints the number itself. Mode N: the data is code values.
    orientation = "R" if mark.vertical else "N"
    head = f"^FO{mark.x},{mark.y}^BY{mark.module}^BC{orientation},{mark.height},N,N,N,N"
    return head.encode("ascii") + field_data(code128_field(code128_values(mark.data))) + b"\n"


def _qrcode(mark: QRCode) -> bytes:
    head = f"^FO{mark.x},{mark.y - QR_SINK}^BY1,3,{QR_SINK}^BQN,2,{mark.module},M"
    return head.encode("ascii") + field_data(f"MA,{mark.data}") + b"\n"

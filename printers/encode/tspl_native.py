"""Native TSPL: a laid-out label as the printer's own drawing commands, a few KB instead of a 144 KB bitmap.

Per label, every line ending in CR LF, after the same setup as the raster encoder::

    CLS
    TEXT x,y,"TSS24.BF2",0,xmul,ymul,"text"      text in the resident font, GB18030; bold: again at x+1
    BITMAP x,y,width_bytes,rows,1,<raw>          characters the font lacks, OR-ed in (mode 1)
    BARCODE x,y,"128",height,0,rotation,narrow,narrow,"data"
    QRCODE x,y,M,cell,A,0,"data"
    BAR x,y,w,h  /  ERASE x,y,w,h                black and white rectangles (rules, boxes, backgrounds)
    PRINT 1,1

White text (inverse elements) is drawn black on a cleared area that is then inverted: ``ERASE`` the run's
cells, draw, ``REVERSE`` the cells. A ``"`` inside a string is written ``\\["]``. A vertical barcode is
rotated 90° clockwise about its reference point, so the point is the symbol's top-right corner.
"""

from __future__ import annotations

from collections.abc import Iterator

from printers.encode.encoded import EncodedLabel
from printers.encode.native import joined, native_font, pieces, run_cells
from printers.encode.raster import INVERT
from printers.encode.tspl import CRLF, setup
from printers.profiles import PrinterProfile
from waybill.fonts.cells import TSS24, CellFont
from waybill.layout.label import Barcode, Label, QRCode, Rect, TextRun
from waybill.render.cells import text_mask

__all__ = ["encode_native_label", "quote"]


def quote(text: str) -> bytes:
    """A TSPL string argument in GB18030, quotes escaped."""
    return b'"' + text.replace('"', '\\["]').encode("gb18030") + b'"'


def encode_native_label(label: Label, profile: PrinterProfile, with_setup: bool = True) -> EncodedLabel:
    """One label: [setup] · ``CLS`` · drawing commands in display-list order · ``PRINT 1,1``."""
    font = native_font(label, profile, TSS24)
    out = bytearray(setup((label.width, label.height), profile) if with_setup else b"")
    out += b"CLS" + CRLF
    dx, dy = profile.offset_x_dots, profile.offset_y_dots
    for mark in joined(label.marks, font):
        if isinstance(mark, Rect):
            if mark.w > 0 and mark.h > 0:
                word = "ERASE" if mark.white else "BAR"
                out += f"{word} {mark.x + dx},{mark.y + dy},{mark.w},{mark.h}".encode("ascii") + CRLF
        elif isinstance(mark, TextRun):
            out += b"".join(_text(mark, font, dx, dy))
        elif isinstance(mark, Barcode):
            out += _barcode(mark, dx, dy)
        else:
            out += _qrcode(mark, dx, dy)
    out += b"PRINT 1,1" + CRLF
    return EncodedLabel(bytes(out))


def _text(run: TextRun, font: CellFont, dx: int, dy: int) -> Iterator[bytes]:
    cells = run_cells(run, font, dx, dy)
    mul, top = cells.mul, cells.top
    area = f"{cells.left},{top},{cells.width},{cells.height}".encode("ascii")
    if run.white:
        yield b"ERASE " + area + CRLF
    for piece in pieces(run.text, font, cells.left, mul):
        if piece.resident and piece.text.strip():
            for shift in (0, 1) if run.bold else (0,):
                head = f'TEXT {piece.x + shift},{top},"{font.name}",0,{mul},{mul},'
                yield head.encode("ascii") + quote(piece.text) + CRLF
        elif not piece.resident:
            yield _bitmap(piece.x, top, font, piece.text, mul, run.bold)
    if run.white:
        yield b"REVERSE " + area + CRLF


def _bitmap(x: int, y: int, font: CellFont, piece: str, mul: int, bold: bool) -> bytes:
    """Characters the printer's font lacks, drawn from the bundled font into their cells."""
    mask = text_mask(font, piece, mul, mul, bold=bold)
    row_bytes = (mask.width + 7) // 8
    raw = mask.tobytes().translate(INVERT)  # mask 1 = ink; TSPL 0 = black, the padding becomes white
    return f"BITMAP {x},{y},{row_bytes},{mask.height},1,".encode("ascii") + raw + CRLF


def _barcode(mark: Barcode, dx: int, dy: int) -> bytes:
    # Human-readable text off: the template prints the number itself. Code128's bars are 1:1 (narrow = wide).
    if mark.vertical:
        x, rotation = mark.x + mark.height, 90
    else:
        x, rotation = mark.x, 0
    head = f'BARCODE {x + dx},{mark.y + dy},"128",{mark.height},0,{rotation},{mark.module},{mark.module},'
    return head.encode("ascii") + quote(mark.data) + CRLF


def _qrcode(mark: QRCode, dx: int, dy: int) -> bytes:
    return f"QRCODE {mark.x + dx},{mark.y + dy},M,{mark.module},A,0,".encode("ascii") + quote(mark.data) + CRLF

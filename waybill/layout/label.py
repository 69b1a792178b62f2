"""A laid-out label: a display list in printer dots that every renderer paints the same way.

Barcodes and QR codes are entries of their own that carry their data and geometry, so a printer that draws
symbols itself gets them by command; renderers paint their ``rects`` (``painted``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from waybill.fonts import Font
from waybill.fonts.cells import CellFont
from waybill.i18n import _

__all__ = [
    "Barcode",
    "Label",
    "LabelFont",
    "LayoutWarning",
    "Mark",
    "QRCode",
    "Rect",
    "TextRun",
    "bold_stroke",
    "painted",
]

LabelFont = Font | CellFont  # the bundled or a user's TrueType font, or a printer's resident font


@dataclass(frozen=True)
class Rect:
    """A black (or, with ``white``, a white) rectangle in dots; bars, rules and boxes are all rects."""

    x: int
    y: int
    w: int
    h: int
    white: bool = False


@dataclass(frozen=True)
class TextRun:
    """One line of text: glyphs advance by the font's own widths from ``x``, sitting on ``baseline``."""

    x: float
    baseline: int
    size: int  # em height in dots
    text: str
    bold: bool = False
    white: bool = False


@dataclass(frozen=True)
class Barcode:
    """A Code128 symbol: bars from (``x``, ``y``), ``length`` dots along the reading direction (quiet zones
    not included) and ``height`` across; ``vertical`` symbols read top to bottom (rotated 90° clockwise)."""

    data: str
    x: int
    y: int
    module: int  # the narrow bar, whole dots
    length: int
    height: int
    vertical: bool
    rects: tuple[Rect, ...]


@dataclass(frozen=True)
class QRCode:
    """A QR code (error correction M) with its top-left module at (``x``, ``y``), quiet zone not included."""

    data: str
    x: int
    y: int
    module: int  # dots a side of one module
    size: int  # dots a side of the symbol
    rects: tuple[Rect, ...]


Mark = Rect | TextRun | Barcode | QRCode


def painted(marks: Iterable[Mark]) -> Iterator[Rect | TextRun]:
    """The marks as renderers paint them: symbols as their rectangles."""
    for mark in marks:
        if isinstance(mark, Barcode | QRCode):
            yield from mark.rects
        else:
            yield mark


@dataclass(frozen=True)
class Label:
    waybill_no: str
    order_id: str
    page: int
    pages: int
    width_mm: float  # the stock size; PDF pages are exactly this
    height_mm: float
    width: int  # dots
    height: int  # dots
    dots_per_mm: float
    font: LabelFont
    marks: tuple[Mark, ...]

    @property
    def file_stem(self) -> str:
        """``<waybill_no>`` for the first label, ``<waybill_no>-2`` … for continuation labels."""
        return self.waybill_no if self.page == 1 else f"{self.waybill_no}-{self.page}"


@dataclass(frozen=True)
class LayoutWarning:
    """Something the reader of the label should know was changed: shrunk or cut text, a missing glyph."""

    order_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return _("order {order}: {field}: {message}").format(
            order=self.order_id, field=self.field, message=self.message
        )


def bold_stroke(size: int) -> int:
    """Faux bold (the bundled font has no bold face): each renderer thickens glyphs by this many dots a side."""
    return max(1, size // 24)

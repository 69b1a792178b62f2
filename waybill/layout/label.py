"""A laid-out label: a display list in printer dots that every renderer paints the same way."""

from __future__ import annotations

from dataclasses import dataclass

from waybill.fonts import Font


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


Mark = Rect | TextRun


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
    font: Font
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
        return f"order {self.order_id}: {self.field}: {self.message}"


def bold_stroke(size: int) -> int:
    """Faux bold (the bundled font has no bold face): each renderer thickens glyphs by this many dots a side."""
    return max(1, size // 24)

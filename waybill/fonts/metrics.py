"""What layout asks of a font: the interface both the bundled TrueType font (``waybill.fonts.Font``) and a
printer's resident fixed-cell font (``waybill.fonts.cells.CellFont``) implement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["FontMetrics"]


class FontMetrics(Protocol):
    def __hash__(self) -> int:
        """Fonts are hashable: fitted text is kept per font (``waybill.layout.text``)."""

    @property
    def ascent(self) -> float:
        """Of an em."""

    @property
    def descent(self) -> float:
        """Of an em, positive."""

    def has_glyph(self, char: str) -> bool:
        """Whether ``char`` can be drawn (else it is shown as an empty box)."""

    def covers(self, text: str) -> bool:
        """Whether every character of ``text`` can be drawn: ``has_glyph`` of each."""

    def advance(self, char: str) -> float:
        """Advance of one character in thousandths of an em."""

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` set at ``size`` dots."""

    def sizes(self, size: int, min_size: int) -> Sequence[int]:
        """The sizes (dots) fitting tries, largest first: from ``size`` down to ``min_size`` where the font
        can be set; never empty."""

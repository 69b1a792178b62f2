"""A printer's resident fixed-cell font: the metrics layout fits text with when the printer draws the text
itself, so what the engine decides is what the printer draws.

Every character is a cell: 24 × 24 dots for Chinese and other double-byte characters, 12 × 24 for ASCII,
times a whole magnification in each direction, up to the font's ``max_mul``. Only GB2312 is counted on (a
GB18030 printer has more, but every Chinese model has these). What the font lacks is drawn from ``outline``
(the bundled TrueType font) into the same cells and sent as a small bitmap. The fonts:

* TSPL ``TSS24.BF2``: a 24-dot bitmap font, sent in GB18030; ``TEXT`` magnifies it 1-10.
* ZPL ``E:ANMDS.TTF``: Zebra's Andale Mono Simplified Chinese, a monospaced TrueType font whose Chinese
  characters take the full cell and ASCII half of it; ``^A@N,h,w`` with h = w = 24 × magnification sets
  it in the same cells (text is sent in UTF-8); held to 1-10 like TSPL, so a label lays out alike for both.
* ESC/POS ``GB18030-24``: a Chinese model's Font A (12 × 24) and 24 × 24 GB18030 font in Chinese character
  mode; ``GS !`` magnifies 1-8.
"""

from __future__ import annotations

from dataclasses import dataclass

from waybill.fonts import Font

__all__ = ["ANMDS", "GB24", "TSS24", "CellFont", "resident_font", "resident_name"]


@dataclass(frozen=True)
class CellFont:
    name: str  # the printer's name for it: "TSS24.BF2", "E:ANMDS.TTF"
    cell: int  # dots: a cell's height and a wide character's width at magnification 1
    outline: Font  # draws the cells (previews, the simulator, characters the printer lacks)
    max_mul: int = 10  # the largest whole magnification the printer sets the font at
    ascent: float = 1.0  # the cell is the em: text sits on the cell's bottom
    descent: float = 0.0

    def resident(self, char: str) -> bool:
        """Whether the printer's font has ``char`` (printable ASCII, or a GB2312 character)."""
        if " " <= char <= "~":
            return True
        try:
            return len(char.encode("gb2312")) == 2
        except UnicodeEncodeError:
            return False

    def has_glyph(self, char: str) -> bool:
        return self.resident(char) or self.outline.has_glyph(char)

    def covers(self, text: str) -> bool:
        return all(map(self.has_glyph, text))

    def narrow(self, char: str) -> bool:
        """ASCII takes a half-width cell."""
        return " " <= char <= "~"

    def advance(self, char: str) -> float:
        return 500.0 if " " <= char <= "~" else 1000.0

    def width(self, text: str, size: float) -> float:
        return sum(map(self.advance, text)) * size / 1000.0

    def cell_width(self, char: str) -> int:
        """Dots a cell of ``char`` is wide at magnification 1."""
        return self.cell // 2 if self.narrow(char) else self.cell

    def sizes(self, size: int, min_size: int) -> list[int]:
        """Whole magnifications of the cell from ``size`` down to ``min_size``; a size below one cell is
        set at one cell, the smallest the printer draws."""
        top = min(self.max_mul, max(1, size // self.cell))
        bottom = min(top, max(1, -(-min_size // self.cell)))
        return [mul * self.cell for mul in range(top, bottom - 1, -1)]

    def magnification(self, size: int) -> int:
        """The ``TEXT`` magnification of text set at ``size`` dots (a size from ``sizes``)."""
        return max(1, size // self.cell)


TSS24 = "TSS24.BF2"
ANMDS = "E:ANMDS.TTF"
GB24 = "GB18030-24"
_CELLS = {TSS24: (24, 10), ANMDS: (24, 10), GB24: (24, 8)}  # cell height, largest magnification


def resident_font(name: str, outline: Font) -> CellFont:
    """The resident font called ``name`` (``KeyError`` for one this module does not know)."""
    cell, max_mul = _CELLS[name]
    return CellFont(name, cell, outline, max_mul)


def resident_name(font: object) -> str | None:
    """The printer font labels laid out with ``font`` are fitted to, if any: a job records it so a resume
    lays its labels out the same."""
    return font.name if isinstance(font, CellFont) else None

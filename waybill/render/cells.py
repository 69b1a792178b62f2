"""Text in a printer's resident fixed-cell font, drawn dot for dot as the simulated printer draws it.

Each character is the bundled font rendered into its cell (24 × 24, or 12 × 24 for ASCII, squeezed to the
cell when wider), then magnified by whole dots. Label previews, the native encoder's bitmaps for characters
the printer lacks, and the printer simulator all draw with these functions, so they agree to the dot.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

from waybill.fonts import Font
from waybill.fonts.cells import CellFont
from waybill.layout.label import TextRun

__all__ = ["cell_glyph", "draw_cell_run", "text_mask"]

BLACK, WHITE = 0, 1


@functools.cache
def _face(font: Font, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font.path), size, index=font.index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=16384)
def cell_glyph(font: CellFont, char: str, xmul: int = 1, ymul: int = 1) -> Image.Image:
    """One character's cell as a mode "1" mask (1 = a dot), magnified ``xmul`` × ``ymul``."""
    cell, width = font.cell, font.cell_width(char)
    outline = font.outline
    size = max(1, int(cell / (outline.ascent + outline.descent)))  # ascent + descent fit the cell
    face = _face(outline, size)
    advance = max(width, round(outline.advance(char) * size / 1000))
    canvas = Image.new("L", (advance, cell), 0)
    baseline = (cell - size) // 2 + round(size * outline.ascent)
    ImageDraw.Draw(canvas).text((0, baseline), char, font=face, fill=255, anchor="ls")
    if advance > width:
        canvas = canvas.resize((width, cell), Image.Resampling.BOX)
    mask = canvas.point(lambda v: 255 if v >= 128 else 0, mode="1")
    if xmul > 1 or ymul > 1:
        mask = mask.resize((width * xmul, cell * ymul), Image.Resampling.NEAREST)
    return mask


def text_mask(font: CellFont, text: str, xmul: int = 1, ymul: int = 1, *, bold: bool = False) -> Image.Image:
    """A line of cells as one mask; ``bold`` adds the line again one dot to the right (the printer's two
    ``TEXT`` commands)."""
    width = sum(font.cell_width(char) for char in text) * xmul + (1 if bold else 0)
    mask = Image.new("1", (max(1, width), font.cell * ymul), 0)
    x = 0
    for char in text:
        glyph = cell_glyph(font, char, xmul, ymul)
        if not char.isspace():
            mask.paste(255, (x, 0, x + glyph.width, glyph.height), glyph)
            if bold:
                mask.paste(255, (x + 1, 0, x + 1 + glyph.width, glyph.height), glyph)
        x += glyph.width
    return mask


def draw_cell_run(image: Image.Image, run: TextRun, font: CellFont) -> None:
    """Paint ``run``: its cells' top is a cell above the baseline, its left edge ``run.x`` rounded."""
    mul = font.magnification(run.size)
    mask = text_mask(font, run.text, mul, mul, bold=run.bold)
    x, y = round(run.x), run.baseline - font.cell * mul
    image.paste(WHITE if run.white else BLACK, (x, y, x + mask.width, y + mask.height), mask)

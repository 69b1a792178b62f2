"""Label → 1-bit Pillow image at the printer's dot grid (mode "1": 0 is a black dot, no grey).

Glyphs are rendered once per character and size and pasted at the advances the layout used, which is
several times faster than shaping each line again and puts every glyph exactly where the PDF puts it.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

from waybill.fonts import EM, Font
from waybill.fonts.cells import CellFont
from waybill.layout.label import Label, Rect, TextRun, bold_stroke, painted
from waybill.render.cells import draw_cell_run

__all__ = [
    "GlyphCache",
    "glyph_cache",
    "rasterize",
]

BLACK, WHITE = 0, 1


class GlyphCache:
    def __init__(self, font: Font) -> None:
        self.font = font
        self._faces: dict[int, ImageFont.FreeTypeFont] = {}
        self._glyphs: dict[tuple[str, int, bool], tuple[Image.Image, int, int]] = {}

    def face(self, size: int) -> ImageFont.FreeTypeFont:
        face = self._faces.get(size)
        if face is None:
            face = ImageFont.truetype(
                str(self.font.path), size, index=self.font.index, layout_engine=ImageFont.Layout.BASIC
            )
            self._faces[size] = face
        return face

    def glyph(self, char: str, size: int, bold: bool) -> tuple[Image.Image, int, int]:
        """The glyph's 1-bit mask and its offset from the pen position on the baseline."""
        key = (char, size, bold)
        cached = self._glyphs.get(key)
        if cached is not None:
            return cached
        face = self.face(size)
        stroke = bold_stroke(size) if bold else 0
        left, top, right, bottom = (int(v) for v in face.getbbox(char, anchor="ls", stroke_width=stroke))
        mask = Image.new("1", (max(1, right - left), max(1, bottom - top)), 0)
        draw = ImageDraw.Draw(mask)
        draw.text((-left, -top), char, font=face, fill=1, anchor="ls", stroke_width=stroke, stroke_fill=1)
        self._glyphs[key] = (mask, left, top)
        return mask, left, top


@functools.cache
def glyph_cache(font: Font) -> GlyphCache:
    return GlyphCache(font)


def rasterize(label: Label) -> Image.Image:
    image = Image.new("1", (label.width, label.height), WHITE)
    draw = ImageDraw.Draw(image)
    font = label.font
    glyphs = None if isinstance(font, CellFont) else glyph_cache(font)
    for mark in painted(label.marks):
        if isinstance(mark, Rect):
            if mark.w > 0 and mark.h > 0:
                draw.rectangle(
                    (mark.x, mark.y, mark.x + mark.w - 1, mark.y + mark.h - 1), fill=WHITE if mark.white else BLACK
                )
        elif glyphs is None:
            assert isinstance(font, CellFont)
            draw_cell_run(image, mark, font)  # a printer's resident font, drawn as the printer draws it
        else:
            _draw_run(draw, mark, glyphs)
    return image


def _draw_run(draw: ImageDraw.ImageDraw, run: TextRun, glyphs: GlyphCache) -> None:
    # ImageDraw.bitmap sets the mask's dots to the colour, as Image.paste with a mask does, for a fifth less
    # time a glyph (about 280 glyphs a label); the loop's lookups are bound once for the same reason.
    colour = WHITE if run.white else BLACK
    scale = run.size / EM
    pen = run.x
    glyph, advance, bitmap = glyphs.glyph, glyphs.font.advance, draw.bitmap
    size, bold, baseline = run.size, run.bold, run.baseline
    for char in run.text:
        if not char.isspace():
            mask, left, top = glyph(char, size, bold)
            bitmap((round(pen) + left, baseline + top), mask, fill=colour)
        pen += advance(char) * scale

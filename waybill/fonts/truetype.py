"""reportlab's TrueType parser and subsetter, fed from ``FontRecord`` instead of a fresh parse.

``parse`` reads a font once (the slow part, ~0.1 s for the bundled collection); ``Subsetter`` builds the
embedded font program of a PDF subset (reportlab's ``makeSubset``, the code the PDF tests were written
against) from the cached record and the font's bytes, without parsing the font again.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any

from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

from waybill.fonts.record import FontRecord

__all__ = ["Subsetter", "parse"]


def parse(path: Path, index: int, source: dict[str, object]) -> FontRecord:
    """Parse subfont ``index`` of the TTF/TTC at ``path``; raises OSError or ValueError (not a usable font)."""
    try:
        face: Any = TTFontFile(str(path), subfontIndex=index)
    except TTFError as error:
        raise ValueError(str(error)) from error
    codes = sorted(face.charToGlyph)
    widths = face.charWidths
    return FontRecord(
        source=source,
        name=bytes(face.name).decode("latin-1"),
        subfont_suffix=face.subfontNameX.decode("latin-1"),
        flags=face.flags,
        bbox=tuple(float(v) for v in face.bbox),  # type: ignore[arg-type]
        italic_angle=float(face.italicAngle),
        ascent=float(face.ascent),
        descent=float(face.descent),
        cap_height=float(face.capHeight),
        stem_v=int(face.stemV),
        default_width=float(face.defaultWidth),
        tables={tag: (record["offset"], record["length"]) for tag, record in face.table.items()},
        codes=array("I", codes),
        widths=array("d", (float(widths.get(code, face.defaultWidth)) for code in codes)),
        glyphs=array("I", (face.charToGlyph[code] for code in codes)),
        glyph_offsets=array("I", face.glyphPos),
        advances=array("H", (int(advance) for advance, _ in face.hmetrics)),
        lsbs=array("H", (int(lsb) for _, lsb in face.hmetrics)),
    )


class _Pairs:
    """``hmetrics`` as reportlab indexes it, (advance, lsb) per glyph, read from the two arrays on demand."""

    def __init__(self, advances: array[int], lsbs: array[int]) -> None:
        self.advances, self.lsbs = advances, lsbs

    def __getitem__(self, glyph: int) -> tuple[int, int]:
        return self.advances[glyph], self.lsbs[glyph]


class Subsetter(TTFontFile):  # type: ignore[misc]
    """Makes subset programs from a record and the font's bytes: the state ``makeSubset`` reads (tables,
    cmap, loca, hmtx, the bytes) is set from the record, not parsed, and only for the characters asked for.

    Deliberately skips ``TTFontFile.__init__``: tests/waybill/test_font_cache.py checks the subsets it makes
    are byte for byte those of a freshly parsed font.
    """

    def __init__(self, metrics: FontRecord, data: bytes) -> None:
        self.record = metrics
        self._ttf_data = data
        self._pos = 0
        self.filename = metrics.name
        self.table = {tag: {"offset": offset, "length": length} for tag, (offset, length) in metrics.tables.items()}
        self.glyphPos = metrics.glyph_offsets
        self.hmetrics = _Pairs(metrics.advances, metrics.lsbs)

    def program(self, codes: list[int]) -> bytes:
        """The TrueType program of a PDF subset: byte ``i`` shows character ``codes[i]``."""
        known, glyphs = self.record.codes, self.record.glyphs
        self.charToGlyph = {}
        for code in codes:
            at = bisect_left(known, code)
            if at < len(known) and known[at] == code:
                self.charToGlyph[code] = glyphs[at]
        program: bytes = self.makeSubset(codes)
        return program

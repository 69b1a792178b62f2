"""Fonts: the bundled WenQuanYi Micro Hei (TrueType outlines, Apache-2.0) or a TTF/TTC the user names.

``Font`` gives the metrics layout needs (advance widths, ascent, glyph coverage) from the font file itself,
so raster and PDF output place every glyph at the same advance. The metrics are parsed once per font file
and read back from a cache afterwards (``waybill.fonts.cache``, ``waybill.fonts.record``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from itertools import repeat
from pathlib import Path

from waybill.errors import FontError
from waybill.fonts.cache import font_record
from waybill.fonts.record import FontRecord

__all__ = [
    "BUNDLED_FONT",
    "EM",
    "Font",
    "bundled_font_path",
    "load_font",
]

BUNDLED_FONT = "wqy-microhei.ttc"
# Advance widths are kept in thousandths of an em, as PDF fonts measure them.
EM = 1000.0


def bundled_font_path() -> Path:
    return Path(str(resources.files("waybill.fonts").joinpath(BUNDLED_FONT)))


@dataclass(frozen=True)
class Font:
    path: Path
    index: int
    ascent: float  # of an em
    descent: float  # of an em, positive
    record: FontRecord = field(repr=False, compare=False)  # all the cache keeps: the PDF writer subsets from it
    _widths: dict[str, float] = field(repr=False, compare=False)

    def has_glyph(self, char: str) -> bool:
        return char in self._widths

    def covers(self, text: str) -> bool:
        """Whether every character of ``text`` has a glyph (one set operation, not a call per character)."""
        return self._widths.keys() >= set(text)

    def advance(self, char: str) -> float:
        """Advance of one character in thousandths of an em; missing glyphs take a full em (their box)."""
        return self._widths.get(char, EM)

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` set at ``size`` (an em of ``size`` units), in the same units."""
        return sum(map(self._widths.get, text, repeat(EM))) * size / EM

    def sizes(self, size: int, min_size: int) -> range:
        """Outlines scale to any whole dot: every size from ``size`` down to ``min_size``."""
        return range(size, min(size, min_size) - 1, -1)


@functools.cache
def load_font(path: Path | None = None, index: int = 0) -> Font:
    """Load (once per process) the bundled font, or the TTF/TTC at ``path``, subfont ``index`` of a TTC."""
    font_path = (path or bundled_font_path()).resolve()
    if not font_path.is_file():
        raise FontError(f"font file not found: {font_path}")
    try:
        record = font_record(font_path, index)
    except (OSError, ValueError) as error:
        raise FontError(
            f"cannot use font {font_path}: {error} (need TrueType outlines; CFF fonts such as Noto Sans CJK "
            "are not supported by the PDF writer)"
        ) from error
    return Font(
        path=font_path,
        index=index,
        ascent=record.ascent / EM,
        descent=-record.descent / EM,
        record=record,
        _widths=dict(zip(map(chr, record.codes), record.widths, strict=True)),
    )

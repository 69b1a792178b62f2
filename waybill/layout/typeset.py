"""Placing fitted text in a box as marks; a character the font lacks becomes a visible empty box."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from waybill.fonts import EM
from waybill.fonts.cells import CellFont
from waybill.fonts.metrics import FontMetrics
from waybill.layout.label import Mark, Rect, TextRun
from waybill.layout.text import FittedText

__all__ = [
    "DotBox",
    "outline",
    "place_text",
]


@dataclass(frozen=True)
class DotBox:
    x: int
    y: int
    w: int
    h: int


def place_text(
    fitted: FittedText,
    box: DotBox,
    font: FontMetrics,
    *,
    align: str = "left",
    valign: str = "top",
    line_height: float = 1.2,
    bold: bool = False,
    white: bool = False,
) -> tuple[list[Mark], set[str]]:
    """Marks for every line of ``fitted`` in ``box``, and the characters that had to be drawn as boxes."""
    marks, missing = _placed(fitted, box, font, align, valign, line_height, bold, white)
    return list(marks), set(missing)


# Field names, the sender and the goods sit in the same boxes on every label of a batch: each is placed once
# (marks are immutable). Bounded, as text fitting's memo (waybill.layout.text).
@functools.lru_cache(maxsize=4096)
def _placed(
    fitted: FittedText,
    box: DotBox,
    font: FontMetrics,
    align: str,
    valign: str,
    line_height: float,
    bold: bool,
    white: bool,
) -> tuple[tuple[Mark, ...], frozenset[str]]:
    size = fitted.size
    pitch = size * line_height
    block = pitch * len(fitted.lines)
    top = box.y + {"top": 0.0, "middle": (box.h - block) / 2, "bottom": box.h - block}[valign]
    # Centre the glyphs' ascent + descent within each line's pitch.
    baseline_offset = (pitch - (font.ascent + font.descent) * size) / 2 + font.ascent * size
    marks: list[Mark] = []
    missing: set[str] = set()
    for index, line in enumerate(fitted.lines):
        width = font.width(line, size)
        x = box.x + {"left": 0.0, "center": (box.w - width) / 2, "right": box.w - width}[align]
        if isinstance(font, CellFont):
            x = _on_grid(x, width, box, font.cell // 2 * font.magnification(size))
        baseline = round(top + index * pitch + baseline_offset)
        missing |= _line_marks(line, x, baseline, size, font, bold, white, marks)
    return tuple(marks), frozenset(missing)


def _on_grid(x: float, width: float, box: DotBox, grid: int) -> float:
    """A resident font's text moved to the nearest multiple of its half cell that stays in the box, so text
    on one line sits on one grid and the printer can draw neighbouring runs as one command, spaces between."""
    below = math.floor(x / grid) * grid
    for candidate in sorted((below, below + grid), key=lambda c: abs(c - x)):
        if candidate >= box.x and candidate + width <= box.x + box.w:
            return float(candidate)
    return x


def _line_marks(
    line: str, x: float, baseline: int, size: int, font: FontMetrics, bold: bool, white: bool, out: list[Mark]
) -> set[str]:
    if font.covers(line):  # the common case: the whole line is one run
        if line:
            out.append(TextRun(x, baseline, size, line, bold, white))
        return set()
    missing: set[str] = set()
    run_start = 0
    cursor = x
    run_x = x
    for index, char in enumerate(line):
        if font.has_glyph(char) or char.isspace():
            cursor += font.advance(char) * size / EM
            continue
        if index > run_start:
            out.append(TextRun(run_x, baseline, size, line[run_start:index], bold, white))
        missing.add(char)
        out.extend(_placeholder(cursor, baseline, size, white))
        cursor += size
        run_start, run_x = index + 1, cursor
    if run_start < len(line):
        out.append(TextRun(run_x, baseline, size, line[run_start:], bold, white))
    return missing


def _placeholder(x: float, baseline: int, size: int, white: bool) -> list[Rect]:
    """An empty box (tofu) the size of a character, so a reader sees something is missing."""
    side = round(size * 0.8)
    return outline(DotBox(round(x + size * 0.1), baseline - side, side, side), max(1, size // 12), white)


def outline(box: DotBox, stroke: int, white: bool = False) -> list[Rect]:
    return [
        Rect(box.x, box.y, box.w, stroke, white),
        Rect(box.x, box.y + box.h - stroke, box.w, stroke, white),
        Rect(box.x, box.y, stroke, box.h, white),
        Rect(box.x + box.w - stroke, box.y, stroke, box.h, white),
    ]

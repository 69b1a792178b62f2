"""Tables for a terminal: columns aligned by display width, where a Chinese character takes two cells."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterator, Sequence
from functools import cache

__all__ = ["aligned", "clip", "display_width"]


@cache
def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def display_width(text: str) -> int:
    # ASCII is one cell a character; a table of 30,000 rows measures a quarter of a million cells.
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_wide, text))  # a bool a character, counted without a Python frame each


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with … where it was cut."""
    if display_width(text) <= width:
        return text
    used = 0
    for i, char in enumerate(text):
        used += 2 if _wide(char) else 1
        if used > width:
            return text[:i] + "…"
    return text


def aligned(rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> Iterator[str]:
    """The rows as lines, two spaces between columns; the columns in ``right`` (numbers) align right."""
    measured = [[display_width(cell) for cell in row] for row in rows]
    widths = [max(row[i] for row in measured) for i in range(len(rows[0]))]
    for row, cell_widths in zip(rows, measured, strict=True):
        cells = [
            " " * (w - used) + cell if i in right else cell + " " * (w - used)
            for i, (cell, used, w) in enumerate(zip(row, cell_widths, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()

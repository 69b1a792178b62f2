"""Tables for a terminal: columns aligned by display width, where a Chinese character takes two cells."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterator, Sequence

__all__ = ["aligned", "clip", "display_width"]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with … where it was cut."""
    out, used = "", 0
    for char in text:
        used += display_width(char)
        if used > width:
            return out + "…"
        out += char
    return out


def aligned(rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> Iterator[str]:
    """The rows as lines, two spaces between columns; the columns in ``right`` (numbers) align right."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            " " * (w - display_width(cell)) + cell if i in right else cell + " " * (w - display_width(cell))
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        yield "  ".join(cells).rstrip()

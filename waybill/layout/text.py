"""Fitting text into a box by rule: wrap, then shrink down to a minimum size, then cut with an ellipsis.

Chinese breaks between any two characters; Latin words and numbers break only at spaces unless a word is
wider than the line. No line starts with closing punctuation (，。）】 …) nor ends with opening punctuation
(（【 …): the usual 禁则 (kinsoku) rules.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from waybill.fonts.metrics import FontMetrics

__all__ = [
    "CLOSING",
    "ELLIPSIS",
    "OPENING",
    "FittedText",
    "ellipsize",
    "fit_text",
    "wrap_text",
]

ELLIPSIS = "…"
CLOSING = frozenset("，。、；：？！）】」』》〉〕”’,.;:?!)]}%…·～")
OPENING = frozenset("（【「『《〈〔“‘([{")
# A run of Latin (accented too), Greek or Cyrillic letters, digits and the punctuation that belongs inside words,
# numbers and codes.
_TOKEN = re.compile(r"[A-Za-z0-9À-ÖØ-öø-ɏͰ-ϿЀ-ӿ_@#&.,:/+'\-]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class FittedText:
    size: int  # dots
    lines: tuple[str, ...]
    shrunk: bool  # set below the preferred size
    truncated: bool  # text was cut and ends with an ellipsis


def wrap_text(text: str, font: FontMetrics, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` at ``size`` (hard line breaks are kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, font, size, width))
    return lines


def _wrap_paragraph(text: str, font: FontMetrics, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    line_width = 0.0
    for token in _tokens(text, font, size, width):
        token_width = font.width(token, size)
        # Spaces never break a line themselves (they vanish at the end of one): the next word decides.
        if line and not token.isspace() and line_width + token_width > width + 1e-6:
            kept, carried = _break(line, token)
            if font.width("".join([*carried, token.strip()]), size) > width + 1e-6:
                kept, carried = line, []  # kinsoku gives way rather than overflow the next line
            lines.append("".join(kept).rstrip())
            line = carried
            line_width = font.width("".join(line), size)
        if token.isspace() and not line:
            continue
        line.append(token)
        line_width += token_width
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines


def _break(line: list[str], token: str) -> tuple[list[str], list[str]]:
    """Where to break ``line`` before ``token``: (the tokens that stay, those carried down to the next line).

    No line starts with closing punctuation (a run of it takes the character before down with it) and none
    ends with opening punctuation. Spaces at the break vanish.
    """
    keep = list(line)
    carried: list[str] = []
    while len(keep) > 1:
        spaces: list[str] = []
        while len(keep) > 1 and keep[-1].isspace():
            spaces.insert(0, keep.pop())
        head = next((t for t in (*carried, token) if not t.isspace()), "")
        if len(keep) < 2 or not (head[:1] in CLOSING or keep[-1][-1] in OPENING):
            break
        carried[:0] = [keep.pop(), *spaces]
    return keep, carried


def _tokens(text: str, font: FontMetrics, size: float, width: float) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if len(token) > 1 and not token.isspace() and font.width(token, size) > width:
            tokens.extend(token)  # a word wider than the line breaks between characters
        else:
            tokens.append(token)
    return tokens


def fit_text(
    text: str,
    font: FontMetrics,
    *,
    width: float,
    height: float,
    size: int,
    min_size: int,
    line_height: float = 1.2,
    wrap: bool = True,
    max_lines: int | None = None,
) -> FittedText:
    """The largest of the font's sizes from ``size`` down to ``min_size`` at which ``text`` fits; else cut at
    the smallest."""
    return _fitted(text, font, width, height, size, min_size, line_height, wrap, max_lines)


# Field names, the sender, the goods and the shop's notes recur on every label of a batch: each is fitted once
# (a FittedText is immutable, so one can be shared). Bounded, so a long batch of distinct texts stays flat.
@functools.lru_cache(maxsize=4096)
def _fitted(
    text: str,
    font: FontMetrics,
    width: float,
    height: float,
    size: int,
    min_size: int,
    line_height: float,
    wrap: bool,
    max_lines: int | None,
) -> FittedText:
    if not wrap:
        text = " ".join(text.split("\n"))
    # Every character but spaces lands on some line, and widths scale with size: a size at which they alone
    # are wider than all the lines together cannot fit, and is passed over without wrapping (a 50 mm size
    # shrinking to 8 mm wrapped long text some 400 times per element).
    ink = font.width("".join(text.split()), 1)
    sizes = font.sizes(size, min_size)
    for candidate in sizes:
        room = _lines_that_fit(height, candidate, line_height, max_lines)
        if candidate * ink > room * width + 1e-6:
            continue
        lines = wrap_text(text, font, candidate, width) if wrap else [text]
        if len(lines) <= room and all(font.width(line, candidate) <= width + 1e-6 for line in lines):
            return FittedText(candidate, tuple(lines), shrunk=candidate < size, truncated=False)
    smallest = sizes[-1]
    room = _lines_that_fit(height, smallest, line_height, max_lines)
    lines = wrap_text(text, font, smallest, width) if wrap else [text]
    kept = lines[:room]
    kept[-1] = ellipsize(kept[-1], font, smallest, width, force=len(lines) > room)
    return FittedText(smallest, tuple(kept), shrunk=smallest < size, truncated=True)


def _lines_that_fit(height: float, size: int, line_height: float, max_lines: int | None) -> int:
    room = max(1, math.floor(height / (size * line_height) + 1e-6))
    return min(room, max_lines) if max_lines else room


def ellipsize(line: str, font: FontMetrics, size: float, width: float, *, force: bool = False) -> str:
    """Cut ``line`` so that it and an ellipsis fit ``width``; ``force`` adds the ellipsis even if it fits."""
    if not force and font.width(line, size) <= width + 1e-6:
        return line
    # The longest prefix that fits with the ellipsis, by bisection (widths only grow with length): cutting
    # one character at a time measured a 20,000-character line 20,000 times.
    low, high = 0, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if font.width(line[:middle] + ELLIPSIS, size) <= width + 1e-6:
            low = middle
        else:
            high = middle - 1
    return line[:low].rstrip() + ELLIPSIS

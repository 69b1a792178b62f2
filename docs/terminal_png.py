"""Render a terminal capture (``tmux capture-pane -p -e``, colours kept) to a PNG with the bundled font.

    tmux capture-pane -t SESSION -p -e > pane.txt
    python docs/terminal_png.py pane.txt docs/packing-station.png

Characters sit on the terminal's grid (Chinese characters take two cells), in WenQuanYi Micro Hei Mono;
bold and the eight basic colours of SGR escapes are drawn, everything else is plain text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from waybill.fonts import bundled_font_path

SIZE, CELL_W, CELL_H, MARGIN = 18, 11, 24, 14
BACKGROUND, FOREGROUND = (24, 26, 30), (214, 216, 220)
COLOURS = {
    30: (90, 90, 90),
    31: (255, 85, 85),
    32: (80, 220, 120),
    33: (240, 200, 80),
    34: (100, 150, 255),
    35: (220, 120, 220),
    36: (90, 210, 220),
    37: (235, 235, 235),
}
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def render(text: str) -> Image.Image:
    lines = text.rstrip("\n").split("\n")
    while lines and not SGR.sub("", lines[-1]).strip():
        lines.pop()
    columns = max(sum(_cells(c) for c in SGR.sub("", line)) for line in lines)
    image = Image.new("RGB", (2 * MARGIN + columns * CELL_W, 2 * MARGIN + len(lines) * CELL_H), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(bundled_font_path()), SIZE, index=1)  # face 1: the Mono face
    colour, bold = FOREGROUND, False
    for row, line in enumerate(lines):
        column = 0
        for index, part in enumerate(SGR.split(line)):
            if index % 2:  # the parameters of an escape sequence
                colour, bold = _style(part, colour, bold)
                continue
            for char in part:
                width = _cells(char)
                x = MARGIN + column * CELL_W + (width * CELL_W - font.getlength(char)) / 2
                y = MARGIN + row * CELL_H + (CELL_H - SIZE) // 2 - 1
                draw.text((x, y), char, font=font, fill=colour, stroke_width=1 if bold else 0, stroke_fill=colour)
                column += width
    return image


def _style(codes: str, colour: tuple[int, int, int], bold: bool) -> tuple[tuple[int, int, int], bool]:
    for code in [int(c) for c in codes.split(";") if c] or [0]:
        if code == 0:
            colour, bold = FOREGROUND, False
        elif code == 1:
            bold = True
        elif code == 39:
            colour = FOREGROUND
        elif code in COLOURS:
            colour = COLOURS[code]
    return colour, bold


def _cells(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


if __name__ == "__main__":
    render(Path(sys.argv[1]).read_text(encoding="utf-8")).save(sys.argv[2], optimize=True)

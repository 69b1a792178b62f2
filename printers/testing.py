"""Synthetic 1-bit labels and independent oracles, for the printer tests and a printer simulator.

Kept in the package (like ``numpy.testing``) so tests import it in any pytest import mode.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from PIL import Image, ImageDraw

from printers.profiles import PrinterProfile, get_profile

__all__ = ["ink", "line_art", "naive_hazards", "noise", "variant"]


def noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """Random dots: the densest, least regular raster (dithered-photo-like)."""
    width, height = size
    data = random.Random(seed).randbytes((width + 7) // 8 * height)
    return Image.frombytes("1", size, data)


def line_art(size: tuple[int, int], seed: int = 2) -> Image.Image:
    """A waybill-like raster: frame, region rules, text-like blocks of strokes, barcode bars, diagonals."""
    width, height = size
    rng = random.Random(seed)
    image = Image.new("1", size, 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=3)
    for y in range(height // 8, height, max(height // 8, 4)):
        draw.line((0, y, width - 1, y), fill=0, width=2)
    for line in range(30):  # "text": rows of glyph-sized stroke clusters
        y = 20 + line * (height - 40) // 30
        x = 17
        while x < width - 40:
            glyph = rng.randint(14, 26)
            for _ in range(rng.randint(2, 5)):
                gx, gy = x + rng.randrange(glyph), y + rng.randrange(glyph)
                draw.line(
                    (gx, gy, gx + rng.randint(-9, 9), gy + rng.randint(0, 12)), fill=0, width=rng.choice((1, 2, 3))
                )
            x += glyph + rng.randint(1, 8)
    x = width // 10  # barcode
    while x < width * 9 // 10:
        bar = rng.choice((2, 2, 4, 6, 8))
        draw.rectangle((x, height // 2, x + bar - 1, height // 2 + height // 10), fill=0)
        x += bar + rng.choice((2, 4, 6))
    draw.line((0, 0, width - 1, height - 1), fill=0, width=1)
    draw.line((width - 1, 0, 0, height - 1), fill=0, width=5)
    return image


def naive_hazards(stream: bytes, dc4_disabled: bool = False) -> list[int]:
    """Offsets of every real-time command start in ``stream``, by a plain loop as a printer scans it:
    DLE EOT n (n 1-8), DLE ENQ n (n 0-4), DLE DC4 (any fn), and a DLE EOT / DLE ENQ cut off at the end.

    ``dc4_disabled``: GS ( D is in force, so DLE DC4 fn 1 and fn 2 are not executed.
    """
    found = []
    for i in range(len(stream) - 1):
        if stream[i] != 0x10:
            continue
        command = stream[i + 1]
        n = stream[i + 2] if i + 2 < len(stream) else None
        dle_eot = command == 0x04 and (n is None or 1 <= n <= 8)
        dle_enq = command == 0x05 and (n is None or 0 <= n <= 4)
        dle_dc4 = command == 0x14 and not (dc4_disabled and n in (1, 2))
        if dle_eot or dle_enq or dle_dc4:
            found.append(i)
    return found


def ink(black_bits: bytes, size: tuple[int, int]) -> Image.Image:
    """An image whose packed rows, 1 = black (ESC/POS polarity), are exactly ``black_bits``."""
    return Image.frombytes("1", size, bytes(b ^ 0xFF for b in black_bits))


def variant(name: str, **changes: Any) -> PrinterProfile:
    """A built-in profile with some facts changed (named ``NAME-test``)."""
    return dataclasses.replace(get_profile(name), name=f"{name}-test", **changes)

"""1-bit PNG files. Pillow writes no timestamp, so the same label gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def write_png(image: Image.Image, path: Path, dots_per_mm: float) -> None:
    dpi = round(dots_per_mm * 25.4)
    image.save(path, format="PNG", dpi=(dpi, dpi))

"""1-bit PNG files. Pillow writes no timestamp, so the same label gives the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

__all__ = [
    "write_png",
]


def write_png(image: Image.Image, path: Path, dots_per_mm: float | None = None) -> None:
    """Write ``image`` to ``path`` readable by its owner only (0600): a label shows a recipient's address."""
    options = {} if dots_per_mm is None else {"dpi": (round(dots_per_mm * 25.4),) * 2}
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as stream:
        image.save(stream, format="PNG", **options)

"""1-bit PNG files. Pillow writes no timestamp, so the same label gives the same bytes.

Encoding is most of the cost of a PNG label (packing the dots and deflating them). Pillow's PNG encoder
does both in C without holding the GIL, so ``PngWriter`` runs it on a few threads while the caller
lays out and rasterizes the next labels; each file is written whole by one thread, so the bytes do not
depend on the order the threads finish in.
"""

from __future__ import annotations

import os
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PIL import Image

__all__ = ["PngWriter", "write_png"]


def write_png(image: Image.Image, path: Path, dots_per_mm: float) -> None:
    dpi = round(dots_per_mm * 25.4)
    # Run-length deflate suits rows of bars and blank paper: 1.7 ms a label against 3 ms for the default
    # strategy, for files 8 % larger (12.4 KB against 11.5 KB for a 100 x 180 mm label).
    image.save(path, format="PNG", dpi=(dpi, dpi), compress_type=zlib.Z_RLE)


class PngWriter:
    """``write_png`` on background threads, at most ``queued`` images waiting (memory stays that of a few
    labels). A failed write raises from a later ``write`` or from ``finish``."""

    def __init__(self, threads: int | None = None, queued: int | None = None) -> None:
        # One thread per core beside the caller's, which lays out and rasterizes meanwhile.
        self.threads = threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        self.queued = queued or 2 * self.threads
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="png")
        self._pending: deque[Future[None]] = deque()

    def write(self, image: Image.Image, path: Path, dots_per_mm: float) -> None:
        while len(self._pending) >= self.queued:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(write_png, image, path, dots_per_mm))

    def finish(self) -> None:
        """Wait for every write; raise the first that failed."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Drop the writes not started, wait for those running (so their files can be removed after)."""
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)

"""PNG files, the owner's only (0600: a label shows a recipient's address); the same image gives the same
bytes (no timestamp, fixed settings). 1-bit images (labels, decoded printer streams) are encoded here.

A label is mostly blank paper and rows that repeat the row above (bars, boxes, the insides of large type),
so each row is stored with PNG's "Up" filter and deflated run-length: 0.45 ms a 100 x 180 mm label and
12.4 KB, where Pillow's encoder takes 1.7 ms (run-length) to 3 ms (its default) for 11.5–12.4 KB; most of
Pillow's time is packing its one-byte-a-dot image into bits, which numpy does in a fraction of it.

``PngWriter`` encodes and writes on a background thread (zlib and numpy's arithmetic run without the GIL)
while the caller lays out and rasterizes the next labels; each file is written whole by one thread, so the
bytes do not depend on the order the threads finish in.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from waybill.atomic import writing

__all__ = ["PngWriter", "encode_png", "write_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NONE, _UP = 0, 2  # PNG row filter types


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: Image.Image, dots_per_mm: float | None = None) -> bytes:
    """A mode "1" image as a 1-bit greyscale PNG (0 black, 1 white, as in the image), with its resolution
    when ``dots_per_mm`` is given."""
    if image.mode != "1":
        raise ValueError(f"a 1-bit PNG needs a mode '1' image, not {image.mode!r}")
    import numpy  # ~40 ms to import: paid by runs that write PNGs, not by every user of waybill.output

    bits = numpy.packbits(numpy.asarray(image), axis=1)  # rows padded to whole bytes with 0, as PNG wants
    height, row_bytes = bits.shape
    rows = numpy.empty((height, row_bytes + 1), dtype=numpy.uint8)
    rows[0, 0] = _NONE
    rows[0, 1:] = bits[0]
    rows[1:, 0] = _UP
    numpy.subtract(bits[1:], bits[:-1], out=rows[1:, 1:])  # Up: each byte minus the one above, modulo 256
    deflate = zlib.compressobj(6, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = deflate.compress(rows.tobytes()) + deflate.flush()
    chunks = [_SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", image.width, image.height, 1, 0, 0, 0, 0))]
    if dots_per_mm is not None:
        per_metre = int(round(dots_per_mm * 25.4) / 0.0254 + 0.5)  # from whole dpi, rounded as Pillow does
        chunks.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))  # unit 1: the metre
    chunks += [_chunk(b"IDAT", data), _chunk(b"IEND", b"")]
    return b"".join(chunks)


def write_png(image: Image.Image, path: Path, dots_per_mm: float | None = None) -> None:
    """Write ``image`` to ``path`` readable by its owner only (0600); other modes than "1" through Pillow."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as stream:
        if image.mode == "1":
            stream.write(encode_png(image, dots_per_mm))
        else:
            options = {} if dots_per_mm is None else {"dpi": (round(dots_per_mm * 25.4),) * 2}
            image.save(stream, format="PNG", **options)


def _write_reported(image: Image.Image, path: Path, dots_per_mm: float, shown_as: Path) -> None:
    with writing(shown_as):
        write_png(image, path, dots_per_mm)


class PngWriter:
    """``write_png`` on background threads, at most ``queued`` images waiting (memory stays that of a few
    labels). A failed write raises from a later ``write`` or from ``finish``."""

    def __init__(self, threads: int | None = None, queued: int | None = None) -> None:
        # One thread per core beside the caller's, which lays out and rasterizes meanwhile.
        self.threads = threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        self.queued = queued or 2 * self.threads
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="png")
        self._pending: deque[Future[None]] = deque()

    def write(self, image: Image.Image, path: Path, dots_per_mm: float, *, shown_as: Path | None = None) -> None:
        """Queue ``write_png``; an ``OSError`` becomes the ``OutputError`` naming ``shown_as`` (else ``path``)."""
        while len(self._pending) >= self.queued:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(_write_reported, image, path, dots_per_mm, shown_as or path))

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

"""A label image placed on the print head and packed one bit a dot: the array work every encoder shares.

The contract with the label engine: a Pillow image in mode ``"1"``, pixel 0 = black dot, 255 = white.
Packed rows are most-significant bit first (leftmost dot), padded to whole bytes with white.
"""

from __future__ import annotations

from PIL import Image

from printers.profiles import PrinterProfile

try:  # numpy packs bits ~30x faster than Pillow's per-pixel packer on dense images.
    import numpy
except ImportError:  # pragma: no cover - exercised by forcing the fallback in the tests
    numpy = None  # type: ignore[assignment]

__all__ = ["INVERT", "NUMPY_PACKING", "check_fits", "pack_black"]

NUMPY_PACKING = numpy is not None
_STRIP_BYTES = 1 << 18

# bytes.translate table flipping every bit: ESC/POS polarity (1 = black) <-> TSPL polarity (0 = black).
INVERT = bytes(range(255, -1, -1))


def check_fits(image: Image.Image, profile: PrinterProfile) -> None:
    """Raise unless ``image`` is a 1-bit label that fits the head once moved by the profile's x offset."""
    if image.mode != "1":
        raise ValueError(f"a label raster must be a mode '1' image, not mode {image.mode!r}")
    width, height = image.size
    if width < 1 or height < 1:
        raise ValueError(f"a label raster must have at least one dot, not {width}×{height}")
    profile.check_fits(width)


def pack_black(image: Image.Image, left: int = 0, use_numpy: bool = True) -> tuple[int, bytes]:
    """``(row_bytes, data)``: the image with ``left`` white dots before it, 1 bit = black, rows padded white.

    ``use_numpy=False`` forces Pillow's own packer (the fallback when numpy is not installed).
    """
    if left:
        canvas = Image.new("1", (left + image.width, image.height), 255)
        canvas.paste(image, (left, 0))
        image = canvas
    width, height = image.size
    row_bytes = (width + 7) // 8
    if numpy is not None and use_numpy:
        # Mode "1" unpacks to one byte a dot (0 or 255); ~ makes black non-zero, packbits pads rows with 0.
        # Strips of ~256 KiB unpacked stay in cache and spare a fresh 1 MiB+ buffer per label (4x faster).
        rows_per_strip = max(1, _STRIP_BYTES // width)
        packed = []
        for top in range(0, height, rows_per_strip):
            strip = (
                image if rows_per_strip >= height else image.crop((0, top, width, min(height, top + rows_per_strip)))
            )
            dots = numpy.frombuffer(strip.tobytes("raw", "L"), dtype=numpy.uint8).reshape(-1, width)
            packed.append(numpy.packbits(~dots, axis=1).tobytes())
        return row_bytes, b"".join(packed)
    # Pillow's inverted packer: 1 = black, padding bits 0 (white).
    return row_bytes, image.tobytes("raw", "1;I")

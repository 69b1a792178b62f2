"""TSPL encoder: a 1-bit label raster to the commands of a TSC-style label printer.

Per label, every line ending in CR LF::

    SIZE 100 mm,180 mm       ┐ the setup, sent with the first label of a job
    GAP 3 mm,0 mm            │ and again whenever the label size changes
    DIRECTION 0,0            ┘
    CLS
    BITMAP x,y,width_bytes,rows,0,<raw>     one per band of at most max_band_bytes
    PRINT 1,1

In ``BITMAP`` data a 0 bit prints a dot, the inverse of ESC/POS; padding bits are 1 (white). The
profile's x/y offset is the ``BITMAP`` position, so no bytes are spent on it. The label end maps to
the media setup: ``gap_feed`` → ``GAP g mm,0 mm``; ``none`` → ``GAP 0,0`` (continuous media);
``cut`` → the gap plus ``SET CUTTER 1`` (cut after every label).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PIL import Image

from printers.encode.encoded import EncodedLabel
from printers.encode.raster import INVERT, check_fits, pack_black
from printers.errors import ProfileError
from printers.profiles import PrinterProfile

__all__ = ["encode_job", "encode_label", "setup"]

CRLF = b"\r\n"


def _mm(value: float) -> str:
    """A length in mm as TSPL wants it: 0.1 mm resolution, no trailing zeros (100, 99.9)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def setup(size_dots: tuple[int, int], profile: PrinterProfile) -> bytes:
    """The media setup lines for a label of ``size_dots`` (the label image's size)."""
    width_mm, height_mm = (profile.mm(dots) for dots in size_dots)
    lines = [f"SIZE {_mm(width_mm)} mm,{_mm(height_mm)} mm"]  # label stock size
    if profile.label_end == "none":
        lines.append("GAP 0,0")  # continuous media: no gap sensing
    else:
        lines.append(f"GAP {_mm(profile.gap_mm)} mm,0 mm")  # gap between labels, its offset
    lines.append("DIRECTION 0,0")  # print direction 0, not mirrored
    if profile.label_end == "cut":
        lines.append("SET CUTTER 1")  # cut after every label
    return b"".join(line.encode("ascii") + CRLF for line in lines)


def encode_label(image: Image.Image, profile: PrinterProfile, with_setup: bool = True) -> EncodedLabel:
    """One label: [setup] · ``CLS`` · ``BITMAP`` bands · ``PRINT 1,1``."""
    check_fits(image, profile)
    if profile.language != "tspl":
        raise ProfileError(f"printer profile {profile.name!r} speaks {profile.language}, not TSPL")
    row_bytes, packed = pack_black(image)
    if row_bytes > profile.max_band_bytes:
        raise ProfileError(
            f"printer profile {profile.name!r}: one row of {row_bytes} bytes exceeds max_band_bytes "
            f"({profile.max_band_bytes})"
        )
    raw = packed.translate(INVERT)  # TSPL polarity: 0 = black; the white padding becomes 1
    out = bytearray(setup(image.size, profile) if with_setup else b"")
    out += b"CLS" + CRLF  # clear the image buffer
    rows_per_band = profile.max_band_bytes // row_bytes
    x, y = profile.offset_x_dots, profile.offset_y_dots
    for row in range(0, image.height, rows_per_band):
        count = min(rows_per_band, image.height - row)
        # BITMAP x,y,width in bytes,height in dots,mode 0 (overwrite),data
        out += f"BITMAP {x},{y + row},{row_bytes},{count},0,".encode("ascii")
        out += raw[row * row_bytes : (row + count) * row_bytes]
        out += CRLF
    out += b"PRINT 1,1" + CRLF  # print 1 set, 1 copy
    return EncodedLabel(bytes(out))


def encode_job(images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
    """One ``EncodedLabel`` per image, as they come; the setup goes with the first and on size changes."""
    size: tuple[int, int] | None = None
    for image in images:
        yield encode_label(image, profile, with_setup=image.size != size)
        size = image.size

"""ZPL II encoder: a 1-bit label raster to one format of a Zebra (or ZPL-emulating) label printer.

Per label, one command a line::

    ^XA                  start of format
    ^MNY                 media tracking: gap stock (^MNN continuous)
    ^MMT                 after printing: tear off (^MMC cut)
    ^PW800               print width: the label's width plus the x offset, in dots
    ^LL1440              label length, in dots
    ^LH0,0               label home: the profile's calibration offset
    ^FO0,0^GFA,…^FS      the image as graphic fields, one per band of at most max_band_bytes
    ^PQ1                 one copy
    ^XZ                  end of format: print

Every label carries its whole set-up, so any label can be the first after a resume. In ``^GF`` data a 1 bit
prints a dot, as in ESC/POS. Each band goes as Z64 or ACS, whichever is shorter
(``printers.encode.zpl_graphics``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PIL import Image

from printers.encode.encoded import EncodedLabel
from printers.encode.raster import check_fits, pack_black
from printers.encode.zpl_graphics import acs, z64
from printers.errors import ProfileError
from printers.profiles import PrinterProfile

__all__ = ["encode_job", "encode_label", "graphic_data", "setup"]


def setup(size_dots: tuple[int, int], profile: PrinterProfile) -> bytes:
    """The format's media lines for a label of ``size_dots`` (the label image's size)."""
    width, height = size_dots
    lines = [
        "^MNN" if profile.label_end == "none" else "^MNY",  # media tracking: continuous, or gap/notch
        "^MMC" if profile.label_end == "cut" else "^MMT",  # print mode: cutter, or tear-off
        f"^PW{profile.offset_x_dots + width}",  # print width in dots
        f"^LL{height}",  # label length in dots
        f"^LH{profile.offset_x_dots},{profile.offset_y_dots}",  # label home: where the label's (0, 0) is
    ]
    return "".join(line + "\n" for line in lines).encode("ascii")


def graphic_data(data: bytes, row_bytes: int) -> bytes:
    """``data`` as ``^GFA`` data: Z64 or ACS, whichever is shorter."""
    compressed = z64(data)
    ascii_compressed = acs(data, row_bytes)
    return compressed if len(compressed) <= len(ascii_compressed) else ascii_compressed


def encode_label(image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
    """One self-contained format: ``^XA`` · set-up · graphic fields · ``^PQ1`` · ``^XZ``."""
    check_fits(image, profile)
    if profile.language != "zpl":
        raise ProfileError(f"printer profile {profile.name!r} speaks {profile.language}, not ZPL")
    row_bytes, packed = pack_black(image)
    if row_bytes > profile.max_band_bytes:
        raise ProfileError(
            f"printer profile {profile.name!r}: one row of {row_bytes} bytes exceeds max_band_bytes "
            f"({profile.max_band_bytes})"
        )
    out = bytearray(b"^XA\n" + setup(image.size, profile))
    rows_per_band = profile.max_band_bytes // row_bytes
    for row in range(0, image.height, rows_per_band):
        band = packed[row * row_bytes : (row + rows_per_band) * row_bytes]
        # ^GFA,bytes,bytes,bytes per row,data: the counts are of the uncompressed image data
        out += f"^FO0,{row}^GFA,{len(band)},{len(band)},{row_bytes},".encode("ascii")
        out += graphic_data(band, row_bytes)
        out += b"^FS\n"
    out += b"^PQ1\n^XZ\n"  # one copy; end of format
    return EncodedLabel(bytes(out))


def encode_job(images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
    """One ``EncodedLabel`` per image, as they come."""
    for image in images:
        yield encode_label(image, profile)

"""ESC/POS encoder: a 1-bit label raster to the bytes of a receipt or dual-mode label printer.

A job is ``ESC @`` once, then per label: [``GS ( D`` off] · image bands · [``GS ( D`` on] · label end.

* Bands: ``GS v 0`` raster bit images (or ``GS 8 L`` fn 112 store + ``GS ( L`` fn 50 print when the
  profile prefers graphics), each carrying at most ``profile.max_band_bytes`` of image data. The
  store always uses ``GS 8 L``'s 32-bit length: ``GS ( L``'s 16-bit length wraps past 65,535 bytes.
* Placement: the profile's x offset becomes white dots at the left of every row, its y offset white
  rows at the top; rows are padded to whole bytes with white.
* Real-time command hazards in the image data are defused (see ``printers.encode.realtime``); the
  dots changed are reported in ``EncodedLabel.altered_dots``.

python-escpos is not used here: its image path dithers by default, cuts bands by a fixed height
rather than by bytes, wraps ``GS ( L``'s length, and prints a black band with ``center=True`` on tall
images. Its GS v 0 header for a small image is correct, and the tests use it as an oracle for ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PIL import Image

from printers.encode.encoded import EncodedLabel
from printers.encode.raster import check_fits, pack_black
from printers.encode.realtime import HAZARD_BIT, defuse, hazard_pattern
from printers.errors import ProfileError
from printers.profiles import PrinterProfile

__all__ = ["JOB_START", "encode_job", "encode_label", "label_end"]

JOB_START = b"\x1b\x40"  # ESC @  initialise printer

# GS ( D: DLE DC4 fn 1 off, fn 2 off  /  back to the defaults: fn 1 on (fn 2 is off by default).
_REALTIME_OFF = (
    b"\x1d\x28\x44"  # GS ( D  enable/disable real-time commands
    b"\x05\x00"  # pL pH  5 bytes follow
    b"\x14"  # m = 20
    b"\x01\x00"  # a = 1 (DLE DC4 fn 1, pulse)      b = 0 disable
    b"\x02\x00"  # a = 2 (DLE DC4 fn 2, power off)  b = 0 disable
)
_REALTIME_ON = (
    b"\x1d\x28\x44"  # GS ( D  enable/disable real-time commands
    b"\x03\x00"  # pL pH  3 bytes follow
    b"\x14"  # m = 20
    b"\x01\x01"  # a = 1 (DLE DC4 fn 1, pulse)  b = 1 enable
)
_PRINT_GRAPHICS = (
    b"\x1d\x28\x4c"  # GS ( L  graphics
    b"\x02\x00"  # pL pH  2 bytes follow
    b"\x30\x32"  # m = 48, fn = 50  print the graphics data in the print buffer
)
_MAX_ROWS = 0xFFFF  # the row count is a 16-bit field in both image commands


def label_end(profile: PrinterProfile) -> bytes:
    if profile.label_end == "gap_feed":
        return b"\x1d\x0c"  # GS FF  print and feed to the next label's start (gap)
    if profile.label_end == "cut":
        return b"\x1d\x56\x41\x00"  # GS V A 0  feed to the cutting position and cut
    return b""  # none: continuous paper, the next label follows directly


def _raster_header(row_bytes: int, rows: int) -> bytes:
    return (
        b"\x1d\x76\x30"  # GS v 0  print raster bit image
        + b"\x00"  # m = 0  normal width and height
        + row_bytes.to_bytes(2, "little")  # xL xH  bytes per row
        + rows.to_bytes(2, "little")  # yL yH  rows
    )


def _graphics_header(row_bytes: int, rows: int) -> bytes:
    return (
        b"\x1d\x38\x4c"  # GS 8 L  graphics, 32-bit length
        + (10 + row_bytes * rows).to_bytes(4, "little")  # p1..p4  bytes after p4: 10 + data
        + b"\x30\x70"  # m = 48, fn = 112  store raster graphics data in the print buffer
        + b"\x30"  # a = 48  monochrome
        + b"\x01\x01"  # bx by  scale x1 x1
        + b"\x31"  # c = 49  colour 1
        + (row_bytes * 8).to_bytes(2, "little")  # xL xH  width in dots
        + rows.to_bytes(2, "little")  # yL yH  height in dots
    )


def encode_label(image: Image.Image, profile: PrinterProfile) -> EncodedLabel:
    """One label's commands, without the job's ``ESC @``."""
    check_fits(image, profile)
    if profile.language != "escpos":
        raise ProfileError(f"printer profile {profile.name!r} speaks {profile.language}, not ESC/POS")
    ox, oy = profile.offset_x_dots, profile.offset_y_dots
    row_bytes, packed = pack_black(image, left=ox)
    data = bytes(oy * row_bytes) + packed  # y offset: white rows on top
    total_rows = oy + image.height
    if row_bytes > profile.max_band_bytes:
        raise ProfileError(
            f"printer profile {profile.name!r}: one row of {row_bytes} bytes exceeds max_band_bytes "
            f"({profile.max_band_bytes})"
        )
    graphics = profile.image_command == "graphics"
    make_header = _graphics_header if graphics else _raster_header
    pattern = hazard_pattern(profile.realtime_disable)
    out = bytearray()
    if profile.realtime_disable:
        out += _REALTIME_OFF
    altered: list[tuple[int, int]] = []
    rows_per_band = min(profile.max_band_bytes // row_bytes, _MAX_ROWS)
    row = 0
    while row < total_rows:
        count = min(rows_per_band, total_rows - row)
        while True:  # shorten the band while its header forms a real-time command with its neighbours
            header = make_header(row_bytes, count)
            start = row * row_bytes
            match = pattern.search(header + data[start : start + 2])
            if match is None or match.start() >= len(header):
                break
            count -= 1
            if count == 0:
                raise ProfileError(
                    f"printer profile {profile.name!r}: a {row_bytes * 8}-dot wide image header itself "
                    "contains a real-time command; use a different width or image_command"
                )
        payload, offsets = defuse(data[start : start + count * row_bytes], profile.realtime_disable)
        altered.extend(
            ((offset % row_bytes) * 8 + HAZARD_BIT - ox, row + offset // row_bytes - oy) for offset in offsets
        )
        out += header
        out += payload
        if graphics:
            out += _PRINT_GRAPHICS
        row += count
    if profile.realtime_disable:
        out += _REALTIME_ON
    out += label_end(profile)
    return EncodedLabel(bytes(out), tuple(altered))


def encode_job(images: Iterable[Image.Image], profile: PrinterProfile) -> Iterator[EncodedLabel]:
    """One ``EncodedLabel`` per image, as they come; the first also carries ``ESC @``."""
    first = True
    for image in images:
        label = encode_label(image, profile)
        if first:
            label = EncodedLabel(JOB_START + label.data, label.altered_dots)
            first = False
        yield label

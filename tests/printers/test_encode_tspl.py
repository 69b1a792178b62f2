from __future__ import annotations

import pytest
from PIL import Image

from printers.encode import encode_job, encode_label, tspl
from printers.errors import ProfileError
from printers.profiles import get_profile
from printers.testing import ink, noise, variant

SETUP_100_180 = b"SIZE 100 mm,180 mm\r\nGAP 3 mm,0 mm\r\nDIRECTION 0,0\r\n"


def test_waybill_label_exact_bytes() -> None:
    image = Image.new("1", (800, 1440), 255)
    image.putpixel((0, 0), 0)
    data = bytearray(b"\xff" * 144_000)
    data[0] = 0x7F  # first dot black: a 0 bit
    expected = SETUP_100_180 + b"CLS\r\nBITMAP 0,0,100,1440,0," + bytes(data) + b"\r\nPRINT 1,1\r\n"
    assert encode_label(image, get_profile("tspl-203")) == expected


def test_300_dpi_size_in_mm() -> None:
    stream = encode_label(Image.new("1", (1181, 2126), 255), get_profile("tspl-300"))
    assert stream.startswith(SETUP_100_180 + b"CLS\r\nBITMAP 0,0,148,2126,0,")
    assert len(stream) == len(SETUP_100_180) + len(b"CLS\r\nBITMAP 0,0,148,2126,0,") + 148 * 2126 + 2 + 11


@pytest.mark.parametrize(
    ("black_bits", "size", "raw"),
    [
        (b"\xff", (8, 1), b"\x00"),  # all black: 0 bits
        (b"\x00", (8, 1), b"\xff"),  # all white: 1 bits
        (b"\xff\xf8", (13, 1), b"\x00\x07"),  # 13 black dots; the 3 padding bits are white (1)
        (b"\x80\x01", (16, 1), b"\x7f\xfe"),  # MSB is the leftmost dot
    ],
)
def test_polarity_zero_bit_is_a_black_dot(black_bits: bytes, size: tuple[int, int], raw: bytes) -> None:
    stream = tspl.encode_label(ink(black_bits, size), get_profile("tspl-203"), with_setup=False).data
    assert stream == f"CLS\r\nBITMAP 0,0,{len(raw)},1,0,".encode() + raw + b"\r\nPRINT 1,1\r\n"


def test_offsets_are_the_bitmap_position() -> None:
    profile = variant("tspl-203", offset_x_dots=12, offset_y_dots=5)
    stream = tspl.encode_label(Image.new("1", (8, 2), 0), profile, with_setup=False).data
    assert stream == b"CLS\r\nBITMAP 12,5,1,2,0,\x00\x00\r\nPRINT 1,1\r\n"


@pytest.mark.parametrize(
    ("label_end", "gap_mm", "media"),
    [
        ("gap_feed", 3.0, b"GAP 3 mm,0 mm\r\nDIRECTION 0,0\r\n"),
        ("gap_feed", 2.5, b"GAP 2.5 mm,0 mm\r\nDIRECTION 0,0\r\n"),
        ("none", 3.0, b"GAP 0,0\r\nDIRECTION 0,0\r\n"),
        ("cut", 2.0, b"GAP 2 mm,0 mm\r\nDIRECTION 0,0\r\nSET CUTTER 1\r\n"),
    ],
)
def test_label_end_sets_the_media(label_end: str, gap_mm: float, media: bytes) -> None:
    profile = variant("tspl-203", label_end=label_end, gap_mm=gap_mm)
    assert tspl.setup((608, 1040), profile) == b"SIZE 76 mm,130 mm\r\n" + media


def test_bands_are_bitmaps_at_successive_rows() -> None:
    profile = variant("tspl-203", max_band_bytes=25, offset_x_dots=4, offset_y_dots=1)
    image = noise((80, 7), seed=3)  # 10 bytes a row, 2 rows a band
    stream = tspl.encode_label(image, profile, with_setup=False).data
    raw = bytes(b ^ 0xFF for b in image.tobytes("raw", "1;I"))
    expected = b"CLS\r\n"
    for row in range(0, 7, 2):
        count = min(2, 7 - row)
        expected += f"BITMAP 4,{1 + row},10,{count},0,".encode() + raw[row * 10 : (row + count) * 10] + b"\r\n"
    assert stream == expected + b"PRINT 1,1\r\n"


@pytest.mark.parametrize(("width", "offset_x"), [(833, 0), (800, 33), (1249, 0)])
def test_too_wide_is_a_profile_error(width: int, offset_x: int) -> None:
    profile = variant("tspl-300" if width > 1000 else "tspl-203", offset_x_dots=offset_x)
    with pytest.raises(ProfileError, match=f"needs {width + offset_x} dots"):
        encode_label(Image.new("1", (width, 4), 255), profile)


def test_wrong_language() -> None:
    with pytest.raises(ProfileError, match="speaks escpos, not TSPL"):
        tspl.encode_label(Image.new("1", (8, 1), 255), get_profile("escpos-4inch"))


def test_job_sends_setup_first_and_when_the_size_changes() -> None:
    small, large = Image.new("1", (608, 1040), 255), Image.new("1", (800, 1440), 255)
    chunks = list(encode_job([small, small, large, large], get_profile("tspl-203")))
    starts = [chunk.split(b"\r\n", 1)[0] for chunk in chunks]
    assert starts == [b"SIZE 76 mm,130 mm", b"CLS", b"SIZE 100 mm,180 mm", b"CLS"]
    assert all(chunk.endswith(b"PRINT 1,1\r\n") for chunk in chunks)

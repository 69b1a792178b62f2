from __future__ import annotations

import base64
import zlib

import pytest
from PIL import Image

from printers.encode import encode_job, encode_label, zpl
from printers.encode.zpl_graphics import acs, crc16, unacs, unz64, z64
from printers.errors import ProfileError
from printers.profiles import get_profile
from printers.testing import ink, line_art, noise, variant

SETUP_100_180 = b"^MNY\n^MMT\n^PW800\n^LL1440\n^LH0,0\n"


def test_waybill_label_exact_bytes() -> None:
    image = Image.new("1", (800, 1440), 255)
    image.putpixel((0, 0), 0)
    raw = bytearray(144_000)
    raw[0] = 0x80  # first dot black: a 1 bit, the leftmost
    text = base64.b64encode(zlib.compress(bytes(raw)))
    graphic = b":Z64:" + text + b":" + f"{crc16(text):04X}".encode()
    expected = b"^XA\n" + SETUP_100_180 + b"^FO0,0^GFA,144000,144000,100," + graphic + b"^FS\n^PQ1\n^XZ\n"
    assert encode_label(image, get_profile("zpl-203")) == expected
    assert len(graphic) < len(b"8,," + b":" * 1438)  # Z64 is the shorter here


def test_small_label_goes_as_acs_when_that_is_shorter() -> None:
    # Rows: 80 00 (first dot), 00 00 (white), the same again, FF FF (black), 0F 0F.
    image = ink(bytes.fromhex("800000000000FFFF0F0F"), (16, 5))
    stream = zpl.encode_label(image, get_profile("zpl-203")).data
    assert stream == (b"^XA\n^MNY\n^MMT\n^PW16\n^LL5\n^LH0,0\n^FO0,0^GFA,10,10,2,8,,:!0F0!^FS\n^PQ1\n^XZ\n")


def test_300_dpi_label() -> None:
    stream = encode_label(Image.new("1", (1181, 2126), 255), get_profile("zpl-300"))
    assert stream.startswith(b"^XA\n^MNY\n^MMT\n^PW1181\n^LL2126\n^LH0,0\n^FO0,0^GFA,314648,314648,148,")
    assert stream.endswith(b"^FS\n^PQ1\n^XZ\n")


@pytest.mark.parametrize(
    ("label_end", "media"),
    [("gap_feed", b"^MNY\n^MMT\n"), ("none", b"^MNN\n^MMT\n"), ("cut", b"^MNY\n^MMC\n")],
)
def test_label_end_sets_media_tracking_and_print_mode(label_end: str, media: bytes) -> None:
    profile = variant("zpl-203", label_end=label_end)
    assert zpl.setup((608, 1040), profile) == media + b"^PW608\n^LL1040\n^LH0,0\n"


def test_offsets_are_the_label_home_and_widen_the_print_width() -> None:
    profile = variant("zpl-203", offset_x_dots=12, offset_y_dots=5)
    assert zpl.setup((800, 1440), profile) == b"^MNY\n^MMT\n^PW812\n^LL1440\n^LH12,5\n"


def test_bands_are_graphic_fields_at_successive_rows() -> None:
    profile = variant("zpl-203", max_band_bytes=25)
    image = noise((80, 7), seed=3)  # 10 bytes a row, 2 rows a band
    stream = zpl.encode_label(image, profile).data
    packed = image.tobytes("raw", "1;I")  # 1 = black
    expected = b"^XA\n" + zpl.setup(image.size, profile)
    for row in range(0, 7, 2):
        band = packed[row * 10 : (row + 2) * 10]
        expected += f"^FO0,{row}^GFA,{len(band)},{len(band)},10,".encode() + zpl.graphic_data(band, 10) + b"^FS\n"
    assert stream == expected + b"^PQ1\n^XZ\n"


def test_every_label_carries_its_setup() -> None:
    images = [line_art((608, 1040)), line_art((608, 1040), seed=5)]
    chunks = list(encode_job(images, get_profile("zpl-203")))
    assert all(chunk.startswith(b"^XA\n^MNY\n^MMT\n^PW608\n^LL1040\n") for chunk in chunks)


@pytest.mark.parametrize(("width", "offset_x"), [(833, 0), (800, 33)])
def test_too_wide_is_a_profile_error(width: int, offset_x: int) -> None:
    with pytest.raises(ProfileError, match=f"needs {width + offset_x} dots"):
        encode_label(Image.new("1", (width, 4), 255), variant("zpl-203", offset_x_dots=offset_x))


def test_a_profile_of_another_language_is_refused() -> None:
    with pytest.raises(ProfileError, match="speaks tspl, not ZPL"):
        zpl.encode_label(Image.new("1", (8, 8), 255), get_profile("tspl-203"))


# ── the graphic codecs ───────────────────────────────────────────────────────────────────────────────


def test_crc_is_crc16_xmodem() -> None:
    assert crc16(b"123456789") == 0x31C3  # the catalogue check value of CRC-16/XMODEM


def test_z64_is_zlib_in_base64_with_the_crc_of_the_text() -> None:
    data = bytes(range(256)) * 4
    field = z64(data)
    prefix, kind, text, crc = field.split(b":")
    assert (prefix, kind) == (b"", b"Z64")
    assert zlib.decompress(base64.b64decode(text)) == data
    assert int(crc, 16) == crc16(text)
    assert unz64(field) == data


def test_damaged_z64_is_refused() -> None:
    field = bytearray(z64(b"\x00\xff" * 100))
    field[10] = ord("A") if field[10] != ord("A") else ord("B")
    with pytest.raises(ValueError, match="CRC"):
        unz64(bytes(field))


@pytest.mark.parametrize(
    ("hex_data", "row_bytes", "expected"),
    [
        ("0000", 2, b","),  # a white row
        ("FFFF", 2, b"!"),  # a black row
        ("8000", 2, b"8,"),  # the rest of the row is white
        ("0FFF", 2, b"0!"),  # the rest of the row is black
        ("ABABABAB", 4, b"ABABABAB"),  # no run of three: as it is
        ("0FFFFF0F", 4, b"0KF0!"),  # K: 5 times; the last F fills the row
        ("0" + "E" * 38 + "0", 20, b"0gXE,"),  # 38 E: g (20) + X (18)
        ("0000000000000000", 4, b",:"),  # a row like the one before: ':'
    ],
)
def test_acs_rules(hex_data: str, row_bytes: int, expected: bytes) -> None:
    data = bytes.fromhex(hex_data)
    assert acs(data, row_bytes) == expected
    assert unacs(expected, row_bytes) == data


@pytest.mark.parametrize(("count", "letters"), [(3, "I"), (19, "Y"), (20, "g"), (39, "gY"), (400, "z"), (801, "zzG")])
def test_acs_repeat_counts_add_up(count: int, letters: str) -> None:
    row_bytes = (count + 1) // 2 + 1
    data = bytes.fromhex("A" * count + "0" * (2 * row_bytes - count))
    assert acs(data, row_bytes) == f"{letters}A,".encode()
    assert unacs(f"{letters}A,".encode(), row_bytes) == data


def test_acs_round_trips_dense_and_sparse_rasters() -> None:
    for image in (noise((203, 57), seed=7), line_art((608, 300), seed=8)):
        row_bytes, data = (image.width + 7) // 8, image.tobytes("raw", "1;I")
        assert unacs(acs(data, row_bytes), row_bytes) == data


def test_acs_bad_characters_are_refused() -> None:
    with pytest.raises(ValueError, match="not ACS"):
        unacs(b"00#0", 2)
    with pytest.raises(ValueError, match="previous row"):
        unacs(b":", 2)

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from escpos.printer import Dummy
from PIL import Image

from printers.encode import encode_job, encode_label, encode_labels, escpos
from printers.encode.raster import pack_black
from printers.errors import ProfileError
from printers.profiles import get_profile
from printers.testing import ink, naive_hazards, noise, variant

ESC_AT = bytes.fromhex("1b40")
GS_D_OFF = bytes.fromhex("1d284405001401000200")
GS_D_ON = bytes.fromhex("1d2844030014 0101")
GS_FF = bytes.fromhex("1d0c")
GS_V = bytes.fromhex("1d564100")
PRINT_GRAPHICS = bytes.fromhex("1d284c02003032")


def gs_v_0(row_bytes: int, rows: int) -> bytes:
    return bytes.fromhex("1d763000") + row_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")


def test_small_label_exact_bytes_on_receipt_printer() -> None:
    # 13 x 3: a dot at (0,0), a dot at (12,2); rows are 2 bytes, padded with white (0) bits.
    image = Image.new("1", (13, 3), 255)
    image.putpixel((0, 0), 0)
    image.putpixel((12, 2), 0)
    expected = ESC_AT + gs_v_0(2, 3) + bytes.fromhex("8000 0000 0008") + GS_V
    assert encode_label(image, get_profile("escpos-80mm")) == expected


def test_label_printer_wraps_raster_in_gs_d_and_feeds_to_gap() -> None:
    image = ink(bytes.fromhex("ff 00"), (8, 2))
    expected = ESC_AT + GS_D_OFF + gs_v_0(1, 2) + bytes.fromhex("ff 00") + GS_D_ON + GS_FF
    assert encode_label(image, get_profile("escpos-4inch")) == expected


@pytest.mark.parametrize(("label_end", "tail"), [("gap_feed", GS_FF), ("cut", GS_V), ("none", b"")])
def test_label_end_per_profile(label_end: str, tail: bytes) -> None:
    profile = variant("escpos-80mm", label_end=label_end)
    image = ink(b"\x81", (8, 1))
    assert encode_label(image, profile) == ESC_AT + gs_v_0(1, 1) + b"\x81" + tail


@pytest.mark.parametrize(
    ("black_bits", "size"),
    [
        (b"\xff", (8, 1)),  # all black: 1 bits
        (b"\x00", (8, 1)),  # all white: 0 bits
        (b"\xff\xf8", (13, 1)),  # 13 black dots, 3 padding bits stay white
        (b"\x80\x01\x55\xaa", (16, 2)),  # MSB is the leftmost dot
    ],
)
def test_polarity_one_bit_is_a_black_dot(black_bits: bytes, size: tuple[int, int]) -> None:
    image = ink(black_bits, size)
    assert (
        encode_label(image, get_profile("escpos-80mm"))
        == ESC_AT + gs_v_0((size[0] + 7) // 8, size[1]) + black_bits + GS_V
    )


def test_offsets_are_white_dots_left_and_white_rows_on_top() -> None:
    profile = variant("escpos-80mm", offset_x_dots=3, offset_y_dots=2)
    image = Image.new("1", (5, 1), 0)  # 5 black dots
    # x offset 3: row = 000 11111 → 0x1F; y offset 2: two white rows first.
    assert encode_label(image, profile) == ESC_AT + gs_v_0(1, 3) + bytes.fromhex("00 00 1f") + GS_V


def test_offset_spanning_bytes() -> None:
    profile = variant("escpos-80mm", offset_x_dots=12)
    image = ink(b"\xff\xc0", (10, 1))  # 10 black dots starting at x = 12
    assert encode_label(image, profile) == ESC_AT + gs_v_0(3, 1) + bytes.fromhex("00 0f fc") + GS_V


@pytest.mark.parametrize(
    ("name", "width", "offset_x"),
    [("escpos-80mm", 577, 0), ("escpos-80mm", 570, 7), ("escpos-4inch", 800, 33), ("escpos-4inch", 833, 0)],
)
def test_label_wider_than_the_head_is_a_profile_error(name: str, width: int, offset_x: int) -> None:
    profile = variant(name, offset_x_dots=offset_x)
    with pytest.raises(ProfileError, match=rf"label is {width} dots wide .* needs {width + offset_x} dots"):
        encode_label(Image.new("1", (width, 10), 255), profile)


@pytest.mark.parametrize(("name", "width", "offset_x"), [("escpos-80mm", 576, 0), ("escpos-4inch", 800, 32)])
def test_label_exactly_as_wide_as_the_head_fits(name: str, width: int, offset_x: int) -> None:
    profile = variant(name, offset_x_dots=offset_x)
    assert encode_label(Image.new("1", (width, 2), 255), profile).startswith(ESC_AT)


def test_wrong_language_and_wrong_mode() -> None:
    with pytest.raises(ProfileError, match="speaks tspl, not ESC/POS"):
        escpos.encode_label(Image.new("1", (8, 1), 255), get_profile("tspl-203"))
    with pytest.raises(ValueError, match="mode '1' image, not mode 'L'"):
        encode_label(Image.new("L", (8, 1), 255), get_profile("escpos-80mm"))


def test_bands_no_larger_than_max_band_bytes() -> None:
    image = Image.new("1", (800, 1440), 255)  # 100 bytes a row; 65,535 // 100 = 655 rows a band
    stream = encode_label(image, get_profile("escpos-4inch"))
    expected = ESC_AT + GS_D_OFF
    for rows in (655, 655, 130):
        expected += gs_v_0(100, rows) + bytes(100 * rows)
    assert stream == expected + GS_D_ON + GS_FF


@pytest.mark.parametrize("max_band_bytes", [1, 99, 100, 101, 1000, 143_999, 144_000, 10**6])
def test_band_sizes_cover_the_image(max_band_bytes: int) -> None:
    image = noise((96, 1500), seed=max_band_bytes)  # 12 bytes a row
    profile = variant("escpos-80mm", max_band_bytes=max(max_band_bytes, 12), label_end="none")
    stream = encode_label(image, profile)
    rows, pos = [], 2
    while pos < len(stream):
        assert stream[pos : pos + 4] == bytes.fromhex("1d763000")
        row_bytes = int.from_bytes(stream[pos + 4 : pos + 6], "little")
        count = int.from_bytes(stream[pos + 6 : pos + 8], "little")
        assert row_bytes == 12 and row_bytes * count <= max(max_band_bytes, 12)
        rows.append(count)
        pos += 8 + row_bytes * count
    assert sum(rows) == 1500 and pos == len(stream)
    assert all(count == rows[0] for count in rows[:-1])


def test_one_row_larger_than_the_band_limit_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="one row of 72 bytes exceeds max_band_bytes \\(50\\)"):
        encode_label(Image.new("1", (576, 2), 255), variant("escpos-80mm", max_band_bytes=50))


def test_graphics_uses_gs_8_l_with_a_32_bit_length() -> None:
    profile = variant("escpos-4inch", image_command="graphics", max_band_bytes=10**6)
    image = Image.new("1", (800, 1440), 255)  # 144,000 bytes: more than GS ( L's 16 bits can say
    stream = encode_label(image, profile)
    header = (
        bytes.fromhex("1d384c")
        + (10 + 144_000).to_bytes(4, "little")
        + bytes.fromhex("3070 30 0101 31")
        + (800).to_bytes(2, "little")
        + (1440).to_bytes(2, "little")
    )
    assert stream == ESC_AT + GS_D_OFF + header + bytes(144_000) + PRINT_GRAPHICS + GS_D_ON + GS_FF
    assert bytes.fromhex("1d284c") + ((10 + 144_000) % 65_536).to_bytes(2, "little") not in stream  # no wrap


def test_graphics_small_exact_and_banded() -> None:
    profile = variant("escpos-80mm", image_command="graphics", max_band_bytes=2)
    image = ink(bytes.fromhex("80 40 20"), (3, 3))  # 1 byte a row, 2 rows a band
    expected = ESC_AT
    for rows, data in ((2, "8040"), (1, "20")):
        expected += bytes.fromhex("1d384c") + (10 + rows).to_bytes(4, "little") + bytes.fromhex("30703001013108 00")
        expected += rows.to_bytes(2, "little") + bytes.fromhex(data) + PRINT_GRAPHICS
    assert encode_label(image, profile) == expected + GS_V


@pytest.mark.parametrize("size", [(1, 1), (13, 5), (64, 40), (200, 300), (576, 959)])
def test_raster_matches_python_escpos(size: tuple[int, int]) -> None:
    """python-escpos's GS v 0 for one fragment is right; ours must equal it (hazards aside)."""
    image = noise(size, seed=size[0])
    profile = variant("escpos-80mm", max_band_bytes=10**6, label_end="none")
    printer = Dummy()
    printer.image(image, impl="bitImageRaster", fragment_height=10**4)
    encoded = next(escpos.encode_job([image], profile))
    oracle = bytearray(ESC_AT + printer.output)
    for x, y in encoded.altered_dots:  # the dots we changed to defuse real-time commands
        oracle[2 + 8 + y * ((size[0] + 7) // 8) + x // 8] &= ~(0x80 >> (x % 8)) & 0xFF
    assert encoded.data == bytes(oracle)


def test_crafted_dle_eot_is_defused_on_a_printer_without_gs_d() -> None:
    image = ink(bytes.fromhex("10 04 01"), (24, 1))  # would be DLE EOT 1 inside the raster
    encoded = next(escpos.encode_job([image], get_profile("escpos-80mm")))
    assert encoded.data == ESC_AT + gs_v_0(3, 1) + bytes.fromhex("00 04 01") + GS_V
    assert encoded.altered_dots == ((3, 0),)  # the single dot of the 0x10 byte
    assert naive_hazards(encoded.data) == []


@pytest.mark.parametrize(
    ("data", "fixed"),
    [
        ("10 04 04", "00 04 04"),  # DLE EOT 4
        ("10 04 08", "00 04 08"),  # DLE EOT 8 (peeler status on some models)
        ("10 05 00", "00 05 00"),  # DLE ENQ 0
        ("10 05 02", "00 05 02"),  # DLE ENQ 2
        ("10 14 01", "00 14 01"),  # DLE DC4 fn 1 (pulse)
        ("10 14 08", "00 14 08"),  # DLE DC4 fn 8 (clear buffer)
        ("10 14 ff", "00 14 ff"),  # DLE DC4, any function
        ("10 10 04 01", "10 00 04 01"),  # only the DLE that starts the command changes
        ("00 10 04 03", "00 00 04 03"),
        ("10 05 10 04 01", "00 05 00 04 01"),  # clearing the DLE EOT makes DLE ENQ 0: cleared too
        ("10 04 00", "10 04 00"),  # DLE EOT 0 and 12 are not commands: left alone
        ("10 04 0c", "10 04 0c"),
        ("10 05 05", "10 05 05"),
        ("04 10 20", "04 10 20"),  # 10 then 20: harmless
    ],
)
def test_every_hazard_is_defused_without_gs_d(data: str, fixed: str) -> None:
    size = len(bytes.fromhex(data))
    stream = encode_label(ink(bytes.fromhex(data), (8 * size, 1)), get_profile("escpos-80mm"))
    assert stream == ESC_AT + gs_v_0(size, 1) + bytes.fromhex(fixed) + GS_V


def test_gs_d_profile_keeps_dle_dc4_wrapped_but_still_defuses_dle_eot() -> None:
    """GS ( D disables DLE DC4 fn 1 and 2 only; DLE EOT / DLE ENQ cannot be disabled."""
    profile = get_profile("escpos-4inch")
    image = ink(bytes.fromhex("10 14 01 10 14 02 10 04 01 10 14 03"), (96, 1))
    encoded = next(escpos.encode_job([image], profile))
    body = gs_v_0(12, 1) + bytes.fromhex("10 14 01 10 14 02 00 04 01 00 14 03")
    assert encoded.data == ESC_AT + GS_D_OFF + body + GS_D_ON + GS_FF
    assert encoded.altered_dots == ((6 * 8 + 3, 0), (9 * 8 + 3, 0))
    assert naive_hazards(encoded.data, dc4_disabled=True) == []


def test_band_header_never_forms_a_real_time_command() -> None:
    # 1 byte a row and 1,040 rows a band would write yL yH = 10 04, and the first data byte 01 makes
    # it DLE EOT 1.
    profile = variant("escpos-80mm", max_band_bytes=1040, label_end="none")
    image = Image.new("1", (8, 2000), 255)
    image.putpixel((7, 0), 0)
    stream = encode_label(image, profile)
    assert stream[:11] == ESC_AT + gs_v_0(1, 1039) + b"\x01"
    assert naive_hazards(stream) == []
    image.putpixel((7, 0), 255)  # 10 04 00 is not a command: the band keeps its 1,040 rows
    assert encode_label(image, profile)[:10] == ESC_AT + gs_v_0(1, 1040)


def test_hazard_across_a_row_boundary_is_defused_too() -> None:
    stream = encode_label(ink(bytes.fromhex("00 10 04 02"), (16, 2)), get_profile("escpos-80mm"))
    assert stream == ESC_AT + gs_v_0(2, 2) + bytes.fromhex("00 00 04 02") + GS_V


def test_dle_eot_cut_off_at_the_end_of_a_band_is_defused() -> None:
    profile = variant("escpos-80mm", max_band_bytes=2, label_end="none")
    stream = encode_label(ink(bytes.fromhex("10 04 00 00"), (16, 2)), profile)
    assert stream == ESC_AT + gs_v_0(2, 1) + bytes.fromhex("00 04") + gs_v_0(2, 1) + bytes.fromhex("00 00")


@pytest.mark.parametrize("name", ["escpos-80mm", "escpos-4inch"])
@pytest.mark.parametrize("graphics", [False, True])
def test_noise_leaves_no_real_time_command_in_the_stream(name: str, graphics: bool) -> None:
    profile = variant(name, image_command="graphics" if graphics else "raster", max_band_bytes=4000)
    images = [noise((576, 700), seed=seed) for seed in range(3)]
    encoded = list(escpos.encode_job(images, profile))
    stream = b"".join(label.data for label in encoded)
    assert naive_hazards(stream, dc4_disabled=profile.realtime_disable) == []
    assert sum(len(label.altered_dots) for label in encoded) > 0  # noise does carry hazards


def test_altered_dots_are_exactly_the_hazards_of_the_raster() -> None:
    image = noise((800, 1440), seed=7)
    profile = variant("escpos-4inch", realtime_disable=False, max_band_bytes=10**6)
    _, packed = pack_black(image)
    oracle = [((i % 100) * 8 + 3, i // 100) for i in naive_hazards(packed)]
    encoded = next(escpos.encode_job([image], profile))
    assert list(encoded.altered_dots) == oracle and oracle


def test_job_sends_esc_at_once_and_is_a_stream() -> None:
    taken = []

    def labels() -> Iterator[Image.Image]:
        for index in range(3):
            taken.append(index)
            yield ink(bytes([0x80 >> index]), (8, 1))

    chunks = encode_job(labels(), get_profile("escpos-80mm"))
    first = next(chunks)
    assert taken == [0]  # the second label has not been looked at yet
    assert first == ESC_AT + gs_v_0(1, 1) + b"\x80" + GS_V
    assert list(chunks) == [gs_v_0(1, 1) + b"\x40" + GS_V, gs_v_0(1, 1) + b"\x20" + GS_V]
    assert list(encode_labels([], get_profile("escpos-80mm"))) == []


@pytest.mark.parametrize(("width", "height"), [(1, 37), (7, 37), (8, 37), (9, 37), (13, 37), (576, 37), (803, 37)])
def test_numpy_and_pillow_packers_agree(width: int, height: int) -> None:
    image = noise((width, height), seed=width)
    assert pack_black(image, left=width % 5) == pack_black(image, left=width % 5, use_numpy=False)
    rng = random.Random(width)
    art = Image.new("1", (width, 5), 255)
    for _ in range(width):
        art.putpixel((rng.randrange(width), rng.randrange(5)), 0)
    assert pack_black(art) == pack_black(art, use_numpy=False)


@pytest.mark.parametrize("size", [(800, 1440), (1181, 2126), (3, 100_000), (70_000, 5)])
def test_packing_in_strips_joins_up(size: tuple[int, int]) -> None:
    """Tall images are packed in strips of rows; wide ones a row at a time."""
    image = noise(size, seed=size[1])
    assert pack_black(image) == pack_black(image, use_numpy=False)

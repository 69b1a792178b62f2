from __future__ import annotations

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageChops

from printers.decode import Command, Decoder, decode, detect_language
from printers.profiles import get_profile
from printers.testing import ink, line_art, noise

ESC_AT = bytes.fromhex("1b40")


def raster(black_bits: bytes, row_bytes: int, rows: int, mode: int = 0) -> bytes:
    return bytes([0x1D, 0x76, 0x30, mode]) + row_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little") + black_bits


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.mode == b.mode == "1" and a.size == b.size and a.tobytes() == b.tobytes()


def test_gs_v_0_bands_stack_into_one_label_per_label_end() -> None:
    stream = (
        ESC_AT
        + raster(b"\x80", 1, 1)
        + raster(b"\x01\x00\xff\xff", 2, 2)
        + bytes.fromhex("1d0c")  # GS FF
        + raster(b"\xf0", 1, 1)
        + bytes.fromhex("1d564100")  # GS V A 0
        + raster(b"\x0f", 1, 1)
        + b"\x0c"  # FF
    )
    result = decode(stream)
    assert result.language == "escpos" and result.unknown == []
    assert [label.ending for label in result.labels] == ["GS FF", "GS V", "FF"]
    first = result.labels[0].image
    assert first.size == (16, 3)
    assert same(first, ink(bytes.fromhex("80 00 01 00 ff ff"), (16, 3)))
    assert same(result.labels[1].image, ink(b"\xf0", (8, 1)))
    assert [(label.start, label.end) for label in result.labels] == [(0, 25), (25, 38), (38, 48)]


def test_head_width_from_the_profile() -> None:
    result = decode(raster(b"\xff", 1, 1) + bytes.fromhex("1d0c"), profile=get_profile("escpos-80mm"))
    image = result.labels[0].image
    assert image.size == (576, 1)
    assert image.getpixel((7, 0)) == 0 and image.getpixel((8, 0)) == 255


@pytest.mark.parametrize(("mode", "size"), [(0, (8, 2)), (1, (16, 2)), (2, (8, 4)), (3, (16, 4)), (51, (16, 4))])
def test_gs_v_0_double_modes(mode: int, size: tuple[int, int]) -> None:
    image = decode(raster(b"\x80\x01", 1, 2, mode) + b"\x0c").labels[0].image
    assert image.size == size
    assert image.getpixel((0, 0)) == 0 and image.getpixel((size[0] - 1, size[1] - 1)) == 0


@pytest.mark.parametrize("impl", ["bitImageRaster", "graphics", "bitImageColumn"])
@pytest.mark.parametrize("size", [(13, 5), (64, 24), (100, 50)])
def test_decodes_what_python_escpos_sends(impl: str, size: tuple[int, int]) -> None:
    """python-escpos as an independent producer of GS v 0, GS ( L fn 112/50 and ESC * 24-dot images."""
    image = line_art(size, seed=size[0])
    printer = Dummy()
    printer.image(image, impl=impl)
    result = decode(printer.output + b"\x0c")
    decoded = result.labels[0].image
    assert decoded.height >= size[1]  # ESC * strips are 24 dots tall, GS v 0 rows whole bytes
    on_white = Image.new("1", decoded.size, 255)
    on_white.paste(image, (0, 0))
    assert same(decoded, on_white)
    assert result.unknown == []


def test_esc_star_8_dot_single_density_is_scaled() -> None:
    # ESC * 0: 8-dot single density, 2 columns: 2x wide, 3x tall on a 203 dpi head.
    stream = ESC_AT + bytes.fromhex("1b2a 00 0200 80 01") + b"\n" + b"\x0c"
    image = decode(stream).labels[0].image
    assert image.size == (4, 24)
    assert image.getpixel((0, 0)) == 0 and image.getpixel((1, 2)) == 0 and image.getpixel((0, 3)) == 255
    assert image.getpixel((2, 21)) == 0 and image.getpixel((3, 23)) == 0 and image.getpixel((2, 20)) == 255


def test_gs_8_l_graphics_with_32_bit_length() -> None:
    image = noise((800, 200), seed=5)
    data = image.tobytes("raw", "1;I")
    store = (
        bytes.fromhex("1d384c")
        + (10 + len(data)).to_bytes(4, "little")
        + bytes.fromhex("3070300101 31")
        + (800).to_bytes(2, "little")
        + (200).to_bytes(2, "little")
    )
    stream = ESC_AT + store + data + bytes.fromhex("1d284c02003032") + bytes.fromhex("1d0c")
    labels = decode(stream).labels
    assert len(labels) == 1 and same(labels[0].image, image)


def test_graphics_scale_and_odd_width() -> None:
    store = bytes.fromhex("1d284c 0c00 3070 30 02 01 31 0a00 0100 ffc0")  # 10 dots wide, x2 wide
    image = decode(store + bytes.fromhex("1d284c02003032") + b"\x0c").labels[0].image
    assert image.size == (20, 1) and image.getbbox() is None  # all black: no white pixel
    assert ImageChops.invert(image).getbbox() == (0, 0, 20, 1)


def test_unknown_commands_are_listed_with_offsets() -> None:
    stream = (
        ESC_AT  # 0
        + b"Hello"  # 2: text
        + bytes.fromhex("1bff")  # 7: unknown ESC
        + bytes.fromhex("1d6b 04")
        + b"123\x00"  # 9: barcode, not rendered
        + bytes.fromhex("02")  # 16: stray control byte
        + raster(b"\xff", 1, 1)  # 17
        + bytes.fromhex("1d28 6b 0300 315130")  # 26: GS ( k, not rendered
        + bytes.fromhex("1d0c")
    )
    result = decode(stream)
    assert [(u.offset, u.reason) for u in result.unknown] == [
        (2, "text (not rendered)"),
        (7, "unknown command ESC 0xFF"),
        (9, "GS k barcode (not rendered)"),
        (16, "control byte"),
        (26, "GS ( k 2D symbol (not rendered)"),
    ]
    assert str(result.unknown[0]) == "offset 2: text (not rendered) [48 65 6c 6c 6f]"
    assert len(result.labels) == 1


def test_known_non_image_commands_are_skipped_silently() -> None:
    stream = (
        ESC_AT
        + bytes.fromhex("1d284405001401000200")  # GS ( D
        + bytes.fromhex("100401 100402 100501 1014 01 00 01")  # DLE EOT 1, DLE EOT 2, DLE ENQ 1, DLE DC4 fn 1
        + bytes.fromhex("1d6102")  # GS a 2
        + bytes.fromhex("1b6101 1b3318 1b32 1b4a10 1b6403 0a 0d")  # ESC a, ESC 3, ESC 2, ESC J, ESC d, LF, CR
        + bytes.fromhex("1d4c1000 1d5700 02")  # GS L, GS W
        + raster(b"\xaa", 1, 1)
        + bytes.fromhex("1d28480600303031323334")  # GS ( H fn 48: acknowledge "1234"
        + bytes.fromhex("1d564100")
    )
    seen: list[Command] = []
    decoder = Decoder(on_command=seen.append)
    labels = decoder.feed(stream) + decoder.finish()
    assert decoder.unknown == [] and len(labels) == 1
    names = [command.name for command in seen]
    assert names == [
        "ESC @", "GS ( D", "DLE EOT", "DLE EOT", "DLE ENQ", "DLE DC4", "GS a", "ESC a", "ESC 3", "ESC 2",
        "ESC J", "ESC d", "LF", "CR", "GS L", "GS W", "GS v 0", "GS ( H", "GS V",
    ]  # fmt: skip
    ack = seen[names.index("GS ( H")]
    assert ack.raw[-4:] == b"1234" and ack.offset == stream.index(bytes.fromhex("1d2848"))


def test_blank_feed_gives_no_label_and_unterminated_label_ends_with_the_stream() -> None:
    result = decode(ESC_AT + bytes.fromhex("1d0c") + raster(b"\x81", 1, 1))
    assert [label.ending for label in result.labels] == ["end of stream"]
    assert result.labels[0].index == 1


def test_truncated_command_is_reported() -> None:
    stream = ESC_AT + raster(b"\x81", 1, 1) + b"\x0c" + raster(b"\xff" * 3, 1, 5)
    result = decode(stream)
    assert len(result.labels) == 1
    assert [(u.offset, u.reason) for u in result.unknown] == [(12, "truncated command at the end of the stream")]


@pytest.mark.parametrize(
    ("prefix", "language"),
    [
        (b"SIZE 100 mm,180 mm\r\n", "tspl"),
        (b"\r\nCLS\r\n", "tspl"),
        (b"\x1b!?" + b"SIZE 4,6\r\n", "tspl"),
        (b"~!T" + b"GAP 0,0\r\n", "tspl"),
        (ESC_AT, "escpos"),
        (b"\x1b!\x08Hello\n", "escpos"),  # ESC ! n then text: a receipt
        (b"\x1d\x76\x30\x00", "escpos"),
        (b"HELLO WORLD\n", "escpos"),
        (b"^XA\n^PW800\n", "zpl"),
        (b"\r\n~HS", "zpl"),
        (b"^xa", "zpl"),
    ],
)
def test_detect_language(prefix: bytes, language: str) -> None:
    assert detect_language(prefix) == language


@pytest.mark.parametrize("prefix", [b"", b"\r\n", b"SIZ", b"\x1b", b"\x1b!", b"^", b"\n~"])
def test_detect_language_waits_for_enough_bytes(prefix: bytes) -> None:
    assert detect_language(prefix) is None
    assert detect_language(prefix, final=True) is not None


def tspl_bitmap(x: int, y: int, row_bytes: int, rows: int, mode: int, raw: bytes) -> bytes:
    return f"BITMAP {x},{y},{row_bytes},{rows},{mode},".encode() + raw + b"\r\n"


def test_tspl_bitmaps_modes_copies_and_buffer_kept_after_print() -> None:
    stream = (
        b"SIZE 2 mm,0.5 mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 0,0\r\nCLS\r\n"
        + tspl_bitmap(0, 0, 1, 1, 0, b"\x0f")  # dots 0-3 black
        + tspl_bitmap(0, 0, 1, 1, 1, b"\xf0")  # OR: dots 4-7 black too
        + tspl_bitmap(0, 1, 2, 1, 0, b"\x00\xff")
        + tspl_bitmap(0, 1, 1, 1, 2, b"\x0f")  # XOR: dots 0-3 of row 1 turn white
        + b"PRINT 2,3\r\n"
        + b"PRINT 1\r\n"  # the image buffer is printed again
        + b'CLS\r\nTEXT 10,10,"3",0,1,1,"hi"\r\nPRINT 1,1\r\n'
    )
    result = decode(stream, profile=get_profile("tspl-203"))
    assert result.language == "tspl"
    first, again, blank = result.labels
    assert first.image.size == (16, 4) and first.copies == 6 and again.copies == 1
    expected = Image.new("1", (16, 4), 255)
    for x in range(8):
        expected.putpixel((x, 0), 0)
    for x in range(4, 8):
        expected.putpixel((x, 1), 0)
    assert same(first.image, expected) and same(again.image, expected)
    assert blank.image.getbbox() is not None and ImageChops.invert(blank.image).getbbox() is None  # all white
    assert [(u.reason, u.data[:4]) for u in result.unknown] == [('font "3" is not resident (not rendered)', b"TEXT")]


def test_tspl_size_in_inches_and_without_profile() -> None:
    stream = b"SIZE 1,0.5\r\nCLS\r\n" + tspl_bitmap(3, 2, 1, 1, 0, b"\x7f") + b"PRINT 1,1\r\n"
    with_profile = decode(stream, profile=get_profile("tspl-203")).labels[0].image
    assert with_profile.size == (203, 102)  # 25.4 mm x 12.7 mm at 8 dots/mm
    without = decode(stream).labels[0].image
    assert without.size == (11, 3) and without.getpixel((3, 2)) == 0 and without.getpixel((4, 2)) == 255


def test_tspl_unknown_and_truncated() -> None:
    stream = b"SIZE 10 mm,5 mm\r\nFROB 1\r\nCLS\r\nBITMAP 0,0,2,2,0,\x00\x00"
    result = decode(stream)
    assert [(u.offset, u.reason) for u in result.unknown] == [(17, "unknown command"), (30, "truncated BITMAP")]
    assert result.labels == []


def test_tspl_last_line_without_newline() -> None:
    stream = b"CLS\r\n" + tspl_bitmap(0, 0, 1, 1, 0, b"\x00") + b"PRINT 1,1"
    assert len(decode(stream, "tspl").labels) == 1


def test_forced_language() -> None:
    stream = b"CLS\r\n" + tspl_bitmap(0, 0, 1, 1, 0, b"\x00") + b"PRINT 1,1\r\n"
    result = decode(stream, "escpos")
    assert result.language == "escpos" and result.labels == [] and result.unknown


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1000, 65536])
@pytest.mark.parametrize("language", ["escpos", "tspl"])
def test_feeding_in_chunks_gives_the_same_labels(chunk: int, language: str) -> None:
    from printers.encode import encode_job

    profile = get_profile("escpos-4inch" if language == "escpos" else "tspl-203")
    images = [line_art((200, 90), seed=1), noise((200, 90), seed=2)]
    stream = b"".join(encode_job(images, profile)) + b"\x1b!?"
    whole = decode(stream, profile=profile)
    decoder = Decoder(profile=profile)
    labels = []
    for start in range(0, len(stream), chunk):
        labels += decoder.feed(stream[start : start + chunk])
        if start == 0 and chunk >= len(stream):
            assert len(labels) == 2
    labels += decoder.finish()
    assert decoder.language == language and decoder.offset == len(stream)
    assert [(label.start, label.end, label.ending) for label in labels] == [
        (label.start, label.end, label.ending) for label in whole.labels
    ]
    assert all(same(a.image, b.image) for a, b in zip(labels, whole.labels, strict=True))
    assert decoder.unknown == whole.unknown == []


def test_labels_come_out_as_soon_as_they_end() -> None:
    decoder = Decoder()
    assert decoder.feed(ESC_AT + raster(b"\xff", 1, 1)) == []
    assert len(decoder.feed(b"\x1d")) == 0
    assert len(decoder.feed(b"\x0c")) == 1
    assert decoder.finish() == []
    with pytest.raises(ValueError, match="finished"):
        decoder.feed(b"\x00")

"""The ZPL side of the decoder and of the status: ^GF fields back to labels, ~HS answers to PrinterStatus."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from printers.decode import Decoder, decode
from printers.encode.zpl_graphics import acs, z64
from printers.languages.zpl import ZplResponses, host_status, parse_host_status
from printers.status import PrinterStatus, StatusReply
from printers.testing import ink
from tests.waybill.labels import decoded_code128
from waybill.fonts import load_font
from waybill.fonts.cells import ANMDS, resident_font
from waybill.layout.codes import code128_symbol, code128_values
from waybill.render.cells import text_mask

WHITE_4x2 = b"^FO0,0^GFA,2,2,1,,:^FS"  # a 4-dot wide, 2-row white graphic (ACS: white row, same again)


def graphic(x: int, y: int, black_bits: bytes, row_bytes: int, compressed: str = "acs") -> bytes:
    data = acs(black_bits, row_bytes) if compressed == "acs" else z64(black_bits)
    return f"^FO{x},{y}^GFA,{len(black_bits)},{len(black_bits)},{row_bytes},".encode() + data + b"^FS"


def test_graphics_land_at_label_home_plus_field_origin_and_black_wins() -> None:
    stream = (
        b"^XA^PW32^LL4^LH8,1"
        + graphic(0, 0, b"\xf0\x00", 1)  # 4 black dots on row 0
        + graphic(2, 0, b"\x00\x00", 1, "z64")  # white over them: nothing erased
        + graphic(16, 2, b"\x81", 1, "z64")
        + b"^PQ3^XZ"
    )
    (label,) = decode(stream).labels
    assert label.language == "zpl" and label.copies == 3 and label.ending == "^XZ"
    assert (label.start, label.end) == (0, len(stream))
    expected = Image.new("1", (32, 4), 255)
    for x in range(8, 12):
        expected.putpixel((x, 1), 0)
    expected.putpixel((24, 3), 0)
    expected.putpixel((31, 3), 0)
    assert label.image.tobytes() == expected.tobytes()


def test_print_width_and_length_set_the_label_size_and_last_across_formats() -> None:
    result = decode(b"^XA^PW40^LL16^XZ\n^XA" + WHITE_4x2 + b"^XZ")
    assert [label.image.size for label in result.labels] == [(40, 16), (40, 16)]
    assert result.labels[1].start == result.labels[0].end


def test_in_chunks_of_any_size() -> None:
    stream = b"^XA^PW16^LL5\n" + graphic(0, 0, bytes.fromhex("8000000000FFFF0F0F00"), 2) + b"\n^PQ1\n^XZ\n" * 1
    whole = decode(stream).labels[0].image.tobytes()
    for size in (1, 2, 3, 7):
        decoder = Decoder()
        labels = []
        for start in range(0, len(stream), size):
            labels += decoder.feed(stream[start : start + size])
        labels += decoder.finish()
        assert [label.image.tobytes() for label in labels] == [whole] and decoder.unknown == []
    assert whole == ink(bytes.fromhex("8000000000FFFF0F0F00"), (16, 5)).tobytes()


def test_fields_it_cannot_draw_and_unknown_commands_are_reported() -> None:
    stream = (
        b"^XA^PW8^LL8^FO10,10^A0N,30,30^FDHello^FS^FO0,0^BCN,100^FD123^FS^FO1,1^B3N,N,50^FD1^FS"
        b"^FO2,2^FB100^A0N,24^FDx^FS^ZZ1~ZQ^XZ"
    )
    result = decode(stream)
    assert len(result.labels) == 1
    reasons = [(stream[u.offset : u.offset + 7], u.reason) for u in result.unknown]
    assert reasons == [
        (b"^FO10,1", "text 30x30 dots is not whole 24-dot cells (1-10) (not rendered)"),
        (b"^FO0,0^", "^BC with an interpretation line (not rendered)"),
        (b"^B3N,N,", "^B3 (not rendered)"),
        (b"^FB100^", "^FB (not rendered)"),
        (b"^ZZ1~ZQ", "unknown command"),
        (b"~ZQ^XZ", "unknown command"),
    ]
    assert result.unknown[0].data == b"^FO10,10^A0N,30,30^FDHello"  # the field, reported where it starts


def test_boxes_white_boxes_and_reversed_fields_paint_in_stream_order() -> None:
    stream = b"^XA^PW8^LL2^FO0,0^GB8,2,2^FS^FO2,0^GB2,2,2,W^FS^FO4,0^FR^GB4,1,1^FS^FO1,1^FR^GB2,1,1^FS^XZ"
    (label,) = decode(stream).labels
    assert label.image.tobytes() == bytes([0b00111111, 0b01010000])  # 1 = white


def test_text_by_font_name_or_its_cw_letter_with_hex_escapes() -> None:
    font = resident_font(ANMDS, load_font())
    named = "^XA^PW36^LL24^CI28^FO0,0^A@N,24,24,E:ANMDS.TTF^FD收^FS^XZ".encode()
    lettered = "^XA^PW36^LL24^CI28^CW1,E:ANMDS.TTF^FO0,0^A1N,24,24^FH^FD收_5E^FS^XZ".encode()
    for stream, text in ((named, "收"), (lettered, "收^")):
        expected = Image.new("1", (36, 24), 255)
        mask = text_mask(font, text)
        expected.paste(0, (0, 0, mask.width, 24), mask)
        assert decode(stream).labels[0].image.tobytes() == expected.tobytes()


@pytest.mark.parametrize(("bar_height", "top"), [(10, 30), (1, 21)])
def test_a_qr_code_sinks_by_the_bar_code_height_in_force(bar_height: int, top: int) -> None:
    stream = f"^XA^PW60^LL80^BY2,3,{bar_height}^FO5,20^BQN,2,2^FDMA,SF1^FS^XZ".encode()
    (label,) = decode(stream).labels
    ink = ImageChops.invert(label.image).getbbox()
    assert ink is not None and ink[:2] == (5, top)


def test_code128_in_mode_n_draws_the_code_values_named() -> None:
    stream = b"^XA^PW400^LL60^BY2^FO20,10^BCN,40,N,N,N,N^FD>:SF1>5000731000000^FS^XZ"
    (label,) = decode(stream).labels
    assert decoded_code128(label.image) == ["SF1000731000000"]
    modules = code128_symbol(code128_values("SF1000731000000"))
    row = [label.image.getpixel((x, 10)) for x in range(18, 22 + 2 * len(modules))]
    assert row == [255, 255] + [0 if module == "1" else 255 for module in modules for _ in (0, 1)] + [255, 255]


# ── ~HS ──────────────────────────────────────────────────────────────────────────────────────────────

# A printer out of paper, paused, head up, thermal transfer without ribbon, two formats waiting.
ANSWER = b"\x02030,1,1,1440,002,0,0,0,000,0,0,0\x03\r\n\x02001,0,1,1,1,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"


def test_host_status_fields() -> None:
    parser = ZplResponses()
    parser.expect(0)
    (reply,) = parser.feed(ANSWER)
    assert reply == StatusReply(
        PrinterStatus(paper_end=True, paused=True, head_open=True, ribbon_out=True, printing=True)
    )
    assert parser.surplus == bytearray()


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("030,0,0,1440,000,1,0,0,000,0,0,0", "001,0,0,0,0,2,6,0,00000000,1,000", PrinterStatus(buffer_full=True)),
        ("030,0,0,1440,000,0,0,0,000,0,0,1", "001,0,0,0,0,2,6,0,00000000,1,000", PrinterStatus(recoverable_error=True)),
        ("030,0,0,1440,000,0,0,0,000,0,0,0", "001,0,0,1,0,2,6,0,00000000,1,000", PrinterStatus()),  # direct thermal
        ("030,0,0,1440,000,0,0,0,000,0,0,0", "001,0,0,0,0,2,6,0,00000002,1,000", PrinterStatus(printing=True)),
        ("030,0,0,1440,000,0,0,1,000,0,0,0", "001,0,0,0,0,2,6,0,00000000,1,000", PrinterStatus(printing=True)),
    ],
)
def test_host_status_flags(first: str, second: str, status: PrinterStatus) -> None:
    assert parse_host_status(first.split(","), second.split(",")) == status


@pytest.mark.parametrize(
    "status",
    [
        PrinterStatus(),
        PrinterStatus(printing=True),
        PrinterStatus(paper_end=True, paused=True),
        PrinterStatus(head_open=True, ribbon_out=True, buffer_full=True, recoverable_error=True),
    ],
)
def test_what_the_simulator_answers_parses_back(status: PrinterStatus) -> None:
    parser = ZplResponses()
    parser.expect(0)
    replies = [reply for byte in host_status(status) for reply in parser.feed(bytes((byte,)))]  # byte by byte
    assert replies == [StatusReply(status)] and parser.surplus == bytearray()


def test_what_no_query_explains_is_surplus() -> None:
    parser = ZplResponses()
    assert parser.feed(b"HTTP/1.1 400 Bad Request\r\n") == []
    assert parser.surplus.startswith(b"HTTP/1.1")

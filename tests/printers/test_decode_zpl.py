"""The ZPL side of the decoder and of the status: ^GF fields back to labels, ~HS answers to PrinterStatus."""

from __future__ import annotations

import pytest
from PIL import Image

from printers.decode import Decoder, decode
from printers.encode.zpl_graphics import acs, z64
from printers.languages.zpl import ZplResponses, host_status, parse_host_status
from printers.status import PrinterStatus, StatusReply
from printers.testing import ink

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


def test_text_barcodes_and_unknown_commands_are_reported() -> None:
    stream = b"^XA^PW8^LL8^FO10,10^A0N,30,30^FDHello^FS^BCN,100^FD123^FS^ZZ1~ZQ^XZ"
    result = decode(stream)
    assert len(result.labels) == 1
    reasons = [(stream[u.offset : u.offset + 3], u.reason) for u in result.unknown]
    assert reasons == [
        (b"^A0", "^A0 (not rendered)"),
        (b"^FD", "^FD (not rendered)"),
        (b"^BC", "^BC (not rendered)"),
        (b"^FD", "^FD (not rendered)"),
        (b"^ZZ", "unknown command"),
        (b"~ZQ", "unknown command"),
    ]


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        (b"^GFA,4,4,2,:Z64:eJxjYGBgAAAABAAB:0000", "CRC"),
        (b"^GFA,4,4,2,FF", "holds 2 bytes, its header says 4"),
        (b"^GFA,2,2,1,#1", "not ACS"),
        (b"^GFB,2,2,1,xy", "^GFB (not rendered)"),
        (b"^GFA,2", "malformed ^GF"),
    ],
)
def test_bad_graphic_fields_are_reported_not_drawn(field: bytes, reason: str) -> None:
    result = decode(b"^XA^PW8^LL2" + field + b"^FS^XZ")
    assert [label.image.getextrema() for label in result.labels] == [(255, 255)]
    (unknown,) = result.unknown
    assert reason in unknown.reason


def test_a_format_without_xz_is_not_a_label() -> None:
    assert decode(b"^XA^PW8^LL2" + WHITE_4x2).labels == []


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

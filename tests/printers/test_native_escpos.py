"""Printer-native ESC/POS labels (page mode on a Chinese model): the exact bytes, and for every built-in
template the round trip layout → page-mode commands → the simulator's drawing, dot for dot the same as the
preview, scanning back to the waybill number, with masked phones only."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printers.decode import Command, Decoder, crop_label, decode
from printers.decode.escpos_page import code128_values_of
from printers.encode import encode_label_for_session
from printers.encode.realtime import find_hazards
from printers.errors import ProfileError
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.layout_fonts import layout_font
from printers.profiles import get_profile, load_profiles
from printers.simulator import PrinterSimulator
from tests.printers.native import cells, native_labels, same
from tests.waybill.labels import NOW, SAMPLE_ORDERS, SAMPLE_SHOP, TEMPLATES, decoded_code128, sample_orders
from waybill.app.cli import main
from waybill.database import open_database
from waybill.fonts import load_font
from waybill.fonts.cells import GB24, TSS24, resident_font
from waybill.layout.codes import code128_mark, code128_values, qr_mark
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.label import Barcode, Label, Rect, TextRun
from waybill.privacy import mask_phone
from waybill.render.raster import rasterize
from waybill.template import load_template

NATIVE = get_profile("escpos-4inch-native")
ESC, FS, GS = b"\x1b", b"\x1c", b"\x1d"


def w(*values: int) -> bytes:
    return b"".join(value.to_bytes(2, "little") for value in values)


def block(left: int, width: int, top: int, height: int) -> bytes:
    """A 12 × 24 user-defined cell, column by column, black in the block."""
    column = sum(1 << (23 - row) for row in range(top, top + height)).to_bytes(3, "big")
    return bytes([12]) + b"".join(column if left <= c < left + width else bytes(3) for c in range(12))


def strip_bytes(image: Image.Image, box: tuple[int, int, int, int]) -> bytes:
    """ESC * 33 data of the preview's black dots in ``box`` (24 rows): 3 bytes a column, top dot first."""
    part = image.crop(box)
    columns = []
    for x in range(part.width):
        bits = sum(1 << (23 - y) for y in range(24) if part.getpixel((x, y)) == 0)
        columns.append(bits.to_bytes(3, "big"))
    return b"".join(columns)


def printed_text(data: bytes) -> str:
    """Every character the printer was sent as text (GB18030, Chinese character mode)."""
    texts: list[str] = []

    def seen(command: Command) -> None:
        if command.name == "text":
            texts.append(command.raw.decode("gb18030"))

    decoder = Decoder("escpos", NATIVE, on_command=seen)
    decoder.feed(data)
    decoder.finish()
    return "".join(texts)


def gs_k_data(data: bytes) -> list[bytes]:
    found, start = [], 0
    while (start := data.find(GS + b"kI", start)) >= 0:
        length = data[start + 3]
        found.append(data[start + 4 : start + 4 + length])
        start += 4 + length
    return found


def test_the_encoder_bytes_exactly() -> None:
    font = cells(GB24)
    barcode = code128_mark("SF1", 8, 130, 300, 40, [2])
    upright = code128_mark("SF1", 330, 10, 40, 200, [2], vertical=True)
    qr = qr_mark("SF1", 250, 170, 60)
    label = Label(
        "SF1", "O1", 1, 1, 50.0, 30.0, 400, 240, 8.0, font,
        (
            Rect(0, 0, 400, 2),
            Rect(390, 220, 2, 20),  # a short rule at the corner: its cell is moved to stay in the area
            TextRun(16.4, 60, 24, '收 "A"'),
            TextRun(20, 110, 48, "粗", bold=True),
            Rect(100, 30, 40, 40),  # an inverse element's black box
            TextRun(104, 62, 24, "寄", bold=True, white=True),
            TextRun(160, 60, 24, "AB"),  # two cells of one pick-list row: spaces bridge the gap exactly
            TextRun(208, 60, 24, "中"),
            TextRun(233, 60, 24, "C"),  # one dot off the grid: a command of its own
            barcode,
            upright,
            qr,
        ),
    )  # fmt: skip
    encoded = encode_label_for_session(label, NATIVE)
    gb = {char: char.encode("gb18030") for char in "收粗中"}
    preview = rasterize(label)
    assert code128_values("SF1") == [104, 51, 38, 17]
    assert (qr.x, qr.y, qr.module, qr.size) == (259, 179, 2, 42)
    assert encoded.data == (
        ESC + b"&\x03\x21\x25"  # rule cells ! " # $ %
        + block(0, 12, 0, 2) + block(2, 2, 4, 20) + block(0, 12, 0, 8) + block(0, 4, 0, 24) + block(0, 11, 0, 24)
        + ESC + b"L" + GS + b"P\xcb\xcb" + ESC + b"W" + w(0, 0, 400, 240)
        + ESC + b"T\x00" + ESC + b" \x00" + FS + b"S\x00\x00" + ESC + b"!\x00"
        + ESC + b"%\x01"
        # the top rule: four 96-dot cells and one more ending at 400
        + GS + b"!\x70" + ESC + b"$" + w(0) + GS + b"$" + w(23) + b"!!!!" + ESC + b"$" + w(304) + b"!"
        # the corner rule: the cell's block 2 dots from its left and 4 from its top, the cell inside 400 × 240
        + GS + b"!\x00" + ESC + b"$" + w(388) + GS + b"$" + w(239) + b'"'
        # the black box less the white text's cells: above, below, left, right
        + GS + b"!\x20" + ESC + b"$" + w(100) + GS + b"$" + w(53) + b"#" + ESC + b"$" + w(104) + b"#"
        + ESC + b"$" + w(100) + GS + b"$" + w(85) + b"#" + ESC + b"$" + w(104) + b"#"
        + GS + b"!\x00" + ESC + b"$" + w(100) + GS + b"$" + w(61) + b"$" + ESC + b"$" + w(129) + b"%"
        + ESC + b"%\x00"
        + FS + b"&"
        + GS + b"!\x00" + ESC + b"$" + w(16) + GS + b"$" + w(59) + gb["收"] + b' "A"'
        + GS + b"!\x11" + ESC + b"$" + w(20) + GS + b"$" + w(109) + gb["粗"] + ESC + b"$" + w(21) + gb["粗"]
        + GS + b"!\x00" + ESC + b"$" + w(160) + GS + b"$" + w(59) + b"AB  " + gb["中"]
        + ESC + b"$" + w(233) + b"C"
        # the white text: the preview's dots in its cells, one 24-row strip
        + ESC + b"$" + w(104) + GS + b"$" + w(61) + ESC + b"*\x21" + w(25) + strip_bytes(preview, (104, 38, 129, 62))
        + GS + b"H\x00"
        + GS + b"w\x02" + GS + b"h\x28" + ESC + b"$" + w(barcode.x) + GS + b"$" + w(169) + GS + b"kI\x05{BSF1"
        + ESC + b"T\x03"  # turned clockwise: along = down the page, the baseline counted from the right edge
        + GS + b"w\x02" + GS + b"h\x28" + ESC + b"$" + w(upright.y) + GS + b"$" + w(400 - 1 - 330)
        + GS + b"kI\x05{BSF1"
        + ESC + b"T\x00"
        + GS + b"(k\x04\x001A2\x00" + GS + b"(k\x03\x001E1"
        + ESC + b"$" + w(259) + GS + b"$" + w(220) + GS + b"(k\x03\x001C\x02" + GS + b"(k\x06\x001P0SF1"
        + GS + b"(k\x03\x001Q0"
        + b"\x0c" + GS + b"\x0c"  # print the page, back to standard mode; feed to the next label
    )  # fmt: skip
    assert barcode.x == 8 + (300 - barcode.length) // 2 and upright.y == 10 + (200 - upright.length) // 2
    assert encoded.altered_dots == ()
    decoded = decode(encoded.data, profile=NATIVE)
    assert decoded.unknown == []
    (printed,) = decoded.labels
    assert printed.image.size == (832, 240)  # the page on a head-wide strip
    assert same(crop_label(printed, NATIVE, (400, 240)), preview)


def test_a_glyph_the_printer_lacks_goes_as_a_small_bit_image_drawn_like_the_preview() -> None:
    font = cells(GB24)
    assert font.resident("钱") and not font.resident("堃") and font.has_glyph("堃")  # 堃 is GBK, not GB2312
    label = Label("W", "O", 1, 1, 20.0, 10.0, 160, 80, 8.0, font, (TextRun(3, 40, 24, "A堃B", bold=True),))
    data = encode_label_for_session(label, NATIVE).data
    text = FS + b"&" + GS + b"!\x00" + ESC + b"$" + w(3) + GS + b"$" + w(39) + b"A" + ESC + b"$" + w(4) + b"A"
    text += ESC + b"$" + w(39) + b"B" + ESC + b"$" + w(40) + b"B"
    assert text in data
    start = data.index(ESC + b"*")
    x = int.from_bytes(data[start - 6 : start - 4], "little")
    columns = int.from_bytes(data[start + 3 : start + 5], "little")
    assert data[start - 8 : start - 6] == ESC + b"$" and x >= 15 and x + columns <= 15 + 25  # in its cell
    assert data[start - 4 : start] == GS + b"$" + w(39)  # one strip, on the text's baseline
    assert "堃".encode("gb18030") not in data
    decoded = decode(data, profile=NATIVE)
    assert decoded.unknown == []
    assert same(crop_label(decoded.labels[0], NATIVE, (160, 80)), rasterize(label))


def test_sizes_stop_at_eight_times_the_cell() -> None:
    font = cells(GB24)
    assert font.max_mul == 8 and resident_font(TSS24, load_font()).max_mul == 10
    assert font.sizes(300, 24)[0] == 192 and resident_font(TSS24, load_font()).sizes(300, 24)[0] == 240
    assert layout_font(NATIVE, load_font()) == font


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_round_trips_and_scans_with_masked_phones_only(template: str) -> None:
    for order in sample_orders():
        for label in native_labels(order, template, font=GB24):
            encoded = encode_label_for_session(label, NATIVE)
            data = encoded.data
            if template == "100x180":
                assert len(data) <= 4096, f"{label.file_stem}: {len(data)} bytes"
            assert encoded.altered_dots == () and find_hazards(data) == []
            symbols = gs_k_data(data)
            assert symbols and all(code128_values_of(s) == code128_values(order.waybill_no) for s in symbols)
            text = printed_text(data)
            assert order.recipient.phone not in text
            if label.page == 1:
                assert mask_phone(order.recipient.phone) in text
            decoded = decode(data, profile=NATIVE)
            assert decoded.unknown == []
            (printed,) = decoded.labels
            image = crop_label(printed, NATIVE, (label.width, label.height))
            assert same(image, rasterize(label)), f"{template} {label.file_stem}: the printer draws otherwise"
            codes = decoded_code128(printed.image)
            assert codes and set(codes) == {order.waybill_no}
            if b"(k" in data:
                qr = zxingcpp.read_barcodes(
                    printed.image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
                )
                store = data.index(GS + b"(k") + data[data.index(GS + b"(k") :].index(b"1P0")
                assert [result.text for result in qr] and all(r.text.encode() in data[store:] for r in qr)


def test_vertical_barcodes_print_turned_and_scan() -> None:
    order = sample_orders()[0]
    label = native_labels(order, "76x130", font=GB24)[0]
    data = encode_label_for_session(label, NATIVE).data
    turned = data[data.index(ESC + b"T\x03") : data.index(ESC + b"T\x00", data.index(ESC + b"T\x03"))]
    assert len(gs_k_data(turned)) == len(gs_k_data(data)) == 2  # this template's barcodes run down the label
    printed = decode(data, profile=NATIVE).labels[0].image
    for mark in (m for m in label.marks if isinstance(m, Barcode) and m.vertical):
        strip = printed.crop((mark.x, mark.y - 80, mark.x + mark.height, printed.height)).rotate(90, expand=True)
        assert decoded_code128(strip) == [order.waybill_no]


def test_a_barcode_whose_data_would_hold_a_real_time_command_goes_as_its_bars() -> None:
    font = cells(GB24)
    barcode = code128_mark("SF160401", 8, 20, 380, 40, [2])  # code set C: 16 04 01 is DLE EOT 1
    assert bytes([16, 4, 1]) in bytes(code128_values("SF160401"))
    label = Label("SF160401", "O", 1, 1, 50.0, 10.0, 400, 80, 8.0, font, (barcode,))
    data = encode_label_for_session(label, NATIVE).data
    assert gs_k_data(data) == [] and find_hazards(data) == []
    decoded = decode(data, profile=NATIVE)
    assert decoded.unknown == [] and decoded_code128(decoded.labels[0].image) == ["SF160401"]
    assert same(crop_label(decoded.labels[0], NATIVE, (400, 80)), rasterize(label))


def test_the_decoder_reports_text_a_printer_would_wrap() -> None:
    stream = ESC + b"L" + ESC + b"W" + w(0, 0, 48, 100) + GS + b"$" + w(50) + b"ABCDE" + b"\x0c"
    decoded = decode(stream, "escpos", NATIVE)
    assert [u.reason for u in decoded.unknown] == ["text past the print area, where the printer wraps (not rendered)"]
    (printed,) = decoded.labels
    assert printed.image.size == (832, 100)


def test_native_profiles_from_a_file_and_labels_laid_out_for_another_font_refused(tmp_path: Path) -> None:
    path = tmp_path / "printers.toml"
    path.write_text('[profiles.shelf]\nbase = "escpos-4inch"\nnative = true\noffset_x_dots = 16\n', encoding="utf-8")
    shelf = load_profiles(path)["shelf"]
    assert shelf.native and layout_font(shelf, load_font()) == cells(GB24)
    label = native_labels(sample_orders()[0], "100x180", font=GB24)[0]
    decoded = decode(encode_label_for_session(label, shelf).data, profile=shelf)
    assert decoded.unknown == []
    assert same(crop_label(decoded.labels[0], shelf, (label.width, label.height)), rasterize(label))
    tspl_laid = layout_order(
        sample_orders()[0], load_template("100x180"), resident_font(TSS24, load_font()), LayoutOptions(), now=NOW
    ).labels[0]
    with pytest.raises(
        ProfileError, match=r"prints native labels in GB18030-24, but this label was laid out with TSS24"
    ):
        encode_label_for_session(tspl_laid, NATIVE)


def test_print_native_then_resume_after_the_link_drops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "waybill.db")
    args = ["print", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "--db", db]
    expected = {
        label.file_stem: label for order in sample_orders() for label in native_labels(order, "100x180", font=GB24)
    }
    with PrinterSimulator("escpos", NATIVE, speed_mm_s=3000.0, drop_after=2) as sim:
        assert main([*args, "--printer", sim.uri, "--profile", "escpos-4inch-native"]) == 6  # the link drops
        assert sim.wait_idle(timeout=30)
        first = len(sim.labels)
        assert 0 < first < len(expected)
        capsys.readouterr()
        assert main(["print", "--resume", "1", "--db", db]) == 0
        assert sim.wait_idle(timeout=30)
        printed = list(sim.labels)
    assert Journal(open_database(db)).job(1).status == "done"
    settings = JobSettings.from_json(Journal(open_database(db)).settings(1))
    assert settings.resident_font == GB24
    seen: dict[str, set[int]] = {}
    for label in printed:  # a label sent but not acknowledged when the link dropped is printed again
        (code,) = set(decoded_code128(label.image))
        pages = [want for want in expected.values() if want.waybill_no == code]
        page = next(
            want.page for want in pages if same(crop_label(label, NATIVE, (want.width, want.height)), rasterize(want))
        )
        seen.setdefault(code, set()).add(page)
    assert seen == {
        order.waybill_no: {w.page for w in expected.values() if w.waybill_no == order.waybill_no}
        for order in sample_orders()
    }


@pytest.mark.parametrize(("direction", "dot"), [(0, (10, 7)), (1, (7, 49)), (2, (89, 52)), (3, (92, 10))])
def test_each_print_direction_turns_the_page_frame(direction: int, dot: tuple[int, int]) -> None:
    """A one-dot bit image at ESC $ 10, GS $ 30 (its top dot 23 rows above the baseline) in a 100 × 60 area."""
    image = ESC + b"*\x21" + w(2) + b"\x80\x00\x00" + bytes(3)
    stream = ESC + b"L" + ESC + b"W" + w(0, 0, 100, 60) + ESC + b"T" + bytes([direction])
    stream += ESC + b"$" + w(10) + GS + b"$" + w(30) + image + b"\x0c"
    decoded = decode(stream, "escpos", NATIVE)
    assert decoded.unknown == []
    assert decoded.labels[0].image.convert("L").point(lambda v: 255 - v).getbbox() == (*dot, dot[0] + 1, dot[1] + 1)


def test_esc_ff_prints_the_page_and_keeps_it_can_clears_it_esc_s_drops_it() -> None:
    dot = ESC + b"$" + w(4) + GS + b"$" + w(30) + ESC + b"*\x21" + w(1) + b"\x80\x00\x00"
    start = ESC + b"L" + ESC + b"W" + w(0, 0, 50, 40)
    stream = start + dot + ESC + b"\x0c" + ESC + b"\x0c" + b"\x18" + ESC + b"\x0c" + ESC + b"S" + start + dot
    decoded = decode(stream + ESC + b"S", "escpos", NATIVE)
    assert decoded.unknown == []
    inked = [label.image.convert("L").point(lambda v: 255 - v).getbbox() for label in decoded.labels]
    assert inked == [(4, 7, 5, 8), (4, 7, 5, 8), None]  # twice the same page, then the cleared one

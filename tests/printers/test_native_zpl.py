"""Printer-native ZPL labels: the exact bytes, and for every built-in template the round trip
layout → native fields → the simulator's drawing, dot for dot the same as the preview, scanning back to
the waybill number, with masked phones only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printers.decode import crop_label, decode
from printers.encode import encode_label_for_session
from printers.encode.zpl_code128 import code128_field_values
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.layout_fonts import layout_font
from printers.profiles import get_profile, load_profiles
from printers.simulator import PrinterSimulator
from printers.testing import variant
from tests.printers.native import cells, native_labels, same
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, TEMPLATES, decoded_code128, sample_orders
from waybill.app.cli import main
from waybill.database import open_database
from waybill.fonts import load_font
from waybill.fonts.cells import ANMDS, CellFont
from waybill.layout.codes import code128_mark, code128_values, qr_mark
from waybill.layout.label import Label, Rect, TextRun
from waybill.privacy import mask_phone
from waybill.render.raster import rasterize

NATIVE = get_profile("zpl-203-native")


def fields(data: bytes, command: bytes) -> list[bytes]:
    """The lines (one field each) holding ``command``."""
    return [line for line in data.split(b"\n") if command in line]


def field_text(line: bytes) -> str:
    """A field's data, ``^FH`` escapes undone."""
    match = re.search(rb"\^FD(.*)\^FS", line)
    assert match is not None, line
    data = match.group(1)
    if b"^FH" in line:
        data = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes((int(m.group(1), 16),)), data)
    return data.decode("utf-8")


def test_the_encoder_bytes_exactly() -> None:
    font = cells(ANMDS)
    barcode = code128_mark("SF1", 8, 100, 300, 40, [2])
    upright = code128_mark("SF1", 500, 10, 40, 300, [2], vertical=True)
    qr = qr_mark("https://w.example/SF1", 600, 380, 140)
    label = Label(
        "SF1", "O1", 1, 1, 100.0, 65.0, 800, 520, 8.0, font,
        (
            Rect(0, 0, 400, 2),
            Rect(10, 10, 5, 5, white=True),
            Rect(0, 0, 0, 9),  # empty: nothing sent
            TextRun(16.4, 60, 24, "收 ^A~_"),  # command prefixes: hex escapes
            TextRun(20, 108, 48, "粗", bold=True),
            Rect(0, 170, 40, 40),  # an inverse element's black box
            TextRun(4, 200, 24, "寄", bold=True, white=True),
            TextRun(100, 300, 24, "AB"),  # two cells of one pick-list row: spaces bridge the gap exactly
            TextRun(148, 300, 24, "中"),
            TextRun(173, 300, 24, "C"),  # one dot off the grid: a field of its own
            barcode,
            upright,
            qr,
        ),
    )  # fmt: skip
    data = encode_label_for_session(label, NATIVE).data
    assert data == (
        b"^XA\n^MNY\n^MMT\n^PW800\n^LL520\n^LH0,0\n^CI28\n^CW1,E:ANMDS.TTF\n"
        b"^FO0,0^GB400,2,2^FS\n"
        b"^FO10,10^GB5,5,5,W^FS\n"
        + "^FO16,36^A1N,24,24^FH^FD收 _5EA_7E_5F^FS\n".encode()
        + "^FO20,60^A1N,48,48^FD粗^FS\n^FO21,60^A1N,48,48^FD粗^FS\n".encode()
        + b"^FO0,170^GB40,40,40^FS\n"
        b"^FO4,176^GB25,24,24,W^FS\n"
        + "^FO4,176^A1N,24,24^FD寄^FS\n^FO5,176^A1N,24,24^FD寄^FS\n".encode()
        + b"^FO4,176^FR^GB25,24,24^FS\n"
        + "^FO100,276^A1N,24,24^FDAB  中^FS\n".encode()
        + b"^FO173,276^A1N,24,24^FDC^FS\n"
        + f"^FO{barcode.x},100^BY2^BCN,40,N,N,N,N^FD>:SF1^FS\n".encode()
        + f"^FO500,{upright.y}^BY2^BCR,40,N,N,N,N^FD>:SF1^FS\n".encode()
        + f"^FO{qr.x},{qr.y - 1}^BY1,3,1^BQN,2,{qr.module},M^FDMA,https://w.example/SF1^FS\n".encode()
        + b"^PQ1\n^XZ\n"
    )
    decoded = decode(data, profile=NATIVE)
    assert decoded.unknown == []
    (printed,) = decoded.labels
    assert same(crop_label(printed, NATIVE, (800, 520)), rasterize(label))
    assert decoded_code128(printed.image) == ["SF1", "SF1"]  # across and down the label
    symbols = zxingcpp.read_barcodes(
        printed.image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    assert [symbol.text for symbol in symbols] == ["https://w.example/SF1"]


def test_a_glyph_the_printer_lacks_goes_as_a_small_bitmap_drawn_like_the_preview() -> None:
    font = cells(ANMDS)
    assert font.resident("钱") and not font.resident("堃") and font.has_glyph("堃")  # 堃 is GBK, not GB2312
    label = Label("W", "O", 1, 1, 20.0, 10.0, 160, 80, 8.0, font, (TextRun(3, 40, 24, "A堃B", bold=True),))
    data = encode_label_for_session(label, NATIVE).data
    assert fields(data, b"^A1N") == [
        b"^FO3,16^A1N,24,24^FDA^FS",
        b"^FO4,16^A1N,24,24^FDA^FS",
        b"^FO39,16^A1N,24,24^FDB^FS",
        b"^FO40,16^A1N,24,24^FDB^FS",
    ]
    (bitmap,) = fields(data, b"^GFA")
    assert bitmap.startswith(b"^FO15,16^GFA,96,96,4,")  # 24 + 1 bold dots: 4 bytes a row, 24 rows
    assert "堃".encode() not in data
    decoded = decode(data, profile=NATIVE)
    assert decoded.unknown == []
    assert same(crop_label(decoded.labels[0], NATIVE, (160, 80)), rasterize(label))


def test_the_profile_offsets_go_in_the_label_home() -> None:
    order = sample_orders()[0]
    label = native_labels(order, "100x150", font=ANMDS)[0]
    profile = variant("zpl-203-native", offset_x_dots=12, offset_y_dots=5)
    data = encode_label_for_session(label, profile).data
    assert b"^PW812\n^LL1200\n^LH12,5\n" in data
    decoded = decode(data, profile=profile)
    assert decoded.unknown == []
    assert same(crop_label(decoded.labels[0], profile, (label.width, label.height)), rasterize(label))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_round_trips_and_scans_with_masked_phones_only(template: str) -> None:
    for order in sample_orders():
        for label in native_labels(order, template, font=ANMDS):
            data = encode_label_for_session(label, NATIVE).data
            if template == "100x180":
                assert len(data) <= 4096, f"{label.file_stem}: {len(data)} bytes"
            barcodes = fields(data, b"^BC")
            values = code128_values(order.waybill_no)
            assert barcodes and all(code128_field_values(field_text(line)) == values for line in barcodes)
            text = "".join(field_text(line) for line in fields(data, b"^A1N"))
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


def test_vertical_barcodes_print_turned_and_scan() -> None:
    order = sample_orders()[0]
    label = native_labels(order, "76x130", font=ANMDS)[0]
    data = encode_label_for_session(label, NATIVE).data
    barcodes = fields(data, b"^BC")
    assert barcodes and all(b"^BCR," in line for line in barcodes)  # this template's run down the label
    printed = decode(data, profile=NATIVE).labels[0].image
    for line in barcodes:
        match = re.match(rb"\^FO(\d+),(\d+)\^BY\d\^BCR,(\d+),", line)
        assert match is not None
        x, y, height = (int(group) for group in match.groups())
        strip = printed.crop((x, y - 80, x + height, printed.height)).rotate(90, expand=True)
        assert decoded_code128(strip) == [order.waybill_no]


def test_native_zpl_profiles_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "printers.toml"
    path.write_text('[profiles.zebra]\nbase = "zpl-300"\nnative = true\n', encoding="utf-8")
    assert load_profiles(path)["zebra"].native
    font = layout_font(NATIVE, load_font())
    assert isinstance(font, CellFont) and font.name == "E:ANMDS.TTF"
    assert layout_font(get_profile("zpl-203"), load_font()) == load_font()


def test_render_then_decode_shows_the_previews(tmp_path: Path) -> None:
    args = ["render", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180"]
    assert main([*args, "-f", "png", "--profile", "zpl-203-native", "-o", str(tmp_path / "png")]) == 0
    assert main([*args, "-f", "zpl", "--profile", "zpl-203-native", "-o", str(tmp_path / "n.zpl")]) == 0
    out = tmp_path / "decoded"
    assert main(["decode", str(tmp_path / "n.zpl"), "-o", str(out), "--profile", "zpl-203-native"]) == 0
    decoded = sorted(out.glob("label-*.png"))
    pages: dict[str, int] = {}
    assert len(decoded) == sum(len(native_labels(o, "100x180", font=ANMDS)) for o in sample_orders())
    for path in decoded:  # labels come in order, continuation labels after their first
        image = Image.open(path)
        (code,) = set(decoded_code128(image))
        pages[code] = pages.get(code, 0) + 1
        stem = code if pages[code] == 1 else f"{code}-{pages[code]}"
        assert same(image, Image.open(tmp_path / "png" / f"{stem}.png"))


def test_print_native_then_resume_lays_out_the_same(tmp_path: Path) -> None:
    db = str(tmp_path / "waybill.db")
    args = ["print", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "--db", db]
    previews = {
        label.file_stem: rasterize(label)
        for order in sample_orders()
        for label in native_labels(order, "100x180", font=ANMDS)
    }
    with PrinterSimulator("zpl", NATIVE, speed_mm_s=3000.0, drop_after=3) as sim:
        assert main([*args, "--printer", sim.uri, "--profile", "zpl-203-native"]) == 6  # the link drops mid-job
        assert sim.wait_idle(timeout=30)
        assert main(["print", "--resume", "1", "--db", db]) == 0
        assert sim.wait_idle(timeout=30)
        printed = sim.labels
    journal = Journal(open_database(db))
    assert journal.job(1).status == "done"
    settings = JobSettings.from_json(journal.settings(1))
    assert settings.resident_font == "E:ANMDS.TTF"
    stems = set()
    for label in printed:  # a label in flight at the drop may print twice; every one as previewed
        (code,) = set(decoded_code128(label.image))
        image = crop_label(label, NATIVE, previews[code].size)
        stem = next(s for s in (code, f"{code}-2", f"{code}-3") if s in previews and same(image, previews[s]))
        stems.add(stem)
    assert stems == set(previews)

"""Printer-native TSPL labels: the exact bytes, and for every built-in template the round trip
layout → native commands → the simulator's drawing, dot for dot the same as the preview, scanning back to
the waybill number, with masked phones only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from printers.decode import crop_label, decode
from printers.encode import encode_label_for_session
from printers.errors import ProfileError
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.layout_fonts import layout_font
from printers.profiles import get_profile, load_profiles
from printers.simulator import PrinterSimulator
from printers.testing import variant
from tests.printers.native import cells, native_labels, same
from tests.waybill.labels import NOW, SAMPLE_ORDERS, SAMPLE_SHOP, TEMPLATES, decoded_code128, sample_orders, sample_shop
from waybill.app.cli import main
from waybill.database import open_database
from waybill.fonts import load_font
from waybill.fonts.cells import CellFont
from waybill.layout.codes import code128_mark, qr_mark
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.layout.label import Label, Rect, TextRun
from waybill.layout.text import fit_text
from waybill.model import Order
from waybill.privacy import mask_phone
from waybill.render.pdf import PdfWriter
from waybill.render.raster import rasterize
from waybill.template import load_template

NATIVE = get_profile("tspl-203-native")


def commands(data: bytes, word: bytes) -> list[bytes]:
    return [line for line in data.split(b"\r\n") if line.startswith(word + b" ")]


def strings(line: bytes) -> list[str]:
    return [s.decode("gb18030").replace('\\["]', '"') for s in re.findall(rb'"((?:[^"\\]|\\\["\])*)"', line)]


def test_the_encoder_bytes_exactly() -> None:
    font = cells()
    barcode = code128_mark("SF1", 8, 100, 300, 40, [2])
    upright = code128_mark("SF1", 500, 10, 40, 300, [2], vertical=True)
    qr = qr_mark("SF1", 600, 400, 120)
    label = Label(
        "SF1", "O1", 1, 1, 100.0, 65.0, 800, 520, 8.0, font,
        (
            Rect(0, 0, 400, 2),
            Rect(10, 10, 5, 5, white=True),
            Rect(0, 0, 0, 9),  # empty: nothing sent
            TextRun(16.4, 60, 24, '收 "A"'),
            TextRun(20, 108, 48, "粗", bold=True),
            Rect(0, 170, 40, 40),  # an inverse element's black box
            TextRun(4, 200, 24, "寄", bold=True, white=True),
            TextRun(100, 300, 24, "AB"),  # two cells of one pick-list row: spaces bridge the gap exactly
            TextRun(148, 300, 24, "中"),
            TextRun(173, 300, 24, "C"),  # one dot off the grid: a command of its own
            barcode,
            upright,
            qr,
        ),
    )  # fmt: skip
    data = encode_label_for_session(label, NATIVE).data
    gb = "收".encode("gb18030"), "粗".encode("gb18030"), "寄".encode("gb18030")
    assert data == (
        b"SIZE 100 mm,65 mm\r\nGAP 3 mm,0 mm\r\nDIRECTION 0,0\r\nCLS\r\n"
        b"BAR 0,0,400,2\r\n"
        b"ERASE 10,10,5,5\r\n"
        b'TEXT 16,36,"TSS24.BF2",0,1,1,"' + gb[0] + b' \\["]A\\["]"\r\n'
        b'TEXT 20,60,"TSS24.BF2",0,2,2,"' + gb[1] + b'"\r\n'
        b'TEXT 21,60,"TSS24.BF2",0,2,2,"' + gb[1] + b'"\r\n'
        b"BAR 0,170,40,40\r\n"
        b"ERASE 4,176,25,24\r\n"
        b'TEXT 4,176,"TSS24.BF2",0,1,1,"' + gb[2] + b'"\r\n'
        b'TEXT 5,176,"TSS24.BF2",0,1,1,"' + gb[2] + b'"\r\n'
        b"REVERSE 4,176,25,24\r\n"
        b'TEXT 100,276,"TSS24.BF2",0,1,1,"AB  ' + "中".encode("gb18030") + b'"\r\n'
        b'TEXT 173,276,"TSS24.BF2",0,1,1,"C"\r\n'
        + f'BARCODE {barcode.x},100,"128",40,0,0,2,2,"SF1"\r\n'.encode()
        + f'BARCODE 540,{upright.y},"128",40,0,90,2,2,"SF1"\r\n'.encode()
        + f'QRCODE {qr.x},{qr.y},M,{qr.module},A,0,"SF1"\r\n'.encode()
        + b"PRINT 1,1\r\n"
    )
    assert barcode.x == 8 + (300 - barcode.length) // 2 and upright.y == 10 + (300 - upright.length) // 2
    decoded = decode(data, profile=NATIVE)
    assert decoded.unknown == []
    assert same(crop_label(decoded.labels[0], NATIVE, (800, 520)), rasterize(label))


def test_a_glyph_the_printer_lacks_goes_as_a_small_bitmap_drawn_like_the_preview() -> None:
    font = cells()
    assert font.resident("钱") and not font.resident("堃") and font.has_glyph("堃")  # 堃 is GBK, not GB2312
    label = Label("W", "O", 1, 1, 20.0, 10.0, 160, 80, 8.0, font, (TextRun(3, 40, 24, "A堃B", bold=True),))
    data = encode_label_for_session(label, NATIVE).data
    assert [line[:40] for line in commands(data, b"TEXT")] == [
        b'TEXT 3,16,"TSS24.BF2",0,1,1,"A"',
        b'TEXT 4,16,"TSS24.BF2",0,1,1,"A"',
        b'TEXT 39,16,"TSS24.BF2",0,1,1,"B"',
        b'TEXT 40,16,"TSS24.BF2",0,1,1,"B"',
    ]
    (bitmap,) = commands(data, b"BITMAP")
    assert bitmap.startswith(b"BITMAP 15,16,4,24,1,")  # 24 + 1 bold dots: 4 bytes a row, OR-ed in
    assert "堃".encode("gb18030") not in data
    decoded = decode(data, profile=NATIVE)
    assert same(crop_label(decoded.labels[0], NATIVE, (160, 80)), rasterize(label))


def test_fitting_uses_the_printer_cells() -> None:
    font = cells()
    assert font.sizes(52, 32) == [48] and font.sizes(19, 16) == [24] and font.sizes(100, 24) == [96, 72, 48, 24]
    assert font.width("AB中", 48) == 12 * 2 * 2 + 24 * 2
    fitted = fit_text("中文中文ABCD", font, width=150, height=30, size=48, min_size=24, max_lines=1)
    assert fitted.size == 24 and fitted.lines == ("中文中文ABCD",) and not fitted.truncated  # 144 dots at 24
    cut = fit_text("中文中文中文", font, width=100, height=30, size=24, min_size=16, max_lines=1)
    assert cut.truncated and cut.lines == ("中文中…",) and cut.size == 24  # 24 is the smallest the printer sets


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_round_trips_and_scans_with_masked_phones_only(template: str) -> None:
    for order in sample_orders():
        labels = native_labels(order, template)
        for label in labels:
            data = encode_label_for_session(label, NATIVE).data
            if template == "100x180":
                assert len(data) <= 4096, f"{label.file_stem}: {len(data)} bytes"
            barcodes = commands(data, b"BARCODE")
            assert barcodes and all(strings(line)[-1] == order.waybill_no for line in barcodes)
            text = "".join(s for line in commands(data, b"TEXT") for s in strings(line)[1:])
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
            if commands(data, b"QRCODE"):
                qr = zxingcpp.read_barcodes(
                    printed.image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
                )
                assert [result.text for result in qr] == [strings(commands(data, b"QRCODE")[0])[0]]


def test_vertical_barcodes_print_turned_and_scan() -> None:
    order = sample_orders()[0]
    label = native_labels(order, "76x130")[0]
    data = encode_label_for_session(label, NATIVE).data
    rotations = [line.split(b",")[5] for line in commands(data, b"BARCODE")]
    assert rotations and set(rotations) == {b"90"}  # this template's barcodes run down the label
    printed = decode(data, profile=NATIVE).labels[0].image
    for line in commands(data, b"BARCODE"):
        if line.split(b",")[5] == b"90":
            x, y = int(line.split(b",")[0].split()[1]), int(line.split(b",")[1])
            height = int(line.split(b",")[3])
            strip = printed.crop((x - height, y - 80, x, printed.height)).rotate(90, expand=True)
            assert decoded_code128(strip) == [order.waybill_no]


def test_cod_and_unmasked_labels_keep_their_marks() -> None:
    cod = next(o for o in sample_orders() if o.cod_amount)
    raster_text = {m.text for label in _raster(cod) for m in label.marks if isinstance(m, TextRun)}
    native_text = {m.text for label in native_labels(cod, "100x180") for m in label.marks if isinstance(m, TextRun)}
    assert any("代收" in t for t in raster_text) and any("代收" in t for t in native_text)
    full = native_labels(cod, "100x180", mask=False)[0]
    data = encode_label_for_session(full, NATIVE).data
    assert cod.recipient.phone in "".join(s for line in commands(data, b"TEXT") for s in strings(line))


def _raster(order: Order) -> tuple[Label, ...]:
    options = LayoutOptions(shop=sample_shop())
    return layout_order(order, load_template("100x180"), load_font(), options, now=NOW).labels


def test_native_profiles_from_a_file_in_every_language_fit_their_printers_font(tmp_path: Path) -> None:
    path = tmp_path / "printers.toml"
    path.write_text(
        '[profiles.shelf]\nbase = "tspl-300"\nnative = true\n'
        '[profiles.zebra]\nbase = "zpl-203"\nnative = true\n'
        '[profiles.receipt]\nbase = "escpos-4inch"\nnative = true\n',
        encoding="utf-8",
    )
    loaded = load_profiles(path)
    fonts = {name: layout_font(loaded[name], load_font()) for name in ("shelf", "zebra", "receipt")}
    assert {name: (font.name, font.max_mul) for name, font in fonts.items() if isinstance(font, CellFont)} == {
        "shelf": ("TSS24.BF2", 10),
        "zebra": ("E:ANMDS.TTF", 10),
        "receipt": ("GB18030-24", 8),
    }
    path.write_text('[profiles.x]\nbase = "tspl-203"\nnative = "yes"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=r"\[profiles.x\] native: must be true or false"):
        load_profiles(path)
    assert isinstance(layout_font(NATIVE, load_font()), CellFont)
    assert layout_font(get_profile("tspl-203"), load_font()) == load_font()


def test_a_label_laid_out_for_another_font_is_refused_by_a_native_profile() -> None:
    label = _raster(sample_orders()[0])[0]
    with pytest.raises(ProfileError, match=r"prints native labels in TSS24\.BF2, but this label was laid out with wqy"):
        encode_label_for_session(label, variant("tspl-203-native"))
    escpos_laid = native_labels(sample_orders()[0], "100x180", font="GB18030-24")[0]
    for profile, font in (("tspl-203-native", "TSS24.BF2"), ("zpl-203-native", "E:ANMDS.TTF")):
        with pytest.raises(ProfileError, match=f"in {font}, but this label was laid out with GB18030-24"):
            encode_label_for_session(escpos_laid, get_profile(profile))


def test_print_native_over_a_serial_line_then_resume_lays_out_the_same(tmp_path: Path) -> None:
    db = str(tmp_path / "waybill.db")
    args = ["print", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "--db", db]
    expected = {order.waybill_no: len(native_labels(order, "100x180")) for order in sample_orders()}
    with PrinterSimulator("tspl", NATIVE, speed_mm_s=3000.0, serial=True) as sim:
        assert main([*args, "--printer", sim.uri, "--profile", "tspl-203-native"]) == 0
        assert sim.wait_idle(timeout=30)
        printed: dict[str, int] = {}
        for label in sim.labels:
            (code,) = set(decoded_code128(label.image))
            printed[code] = printed.get(code, 0) + 1
    assert printed == expected
    journal = Journal(open_database(db))
    settings = JobSettings.from_json(journal.settings(1))
    assert settings.resident_font == "TSS24.BF2"
    assert isinstance(settings.label_job().font, CellFont)


def test_render_previews_native_labels_and_refuses_a_raster_profile_for_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["render", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180"]
    assert main([*args, "-f", "png", "--profile", "tspl-203-native", "-o", str(tmp_path / "png")]) == 0
    assert main([*args, "-f", "tspl", "--profile", "tspl-203-native", "-o", str(tmp_path / "n.prn")]) == 0
    decoded = decode((tmp_path / "n.prn").read_bytes(), profile=NATIVE)
    assert decoded.unknown == []
    pages: dict[str, int] = {}
    for printed in decoded.labels:  # labels come in order, continuation labels after their first
        (code,) = set(decoded_code128(printed.image))
        pages[code] = pages.get(code, 0) + 1
        stem = code if pages[code] == 1 else f"{code}-{pages[code]}"
        assert same(printed.image, Image.open(tmp_path / "png" / f"{stem}.png"))
    assert main([*args, "-f", "png", "--profile", "tspl-203", "-o", str(tmp_path / "x")]) == 2
    assert "--profile goes with -f" in capsys.readouterr().err


def test_templates_check_reports_what_the_native_profile_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = tmp_path / "orders.jsonl"
    lines = SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines()
    orders.write_text(lines[0].replace(sample_orders()[0].recipient.address, "陕西省西安市碑林区堃园路𠀋号") + "\n")
    args = ["templates", "check", "100x180", "--orders", str(orders), "--shop", str(SAMPLE_SHOP)]
    assert main([*args, "--profile", "tspl-203-native"]) == 0
    out = capsys.readouterr().out
    assert "profile tspl-203-native draws labels itself" in out
    assert "native: elements: recipient.address: 堃 not in TSS24.BF2: sent as bitmaps" in out
    assert "native: elements: recipient.address: 𠀋 in neither TSS24.BF2 nor the bundled font" in out
    assert "native: elements: sort_code: size 8 mm set at 6 mm" in out
    assert "native: elements: monthly_account: size 2.4 mm is below TSS24.BF2's smallest: set at 3 mm" in out
    assert "(1 sample orders laid out at 203 dpi)" in out
    assert main([*args, "--profile", "tspl-203"]) == 0
    out = capsys.readouterr().out
    assert "prints every label as one bitmap" in out and "native:" not in out


def test_the_pdf_preview_draws_the_printer_cells() -> None:
    buffer = io.BytesIO()
    labels = [label for order in sample_orders()[:3] for label in native_labels(order, "100x180")]
    with PdfWriter(buffer) as writer:
        for label in labels:
            writer.add(label)
    pdf = pypdfium2.PdfDocument(buffer.getvalue())
    for page, label, order in zip(pdf, labels, sample_orders()[:3], strict=True):
        image = page.render(scale=203 / 72).to_pil().convert("1")
        assert set(decoded_code128(image)) == {order.waybill_no}
        text = page.get_textpage().get_text_range()
        assert mask_phone(order.recipient.phone) in text and order.recipient.phone not in text
        # Drawn with the same cells as the raster preview: nearly every dot agrees (the PDF is anti-aliased).
        pdf_ink = np.array(image.convert("L").resize((label.width, label.height))) < 128
        raster_ink = np.array(rasterize(label).convert("L")) < 128
        assert (pdf_ink & raster_ink).sum() > 0.9 * raster_ink.sum()
        assert (pdf_ink != raster_ink).mean() < 0.03


def test_a_raster_job_resumed_on_a_native_profile_is_refused_before_a_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "waybill.db")
    args = ["print", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "--db", db]
    with PrinterSimulator("tspl", get_profile("tspl-203"), speed_mm_s=3000.0, drop_after=2) as sim:
        assert main([*args, "--printer", sim.uri, "--profile", "tspl-203"]) == 6  # the link drops mid-job
        assert sim.wait_idle(timeout=30)
        printed = len(sim.labels)
        capsys.readouterr()
        assert main(["print", "--resume", "1", "--db", db, "--profile", "tspl-203-native"]) == 5
        assert "job 1 was laid out for tspl-203, which prints bitmaps" in capsys.readouterr().err
        assert sim.wait_idle(timeout=30) and len(sim.labels) == printed
        assert main(["print", "--resume", "1", "--db", db]) == 0
        assert Journal(open_database(db)).job(1).status == "done"


def test_a_native_job_resumed_on_another_printers_font_is_refused_before_a_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "waybill.db")
    args = ["print", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "--db", db]
    escpos = get_profile("escpos-4inch-native")
    with PrinterSimulator("escpos", escpos, speed_mm_s=3000.0, drop_after=2) as sim:
        assert main([*args, "--printer", sim.uri, "--profile", escpos.name]) == 6  # the link drops mid-job
        assert sim.wait_idle(timeout=30)
        printed = len(sim.labels)
        capsys.readouterr()
        # GB18030-24 stops at 8 cells, TSS24.BF2 at 10: the job's layout is the ESC/POS printer's, not theirs.
        for other, font in (("tspl-203-native", "TSS24.BF2"), ("zpl-203-native", "E:ANMDS.TTF")):
            assert main(["print", "--resume", "1", "--db", db, "--profile", other]) == 5
            assert (
                f"job 1 was laid out in GB18030-24 for {escpos.name}; printer profile {other} prints native labels "
                f"in {font}: resume with --profile {escpos.name}"
            ) in capsys.readouterr().err
        assert main(["print", "--resume", "1", "--db", db, "--profile", "escpos-4inch"]) == 0  # a raster resume
        assert sim.wait_idle(timeout=30) and len(sim.labels) > printed
        assert Journal(open_database(db)).job(1).status == "done"


def test_the_station_prints_a_scanned_order_natively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    order = sample_orders()[0]
    db = str(tmp_path / "w.db")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{order.order_id}\n"))
    with PrinterSimulator("tspl", NATIVE, speed_mm_s=3000.0) as sim:
        args = ["station", "--printer", sim.uri, "--profile", "tspl-203-native", "--shop", str(SAMPLE_SHOP)]
        assert main([*args, "--db", db, "--orders", str(SAMPLE_ORDERS)]) == 0
        assert sim.wait_idle(timeout=20)
        (printed,) = sim.labels
    assert set(decoded_code128(printed.image)) == {order.waybill_no}
    (label,) = native_labels(order, "100x180")
    assert same(crop_label(printed, NATIVE, (label.width, label.height)), rasterize(label))
    assert "1 printed" in capsys.readouterr().out

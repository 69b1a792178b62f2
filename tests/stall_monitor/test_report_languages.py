"""The stall report for people: in English and in Chinese, times a person reads at a glance, a chart whose
labels stay clear of its bars, a font of its own that renders on a machine with no fonts (headless
Chromium), and the spreadsheets (XLSX with a sheet a section, CSV with a BOM)."""

from __future__ import annotations

import base64
import codecs
import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from PIL import Image

from stall_monitor.export import SECTIONS
from stall_monitor.store import Registration, open_store, register_waybills
from tests.chromium import open_page
from waybill.app.cli import main
from waybill.database import open_database
from waybill.fonts import bundled_font_path
from waybill.fonts.web import WEB_FAMILY, font_face_css
from waybill.samples import numbered_sample_orders, sample_path

AT = "2026-11-30 10:00"  # the bundled tracking events run up to here (as the demo scans them)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The bundled samples, as the demo has them after printing: every section of the report has rows."""
    path = str(tmp_path / "w.db")
    orders = numbered_sample_orders(open_database(path))
    register_waybills(open_store(path), [Registration.from_order(order) for order in orders])
    ingest = ["stall", "ingest", "--db", path, "--events", str(sample_path("tracking.jsonl"))]
    assert main([*ingest, "--work-orders", str(sample_path("work_orders.csv"))]) == 0
    assert main(["invoice", "ingest", str(sample_path("invoices.jsonl")), "--db", path]) == 0
    return path


def _report(db: str, out: Path, *options: str) -> str:
    assert main([*options, "stall", "report", "--db", db, "--at", AT, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end)]


def test_the_report_in_english_and_in_chinese(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    english = _report(db, tmp_path / "en.html")
    chinese = _report(db, tmp_path / "zh.html", "--lang", "zh-CN")
    assert "报告" in capsys.readouterr().out  # the command's own line is Chinese too
    headings = [
        ("Logistics stall report", "物流停滞报告"),
        ("Work orders due and overdue", "待回复和已超时的工单"),
        ("Invoices to issue (催开发票)", "待开发票（催开发票）"),
        ("Whom to chase first", "优先催查"),
        ("By carrier", "按快递公司"),
        ("Feed freshness", "轨迹推送新鲜度"),
    ]
    for en, zh in headings:
        assert f"<h{1 if 'report' in en else 2}>{en}</h" in english and en not in chinese
        assert zh in chinese and zh not in english
    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english
    # Chinese throughout the urgent list: level tags, the no-event note, the reasons, the relative times.
    urgent = _between(chinese, "优先催查", "按快递公司")
    for word in ("未揽收", "物流停滞", "即将停滞", "尚无轨迹", "已超时", "小时前", "发货", "偏远"):
        assert word in urgent, word
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", re.sub(r"<[^>]+>|\(special period from [-\d]+\)", "", urgent))


def test_times_read_at_a_glance(db: str, tmp_path: Path) -> None:
    page = _report(db, tmp_path / "en.html")
    urgent = _between(page, "Whom to chase first", "By carrier")
    assert not re.search(r"\d{4}-\d\d-\d\dT|\+08:00", urgent)  # no ISO strings that wrap
    # Work order possible from: 月-日 时:分 and how far it is, then the hours-left column.
    rows = re.findall(
        r"<b><span class='when'>(\d\d-\d\d \d\d:\d\d)</span> <span class='rel[^']*'>(in|overdue) ([\d.]+) h"
        r"</span></b></td><td class='n'>(-?[\d.]+)</td>",
        urgent,
    )
    assert len(rows) == urgent.count("<tr>") - 1 > 5
    for _when, direction, hours, left in rows:
        assert float(left) == (float(hours) if direction == "in" else -float(hours))
    assert {direction for _, direction, _, _ in rows} == {"in", "overdue"}
    assert re.search(r"<span class='when'>\d\d-\d\d \d\d:\d\d</span> <span class='rel'>[\d.]+ h ago</span>", urgent)


def test_a_parcel_not_picked_up_is_measured_against_the_pickup_window(db: str, tmp_path: Path) -> None:
    page = _report(db, tmp_path / "en.html")
    rows = _between(page, "Whom to chase first", "By carrier").split("<tr>")[2:]
    limits = {("No pick-up" in row, re.findall(r"<td class='n'>[\d.]+ / (\d+)</td>", row)[0]) for row in rows}
    assert limits == {(True, "24"), (False, "72"), (False, "96")}  # pick-up window 24 h; stall thresholds


def test_the_chart_labels_stay_clear_of_the_bars(db: str, tmp_path: Path) -> None:
    for options in ((), ("--lang", "zh-CN")):
        page = _report(db, tmp_path / "r.html", *options)
        svg = ElementTree.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
        ns = "{http://www.w3.org/2000/svg}"
        bars = [
            (float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)), float(r.get("height", 0)))
            for r in svg.iter(f"{ns}rect")
            if r.find(f"{ns}title") is not None
        ]
        assert len(bars) >= 4
        for text in svg.iter(f"{ns}text"):
            x, y, size = float(text.get("x", 0)), float(text.get("y", 0)), float(text.get("font-size", 11))
            width = sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text.text or "")
            left = {"middle": x - width / 2, "end": x - width}.get(text.get("text-anchor", ""), x)
            for bx, by, bw, bh in bars:  # the text's box (baseline y, one em above it) never meets a bar
                apart = left + width <= bx or left >= bx + bw or y <= by or y - size >= by + bh
                assert apart, (text.text, (left, y), (bx, by, bw, bh))


@pytest.fixture(scope="module")
def tripwire_fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The browser machine's only system font: the Mono face of the bundled font under its own family name,
    which the page never names. Whatever text it draws is text the page's embedded font failed to cover.
    (With no font at all Chromium's web-font loading itself fails now and then: a tripwire is also steadier.)"""
    folder = tmp_path_factory.mktemp("fonts")
    with TTFont(str(bundled_font_path()), fontNumber=1) as mono:
        assert mono["name"].getDebugName(1) == "WenQuanYi Micro Hei Mono"
        mono.save(str(folder / "tripwire.ttf"))
    return folder


def test_the_embedded_font_renders_every_character_without_system_fonts(
    db: str, tmp_path: Path, tripwire_fonts: Path
) -> None:
    """Headless Chromium with fontconfig seeing only the tripwire font: every glyph of the page is drawn
    from the font the page carries, and every character the browser shows is in that font."""
    page = tmp_path / "zh.html"
    html = _report(db, page, "--lang", "zh-CN")
    seen = open_page(page, tripwire_fonts)
    assert seen.loaded == ["Waybill Sans loaded"]
    assert seen.fonts.keys() == {"WenQuanYi Micro Hei"}, seen.fonts  # the tripwire drew nothing
    assert seen.custom == {"WenQuanYi Micro Hei": True}  # and it is the page's own (@font-face) font
    assert seen.elements > 300 and seen.fonts["WenQuanYi Micro Hei"] > 3000
    data = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", html)
    assert data
    woff2 = base64.b64decode(data.group(1))
    with TTFont(io.BytesIO(woff2)) as font:
        cmap = font.getBestCmap()
    shown = {c for c in seen.text if not c.isspace()}
    assert {"滞", "¥", "·", "—"} <= shown
    assert shown - set(map(chr, cmap)) == set()  # no character falls to .notdef (a box)
    assert len(woff2) < 200_000  # a subset, not the 5 MB font
    # The heading is drawn: dark pixels where the h1 is (a blank page would pass the checks above).
    shot = Image.open(io.BytesIO(seen.screenshot)).convert("L")
    assert shot.crop((0, 0, 400, 60)).histogram()[:100] != [0] * 100


def test_the_tripwire_catches_a_character_the_embedded_font_lacks(tmp_path: Path, tripwire_fonts: Path) -> None:
    """The check above can fail: a page whose font lacks 停滞 has them drawn by the tripwire."""
    page = tmp_path / "lacking.html"
    css = font_face_css("物流")
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css} body {{ font-family: '{WEB_FAMILY}' }}"
        "</style></head><body><p>物流停滞</p></body></html>",
        encoding="utf-8",
    )
    seen = open_page(page, tripwire_fonts)
    assert seen.fonts == {"WenQuanYi Micro Hei": 2, "WenQuanYi Micro Hei Mono": 2}


def test_the_workbook_has_a_sheet_a_section(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.xlsx"
    assert main(["stall", "report", "--db", db, "--at", AT, "-o", str(out)]) == 0
    assert f"{out}: xlsx report at 2026-11-30T10:00:00+08:00: 3 stalled" in capsys.readouterr().out
    book = load_workbook(out)
    assert book.sheetnames == list(SECTIONS)
    urgent = book["urgent"]
    header = [c.value for c in urgent[1]]
    assert header[:3] == ["waybill_no", "carrier", "order_id"] and "hours_left" in header  # stable English keys
    assert urgent.freeze_panes == "A2" and all(c.font.bold for c in urgent[1])
    assert urgent.max_row == 11  # the ten listed parcels
    context = urgent.column_dimensions[urgent.cell(1, header.index("last_context") + 1).column_letter]
    assert 20 < context.width <= 60 < max(urgent.column_dimensions[k].width or 0 for k in "AB") + 60
    opens = urgent.cell(2, header.index("entry_opens_at") + 1)
    assert opens.is_date and opens.number_format == "yyyy-mm-dd hh:mm"
    invoices = [[c.value for c in row] for row in book["invoices"].iter_rows()]
    orders = [row[invoices[0].index("order_id")] for row in invoices[1:]]
    assert orders[:2] == ["TB3920417730004137", "TB3920417730005516"]  # what to issue first
    summary = {row[0].value: row[1].value for row in book["summary"].iter_rows(min_row=2)}
    assert summary["counts.stalled"] == 3 and summary["invoices.points.cap"] == 6
    for name in ("work_orders", "by_carrier", "by_province", "feeds"):
        assert book[name].max_row > 1, name


def test_csv_is_a_file_a_section_with_a_bom(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.csv"
    assert main(["stall", "report", "--db", db, "--at", AT, "-o", str(out)]) == 0
    written = [tmp_path / f"report-{name}.csv" for name in SECTIONS]
    assert capsys.readouterr().out.startswith(", ".join(map(str, written)) + ": csv report")
    assert not out.exists()
    for path in written:
        raw = path.read_bytes()
        assert raw.startswith(codecs.BOM_UTF8), path
    urgent = list(csv.DictReader(io.StringIO((tmp_path / "report-urgent.csv").read_text(encoding="utf-8-sig"))))
    assert len(urgent) == 10 and urgent[0]["waybill_no"] and "section" not in urgent[0]
    # One section to standard output (no BOM: it is text for a pipe), or to the -o file itself.
    assert main(["stall", "report", "--db", db, "--at", AT, "-f", "csv", "--section", "by_carrier"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "carrier,stalled,at_risk,no_pickup,total" and len(lines) == 7
    one = tmp_path / "carriers.csv"
    assert main(["stall", "report", "--db", db, "--at", AT, "--section", "by_carrier", "-o", str(one)]) == 0
    assert one.read_bytes().startswith(codecs.BOM_UTF8)


def test_export_mistakes(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stall", "report", "--db", db, "-f", "xlsx"]) == 2
    assert "an Excel workbook needs a file: give -o report.xlsx" in capsys.readouterr().err
    assert main(["stall", "report", "--db", db, "-f", "csv"]) == 2
    assert "give --section (summary, urgent," in capsys.readouterr().err
    assert main(["stall", "report", "--db", db, "--section", "urgent"]) == 2
    assert "--section applies to CSV only" in capsys.readouterr().err


def test_the_demo_speaks_chinese(db: str, tmp_path: Path) -> None:
    from stall_monitor.demo import stall_demo
    from waybill.i18n import set_language

    set_language("zh-CN")
    tracking, work_orders, invoices = (sample_path(n) for n in ("tracking.jsonl", "work_orders.csv", "invoices.jsonl"))
    line = stall_demo(Path(db), tracking, work_orders, invoices, tmp_path / "r.html")
    assert line.startswith(
        "导入 0 条物流轨迹；2026-11-30 10:00（北京时间）检查：3 件物流停滞，3 件即将停滞，4 件未揽收"
    )
    assert "待开发票 7 张，已扣 2 / 6 分，可能再扣 2 分 → " in line
    assert "物流停滞报告" in (tmp_path / "r.html").read_text(encoding="utf-8")

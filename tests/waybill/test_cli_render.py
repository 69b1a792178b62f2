"""`waybill render`, `waybill templates` and `waybill demo` as a user runs them: main(argv)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from printers.journal import Journal
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, decoded_code128, sample_orders
from waybill.app.cli import main
from waybill.database import open_database


def render(*args: str | Path) -> int:
    return main(["render", *map(str, args)])


def write_orders(path: Path, orders: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(order, ensure_ascii=False) + "\n" for order in orders), encoding="utf-8")
    return path


def sample_dicts() -> list[dict[str, Any]]:
    """The sample orders as parsed JSON objects (values of any JSON type), for a test to edit."""
    return [json.loads(line) for line in SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines()]


def test_png_files_are_named_by_waybill_and_sized_to_the_stock(tmp_path: Path) -> None:
    out = tmp_path / "png"
    assert render(SAMPLE_ORDERS, "-t", "76x130", "-o", out, "--shop", SAMPLE_SHOP) == 0
    names = sorted(p.name for p in out.iterdir())
    orders = sample_orders()
    assert len([n for n in names if "-" not in n.removesuffix(".png")]) >= len(orders) - 1
    for order in orders:
        first = out / f"{order.waybill_no}.png"
        assert first.exists()
        with Image.open(first) as image:
            assert image.mode == "1" and image.size == (608, 1040)
            assert decoded_code128(image) == [order.waybill_no] * 2
    long = max(orders, key=lambda o: len(o.items))
    assert (out / f"{long.waybill_no}-2.png").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_300_dpi_labels_have_the_300_dpi_grid(tmp_path: Path) -> None:
    out = tmp_path / "png"
    assert render(SAMPLE_ORDERS, "-t", "100x150", "--dpi", "300", "-o", out, "--shop", SAMPLE_SHOP) == 0
    with Image.open(out / f"{sample_orders()[0].waybill_no}.png") as image:
        assert image.size == (1181, 1772)


def test_the_same_input_gives_byte_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert render(SAMPLE_ORDERS, "-t", "100x180", "-o", tmp_path / run, "--shop", SAMPLE_SHOP) == 0
        assert (
            render(SAMPLE_ORDERS, "-t", "100x180", "-f", "pdf", "-o", tmp_path / f"{run}.pdf", "--shop", SAMPLE_SHOP)
            == 0
        )
    for png in (tmp_path / "a").iterdir():
        assert png.read_bytes() == (tmp_path / "b" / png.name).read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_bad_orders_are_all_reported_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = sample_dicts()[:4]
    orders[1]["carrier"] = "UPS"
    orders[2]["items"][0]["qty"] = 0
    path = write_orders(tmp_path / "orders.jsonl", orders)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    out = tmp_path / "png"

    code = render(path, "-t", "100x180", "-o", out, "--shop", SAMPLE_SHOP)

    assert code == 3
    err = capsys.readouterr().err
    assert f"{path}:2: carrier: unknown carrier 'UPS'" in err
    assert f"{path}:3: items[0].qty" in err
    assert f"{path}:5: not valid JSON" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_skip_invalid_renders_the_good_orders_and_lists_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = sample_dicts()[:3]
    orders[1]["waybill_no"] = "bad!"
    path = write_orders(tmp_path / "orders.jsonl", orders)
    out = tmp_path / "png"

    assert render(path, "-t", "100x180", "-o", out, "--shop", SAMPLE_SHOP, "--skip-invalid") == 0

    assert sorted(p.stem for p in out.iterdir()) == sorted([orders[0]["waybill_no"], orders[2]["waybill_no"]])
    captured = capsys.readouterr()
    assert f"{path}:2: waybill_no" in captured.err
    assert "1 order(s) skipped" in captured.out


def test_a_barcode_that_cannot_fit_is_an_error_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = sample_dicts()[:3]
    orders[2]["waybill_no"] = "AB" + "X1Y2" * 7 + "Z"  # 31 mixed characters: code set B all the way
    path = write_orders(tmp_path / "orders.jsonl", orders)
    out = tmp_path / "labels.pdf"
    out.write_bytes(b"an older file")

    code = render(path, "-t", "76x130", "-f", "pdf", "-o", out, "--shop", SAMPLE_SHOP)

    assert code == 4
    assert "waybill_no: Code128 of" in capsys.readouterr().err
    assert out.read_bytes() == b"an older file"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_layout_error_message_names_the_order_and_element(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = sample_dicts()[:1]
    orders[0]["waybill_no"] = "AB" + "X1Y2" * 7 + "Z"
    path = write_orders(tmp_path / "orders.jsonl", orders)
    assert render(path, "-t", "76x130", "-o", tmp_path / "png", "--shop", SAMPLE_SHOP) == 4
    err = capsys.readouterr().err
    assert f"order {orders[0]['order_id']}: waybill_no: Code128 of" in err
    assert "quiet zones" in err
    assert not (tmp_path / "png").exists()  # the folder this run made is gone with its labels


def test_text_that_is_shrunk_or_cut_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = sample_dicts()[:1]
    orders[0]["recipient"]["address"] = "文三路478号华星时代广场A座1203室" * 6
    path = write_orders(tmp_path / "orders.jsonl", orders)
    assert render(path, "-t", "76x130", "-o", tmp_path / "png", "--shop", SAMPLE_SHOP) == 0
    err = capsys.readouterr().err
    assert f"order {orders[0]['order_id']}: recipient.address: shrunk from 3.2 mm" in err
    assert f"order {orders[0]['order_id']}: recipient.address: cut with an ellipsis" in err


def test_a_character_missing_from_the_font_is_a_warning_and_a_visible_box(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = sample_dicts()[:1]
    orders[0]["remark"] = "请轻放😀"
    path = write_orders(tmp_path / "orders.jsonl", orders)
    assert render(path, "-t", "100x180", "-f", "pdf", "-o", tmp_path / "a.pdf", "--shop", SAMPLE_SHOP) == 0
    err = capsys.readouterr().err
    assert f"order {orders[0]['order_id']}: remark: the font has no glyph for '😀' (U+1F600)" in err
    text = PdfReader(tmp_path / "a.pdf").pages[0].extract_text()
    assert "请轻放" in text


def test_a_user_font_that_cannot_be_used_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "font.ttf"
    bogus.write_bytes(b"not a font")
    assert render(SAMPLE_ORDERS, "-t", "100x180", "-o", tmp_path / "png", "--font", bogus) == 4
    assert "cannot use font" in capsys.readouterr().err


def test_templates_lists_the_built_ins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    for name in ("76x130", "100x150", "100x180"):
        assert name in out


@pytest.mark.parametrize("name", ["76x130", "100x150", "100x180"])
def test_built_in_templates_pass_their_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", name]) == 0
    assert ": ok (" in capsys.readouterr().out


BROKEN = """
[label]
width_mm = 76
height_mm = 130

[[elements]]
type = "text"
x = 2
y = 2
w = 30
h = 5
size = 3
text = "{recipient.nmae}"

[[elements]]
type = "text"
x = 60
y = 2
w = 30
h = 5
size = 3
text = "off the page"

[[elements]]
type = "text"
x = 2
y = 10
w = 30
h = 5
size = 3
min_size = 1
text = "tiny"

[[elements]]
type = "barcode"
x = 2
y = 20
w = 20
h = 8
data = "{waybill_no}"
"""


def test_check_reports_every_problem_of_a_broken_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    assert main(["templates", "check", str(path)]) == 4
    err = capsys.readouterr().err
    assert "unknown field 'recipient.nmae'" in err
    assert "off the page: x 60..90 mm" in err
    assert "below the legible minimum" in err

    fixed = BROKEN.replace("recipient.nmae", "recipient.name").replace("x = 60", "x = 40").replace("min_size = 1", "")
    path.write_text(fixed, encoding="utf-8")
    assert main(["templates", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "problem: at 203 dpi: order" in out
    assert "Code128 of" in out


def test_demo_renders_the_samples_and_prints_them_on_the_simulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "-o", str(tmp_path / "demo")]) == 0
    pngs = list((tmp_path / "demo" / "png").glob("*.png"))
    assert len(pngs) >= 21
    assert len(PdfReader(tmp_path / "demo" / "labels.pdf").pages) == len(pngs)
    printed = sorted((tmp_path / "demo" / "printer").glob("*.png"))
    assert len(printed) == len(pngs)
    with Image.open(printed[0]) as first:
        assert decoded_code128(first) == [sample_orders()[0].waybill_no] * 2
    out = capsys.readouterr().out
    assert str(tmp_path / "demo") in out
    assert f"{len(pngs)} labels printed" in out
    assert "numbers: 3 orders got theirs from the bundled segments.csv" in out
    # The three sample orders numbered by the demo were printed but have no tracking yet: not picked up.
    assert "3 stalled, 3 at risk, 4 not picked up" in out
    report = (tmp_path / "demo" / "stall-report.html").read_text(encoding="utf-8")
    assert "Whom to chase first" in report and sample_orders()[0].waybill_no in report
    # The bundled invoice requests: every level, two points incurred (one issued after its penalty), two at stake.
    assert "7 invoices to issue, 2 of 6 points incurred, 2 at stake" in out
    start = report.index("Invoices to issue")
    section = report[start : report.index("<h2>", start)]
    assert "Points: 2 of 6</b> incurred in the last 30 days; <b>2</b> more at stake" in section
    assert section.index("TB3920417730004137") < section.index("TB3920417730005516")  # the sooner penalty first
    assert "TB3920417730008274" not in section  # issued (after its penalty)


def test_the_demo_run_again_in_its_folder_prints_its_labels_again_as_recorded_reprints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    assert main(["demo", "-o", str(folder)]) == 0
    labels = len(list((folder / "printer").glob("*.png")))
    capsys.readouterr()
    assert main(["demo", "-o", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"{labels} labels printed on a simulated tspl-203 printer" in out
    assert f"{labels} of them reprints (补打: this folder's store printed them before), job 2" in out
    first, second = Journal(open_database(str(folder / "waybill.db"))).jobs()[::-1]
    assert (first.reprints, second.reprints, second.counts["printed"]) == (0, labels, labels)

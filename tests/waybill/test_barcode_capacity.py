"""Every real waybill number fits every built-in template at 203 and 300 dpi, and the limits are told honestly.

The table: one number of each carrier format of REFERENCE §7 (JD with its multi-parcel suffixes) and
24-character worst cases for Code128's code sets, on every built-in template at both resolutions, rendered
and decoded with zxing-cpp (main, second and continuation barcodes).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.waybill.labels import (
    NOW,
    SAMPLE_ORDERS,
    SAMPLE_SHOP,
    TEMPLATES,
    decoded_code128,
    labels_of,
    long_order,
    sample_shop,
)
from waybill.errors import LayoutError
from waybill.fonts import load_font
from waybill.layout.codes import Capacity, code128_capacity, code128_modules, code128_rects, code128_width, module_sizes
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.render.raster import rasterize
from waybill.template import BarcodeElement, load_template, resolve_template
from waybill.template_parse import parse_template
from waybill.units import DPI_CHOICES, dots_per_mm


def _s10(prefix: str, serial: str, country: str) -> str:
    """A UPU S10 item number (international EMS) with its check digit."""
    check = 11 - sum(w * int(d) for w, d in zip((8, 6, 4, 2, 3, 5, 9, 7), serial, strict=True)) % 11
    digit = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{serial}{digit}{country}"


NUMBERS = {
    "SF": "SF1402758391046",
    "YTO": "YT7512930486271",
    "JT": "JT5038174620913",
    "ZTO": "781234567890",
    "ZTO-14": "73123456789012",
    "STO-14": "77123456789012",
    "STO-17": "43123456789012345",
    "YUNDA-15": "312345678901234",
    "YUNDA-13": "5123456789012",
    "EMS": "9876543210987",
    "EMS-intl": _s10("EA", "47291836", "CN"),
    "JDVA": "JDVA00731209458",
    "JD": "JD0012345678901",
    "JD-parcel": "JD0012345678901-1-1-",
    "JD-parcel-big": "JD0012345678901-120-150-",
    "worst-letters": "ABCDEFGHJKLMNPQRSTUVWXYZ",  # 24 characters in code set B, none in C
    "worst-mixed": "A1B2C3-D4E5F6-G7H8J9-K0L",  # single digits: C never pays
    "digits-24": "123456789012345678901234",
    "digits-23": "12345678901234567890123",  # odd: one digit in set B, longer than 24 digits
}


@pytest.mark.parametrize("number", NUMBERS.values(), ids=NUMBERS.keys())
@pytest.mark.parametrize("dpi", DPI_CHOICES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_number_renders_and_every_barcode_decodes_to_it(template: str, dpi: int, number: str) -> None:
    assert len(number) <= 24
    order = replace(long_order(), waybill_no=number)  # the long pick list: a continuation label too
    labels = labels_of(order, template, dpi)
    assert len(labels) >= 2
    for label in labels:
        expected = 2 if label.page == 1 else 1  # main + second barcode; continuations carry one
        assert decoded_code128(rasterize(label)) == [number] * expected, f"page {label.page}"


def test_no_digit_pattern_makes_a_longer_symbol_than_no_digits() -> None:
    # Code set choice depends only on where the digits are; the capacity's worst case is a number without.
    for length in range(1, 13):
        letters = len(code128_modules("A" * length))
        for pattern in itertools.product("A1", repeat=length):
            assert len(code128_modules("".join(pattern))) <= letters


@pytest.mark.parametrize("module", [2, 3, 4])
def test_capacity_is_the_longest_number_that_draws(module: int) -> None:
    for length in range(300, 1100, 97):  # up to 99 characters, the most counted
        capacity = code128_capacity(length, module)
        for number, count in (("A", capacity.characters), ("1", capacity.digits)):
            for shorter in range(1, count + 1):
                code128_rects(number * shorter, 0, 0, length, 40, [module])
            assert code128_width(number * (count + 1)) * module > length


def test_modules_are_never_thinner_than_min_module() -> None:
    assert module_sizes(0.375, 0.25, 8.0) == (3, 2)
    assert module_sizes(0.375, 0.25, 300 / 25.4) == (4, 3)  # 0.25 mm is 2.95 dots: 3, never 2
    assert module_sizes(0.25, 0.3, 8.0) == (3,)  # 2.4 dots rounds up


def test_a_vertical_barcode_runs_down_its_box_and_decodes() -> None:
    bars = code128_rects("JD0012345678901-1-1-", 10, 5, 60, 700, [2], vertical=True)
    assert {bar.x for bar in bars} == {10} and {bar.w for bar in bars} == {60}
    assert min(bar.y for bar in bars) >= 5 + 20 and max(bar.y + bar.h for bar in bars) <= 705 - 20
    image = Image.new("L", (80, 720), 255)
    draw = ImageDraw.Draw(image)
    for bar in bars:
        draw.rectangle((bar.x, bar.y, bar.x + bar.w - 1, bar.y + bar.h - 1), fill=0)
    assert decoded_code128(image) == ["JD0012345678901-1-1-"]


def waybill(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "waybill", *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("dpi", DPI_CHOICES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_check_reports_the_limit_the_layout_keeps(template: str, dpi: int) -> None:
    checked = waybill("templates", "check", template, "--dpi", str(dpi))
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert f"at {203 if dpi == 300 else 300} dpi" not in out
    reported: dict[str, tuple[int, int]] = {}
    for line in out.splitlines():
        if f"  {dpi} dpi, " in line:
            element_name, rest = line.strip().split(f"  {dpi} dpi, ")
            characters = int(rest.split(": ")[1].split(" characters of A-Z 0-9 - (any mix), ")[0])
            digits = int(rest.split("(any mix), ")[1].removesuffix(" digits"))
            reported[element_name.strip()] = (characters, digits)
    parsed = load_template(template)
    barcodes = {
        f"{section}: {element.id}": element
        for section, elements in (("elements", parsed.elements), ("continuation", parsed.continuation))
        for element in elements
        if isinstance(element, BarcodeElement)
    }
    assert set(reported) == set(barcodes)
    shortest = min(reported.values())
    assert shortest[0] >= 24 and shortest[1] >= 24
    dpmm = dots_per_mm(dpi)
    for name, element in barcodes.items():
        length = round((element.box.h if element.vertical else element.box.w) * dpmm)
        module = module_sizes(element.module, element.min_module, dpmm)[-1]
        assert code128_capacity(length, module) == Capacity(*reported[name])
    # The layout draws the template's limit and refuses one character more, naming the limit.
    font, options = load_font(), LayoutOptions(dpi=dpi, shop=sample_shop())
    layout_order(replace(long_order(), waybill_no="A" * shortest[0]), parsed, font, options, now=NOW)
    with pytest.raises(LayoutError) as refused:
        layout_order(replace(long_order(), waybill_no="A" * (shortest[0] + 1)), parsed, font, options, now=NOW)
    assert f"carries at most {shortest[0]} characters at {dpi} dpi" in str(refused.value)


def test_a_number_too_long_for_the_template_skips_only_that_order(tmp_path: Path) -> None:
    orders = [json.loads(line) for line in SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines()[:3]]
    orders[1]["waybill_no"] = "JDABCDEFGHJKLMNPQRSTUVWXYZABCDE"  # 31 characters, none in code set C
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in orders), encoding="utf-8")
    args = ("render", path, "-t", "100x180", "--dpi", "300", "--shop", SAMPLE_SHOP)

    stopped = waybill(*args, "-o", tmp_path / "stopped")
    assert stopped.returncode == 4
    assert "this template's main barcode carries at most 29 characters at 300 dpi" in stopped.stderr
    assert not (tmp_path / "stopped").exists() or not any((tmp_path / "stopped").iterdir())

    skipped = waybill(*args, "-o", tmp_path / "png", "--skip-invalid")
    assert skipped.returncode == 0, skipped.stderr
    assert f"skipped: order {orders[1]['order_id']}: waybill_no: " in skipped.stderr
    assert "1 order(s) skipped" in skipped.stdout
    written = {p.stem for p in (tmp_path / "png").glob("*.png")}
    assert {orders[0]["waybill_no"], orders[2]["waybill_no"]} == {w for w in written if "-" not in w}


def test_the_old_58_mm_second_barcode_names_its_limit_for_a_jd_parcel_number() -> None:
    # The 100x180 geometry of issue 17: the second barcode 58 mm wide beside the value-added marks.
    data = tomllib.loads(resolve_template("100x180").read_text(encoding="utf-8"))
    second = next(e for e in data["elements"] if e.get("id") == "waybill_no_small")
    second.update(w=58, module=0.25)
    narrow = parse_template(data, "narrow.toml")
    order = replace(long_order(), waybill_no=NUMBERS["JD-parcel"])
    options = LayoutOptions(dpi=300, shop=sample_shop())
    with pytest.raises(LayoutError) as refused:
        layout_order(order, narrow, load_font(), options, now=NOW)
    message = str(refused.value)
    assert message.startswith(f"order {order.order_id}: waybill_no_small: ")
    assert "this template's second barcode carries at most 15 characters at 300 dpi (28 if all digits)" in message
    assert layout_order(order, narrow, load_font(), replace(options, dpi=203), now=NOW).labels  # 2-dot modules fit


def test_a_barcode_of_text_outside_ascii_is_refused_naming_the_element() -> None:
    # reportlab's encoder dropped such characters: the bars carried less than the text under them.
    data = tomllib.loads(resolve_template("100x180").read_text(encoding="utf-8"))
    second = next(e for e in data["elements"] if e.get("id") == "waybill_no_small")
    second["data"] = "{order_id}"
    template = parse_template(data, "order-id.toml")
    order = replace(long_order(), order_id="订单20261201")
    with pytest.raises(LayoutError) as refused:
        layout_order(order, template, load_font(), LayoutOptions(dpi=203, shop=sample_shop()), now=NOW)
    assert str(refused.value) == (
        "order 订单20261201: waybill_no_small: cannot encode '订单20261201': Code128 cannot carry '订' (ASCII only)"
    )

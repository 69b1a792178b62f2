"""`waybill render -f escpos|tspl|zpl`: the printer stream of real labels decodes back to the PNG render dot
for dot, for every built-in template, every language and both resolutions, and its barcodes scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageChops

from printers.decode import crop_label, decode
from printers.profiles import get_profile
from tests.waybill.labels import (
    SAMPLE_ORDERS,
    SAMPLE_SHOP,
    TEMPLATES,
    decoded_code128,
    labels_of,
    long_order,
    sample_orders,
)
from waybill.app.cli import main
from waybill.render.raster import rasterize

PROFILES_300 = """
[profiles.escpos-300]
base = "escpos-4inch"
dpi = 300
head_width_dots = 1248
"""


def _orders_file(tmp_path: Path) -> Path:
    wanted = {sample_orders()[0].order_id, sample_orders()[9].order_id, long_order().order_id}
    lines = [
        line
        for line in SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines()
        if any(order_id in line for order_id in wanted)
    ]
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(
    ("fmt", "profile", "dpi"),
    [
        ("escpos", "escpos-4inch", 203),
        ("escpos", "escpos-300", 300),
        ("tspl", "tspl-203", 203),
        ("tspl", "tspl-300", 300),
        ("zpl", "zpl-203", 203),
        ("zpl", "zpl-300", 300),
    ],
)
def test_printer_stream_decodes_to_the_png_render(
    tmp_path: Path, template: str, fmt: str, profile: str, dpi: int
) -> None:
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(PROFILES_300, encoding="utf-8")
    orders = _orders_file(tmp_path)
    stream = tmp_path / f"labels.{fmt}"

    code = main(
        [
            "render",
            str(orders),
            "-t",
            template,
            "-f",
            fmt,
            "--profile",
            profile,
            "--profiles",
            str(profiles),
            "--shop",
            str(SAMPLE_SHOP),
            "-o",
            str(stream),
        ]
    )

    assert code == 0
    printer = get_profile(profile, profiles)
    expected = [
        (order, label)
        for order in sample_orders()
        if order.order_id in orders.read_text()
        for label in labels_of(order, template, dpi)
    ]
    result = decode(stream.read_bytes(), profile=printer)
    assert result.unknown == []
    assert len(result.labels) == len(expected) >= 4
    for decoded, (order, label) in zip(result.labels, expected, strict=True):
        image = crop_label(decoded, printer, (label.width, label.height))
        rendered = rasterize(label)
        assert ImageChops.difference(image.convert("L"), rendered.convert("L")).getbbox() is None
        assert decoded_code128(image) == [order.waybill_no] * (2 if label.page == 1 else 1)
        if fmt == "zpl":  # compressed graphics: at most a quarter of the raw bitmap
            assert decoded.end - decoded.start <= (label.width + 7) // 8 * label.height / 4


def test_a_label_wider_than_the_head_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "render",
            str(_orders_file(tmp_path)),
            "-t",
            "100x180",
            "-f",
            "escpos",
            "--profile",
            "escpos-80mm",
            "--shop",
            str(SAMPLE_SHOP),
            "-o",
            str(tmp_path / "x.bin"),
        ]
    )
    assert code == 5
    assert "576" in capsys.readouterr().err
    assert not (tmp_path / "x.bin").exists()


def test_a_profile_of_the_other_language_or_resolution_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = str(_orders_file(tmp_path))
    assert (
        main(
            [
                "render",
                orders,
                "-f",
                "escpos",
                "--profile",
                "tspl-203",
                "-o",
                str(tmp_path / "a"),
                "--shop",
                str(SAMPLE_SHOP),
                "-t",
                "100x180",
            ]
        )
        == 2
    )
    assert "speaks tspl, not escpos" in capsys.readouterr().err
    assert (
        main(
            [
                "render",
                orders,
                "-f",
                "tspl",
                "--profile",
                "tspl-300",
                "--dpi",
                "203",
                "-o",
                str(tmp_path / "b"),
                "--shop",
                str(SAMPLE_SHOP),
                "-t",
                "100x180",
            ]
        )
        == 5
    )
    assert "laid out at 203 dpi" in capsys.readouterr().err

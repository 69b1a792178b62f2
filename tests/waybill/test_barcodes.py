"""Every barcode on every rendered label scans (zxing-cpp, an independent decoder) to the waybill number."""

from __future__ import annotations

import pytest

from tests.waybill.labels import TEMPLATES, decoded_code128, labels_of, sample_orders
from waybill.layout.codes import QUIET_MODULES, code128_modules, code128_rects
from waybill.render.raster import rasterize


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_barcode_on_every_label_decodes_to_the_waybill_number(template: str, dpi: int) -> None:
    for order in sample_orders():
        for label in labels_of(order, template, dpi):
            decoded = decoded_code128(rasterize(label))
            expected = 2 if label.page == 1 else 1  # main + second barcode; continuations carry one
            assert decoded == [order.waybill_no] * expected, f"{label.file_stem} page {label.page}"


def test_the_encoding_uses_code_set_c_for_digit_runs() -> None:
    # Start B, S, F, 1, switch to C, six digit pairs, check = 12 symbols of 11 modules + a 13-module stop.
    assert len(code128_modules("SF1000731000000")) == 12 * 11 + 13
    assert code128_modules("SF1000731000000").startswith("11010010000")  # Start B


def test_bars_sit_on_whole_dots_with_quiet_zones_and_prefer_the_widest_module() -> None:
    modules = code128_modules("SF1000731000000")
    wide_enough = (len(modules) + 2 * QUIET_MODULES) * 3
    bars = code128_rects("SF1000731000000", 10, 0, wide_enough, 50, [3, 2])
    assert all(bar.w % 3 == 0 for bar in bars)
    assert bars[0].x - 10 >= QUIET_MODULES * 3
    assert 10 + wide_enough - (bars[-1].x + bars[-1].w) >= QUIET_MODULES * 3

    narrower = code128_rects("SF1000731000000", 0, 0, wide_enough - 1, 50, [3, 2])
    assert {bar.w % 2 for bar in narrower} == {0}
    assert sum(bar.w for bar in narrower) == modules.count("1") * 2

"""Every built-in template renders pixel-exactly as its golden 1-bit PNG (tests/golden/).

After a deliberate change to the look of a label, rewrite them with ``pytest --update-golden`` and look at
the new images before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.waybill.labels import TEMPLATES, labels_of, long_order, sample_orders
from waybill.render.raster import rasterize

GOLDEN = Path(__file__).parent.parent / "golden"
STOCK_DOTS = {
    ("76x130", 203): (608, 1040),
    ("100x150", 203): (800, 1200),
    ("100x180", 203): (800, 1440),
    ("76x130", 300): (898, 1535),
    ("100x150", 300): (1181, 1772),
    ("100x180", 300): (1181, 2126),
}


def _golden_orders() -> list[str]:
    """A plain order, one with COD and a landline, one with a scheduled date, and the long pick list."""
    orders = sample_orders()
    plain = orders[0]
    cod = next(o for o in orders if o.cod_amount and not o.recipient.phone.startswith("1"))
    scheduled = next(o for o in orders if o.scheduled_delivery)
    return [plain.order_id, cod.order_id, scheduled.order_id, long_order().order_id]


CASES = [(t, 203) for t in TEMPLATES] + [("100x180", 300)]


@pytest.mark.parametrize(("template", "dpi"), CASES)
def test_labels_match_their_golden_images(template: str, dpi: int, update_golden: bool) -> None:
    folder = GOLDEN / f"{template}-{dpi}"
    wanted = set(_golden_orders())
    compared = 0
    for order in (o for o in sample_orders() if o.order_id in wanted):
        for label in labels_of(order, template, dpi):
            image = rasterize(label)
            assert image.mode == "1"
            assert image.size == STOCK_DOTS[(template, dpi)]
            path = folder / f"{label.file_stem}.png"
            if update_golden:
                folder.mkdir(parents=True, exist_ok=True)
                image.save(path)
                continue
            golden = Image.open(path)
            difference = ImageChops.difference(image.convert("L"), golden.convert("L")).getbbox()
            assert difference is None, f"{path.name} differs from its golden image in the box {difference}"
            compared += 1
    assert update_golden or compared >= 5  # the long pick list adds at least one continuation label

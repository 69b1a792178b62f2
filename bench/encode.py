"""Time the printer encoders: ms per label and bytes per label, for every built-in profile.

The label is a synthetic waybill-like raster (frame, region rules, lines of text-like strokes, a barcode,
a QR-like block) of 100 x 180 mm: 800 x 1440 dots at 203 dpi, 1181 x 2126 at 300 dpi; the 80 mm receipt
profile gets a 576-dot wide strip. ``--image PNG`` times a real 1-bit render instead (same image for all
profiles that can hold it). Random noise, the worst case for packing and hazard defusing, is shown too.

For ZPL profiles the two ^GFA compressions are shown side by side (the encoder sends the shorter).

Native profiles draw laid-out labels, not rasters: they are measured on the bundled sample orders laid out
with the 100x180 template (every page, pick-list continuations too), next to the same labels as rasters.

    python bench/encode.py [--labels 200] [--image label.png]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from datetime import datetime

from PIL import Image, ImageDraw

from printers.encode import encode_label_for_session, encode_labels, raster
from printers.encode.zpl_graphics import acs, z64
from printers.layout_fonts import layout_font
from printers.profiles import BUILTIN_PROFILES, PrinterProfile
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.orders import load_orders
from waybill.samples import sample_path
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING


def waybill_like(size: tuple[int, int], seed: int = 1) -> Image.Image:
    width, height = size
    rng = random.Random(seed)
    image = Image.new("1", size, 255)
    draw = ImageDraw.Draw(image)
    scale = width / 800
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=round(3 * scale))
    for fraction in (0.12, 0.3, 0.55, 0.7, 0.85):
        draw.line((0, height * fraction, width, height * fraction), fill=0, width=round(2 * scale))
    glyph = round(24 * scale)
    for top in [
        *range(round(20 * scale), round(height * 0.3), glyph + 8),
        *range(round(height * 0.72), height - glyph, glyph + 6),
    ]:
        x = round(16 * scale)
        while x < width - glyph * 2:
            if rng.random() < 0.1:
                x += glyph  # a space
                continue
            for _ in range(rng.randint(3, 7)):  # strokes of one CJK-ish glyph
                gx, gy = x + rng.randrange(glyph), top + rng.randrange(glyph)
                draw.line(
                    (gx, gy, gx + rng.randint(-glyph // 2, glyph // 2), gy + rng.randint(0, glyph // 2)),
                    fill=0,
                    width=2,
                )
            x += glyph + 2
    x, bar_top = round(60 * scale), round(height * 0.32)
    while x < width - 60 * scale:  # barcode
        bar = rng.choice((2, 4, 6, 8))
        draw.rectangle((x, bar_top, x + bar - 1, bar_top + round(height * 0.15)), fill=0)
        x += bar + rng.choice((2, 4, 6, 8))
    module = round(6 * scale)  # QR-like block
    left, top = width - 40 * module, round(height * 0.56)
    for row in range(33):
        for column in range(33):
            if rng.random() < 0.5:
                draw.rectangle(
                    (
                        left + column * module,
                        top + row * module,
                        left + (column + 1) * module - 1,
                        top + (row + 1) * module - 1,
                    ),
                    fill=0,
                )
    return image


def noise(size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("1", size, random.Random(2).randbytes((size[0] + 7) // 8 * size[1]))


def label_size(profile: PrinterProfile) -> tuple[int, int]:
    size = (profile.dots(100), profile.dots(180))
    return size if size[0] <= profile.head_width_dots else (profile.head_width_dots, size[1])


def measure(image: Image.Image, profile: PrinterProfile, count: int) -> tuple[float, float, int, int]:
    """(median ms, best ms, bytes, altered dots) per label, encoding ``count`` labels as one streamed job."""
    times: list[float] = []
    total = altered = 0

    stream = encode_labels(itertools.repeat(image, count), profile)
    for _ in range(count):
        start = time.perf_counter()
        label = next(stream)
        times.append((time.perf_counter() - start) * 1000)
        total, altered = len(label.data), len(label.altered_dots)
    return statistics.median(times), min(times), total, altered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=200, help="labels per measurement")
    parser.add_argument("--image", help="a 1-bit PNG label render to time instead of the synthetic label")
    args = parser.parse_args()
    real = Image.open(args.image).convert("1") if args.image else None
    packer = "numpy" if raster.NUMPY_PACKING else "Pillow (numpy not installed)"
    print(f"bit packing: {packer}; {args.labels} labels each")
    print(f"{'profile':<14}{'label':<8}{'size':>11}{'ms/label':>10}{'best ms':>9}{'bytes/label':>13}{'defused':>9}")
    for profile in BUILTIN_PROFILES.values():
        if profile.native:
            continue  # measured on laid-out sample labels below
        kinds = {"waybill": real or waybill_like(label_size(profile)), "noise": noise(label_size(profile))}
        for kind, image in kinds.items():
            if image.width + profile.offset_x_dots > profile.head_width_dots:
                print(f"{profile.name:<14}{kind:<8}  {image.width}x{image.height} does not fit the head")
                continue
            median, best, size, altered = measure(image, profile, args.labels)
            dims = f"{image.width}x{image.height}"
            print(f"{profile.name:<14}{kind:<8}{dims:>11}{median:>10.2f}{best:>9.2f}{size:>13,}{altered:>9}")
            if profile.language == "zpl":
                row_bytes, packed = raster.pack_black(image)
                print(f"{'':<22}^GFA data: Z64 {len(z64(packed)):,} B, ACS {len(acs(packed, row_bytes)):,} B")
    sample_labels()


def sample_labels() -> None:
    """Bytes and ms per label of the sample orders on the 100x180 template, raster and native."""
    shop = load_shop(sample_path("shop.toml"))
    orders = load_orders(sample_path("orders.jsonl"), shop).orders
    now = datetime(2026, 11, 27, 10, 30, tzinfo=BEIJING)
    print("\nsample orders on the 100x180 template (laid out once; encoding timed, rasterising included):")
    print(f"{'profile':<21}{'labels':>7}{'ms/label':>10}{'bytes/label':>13}{'largest':>9}")
    for name in ("tspl-203", "tspl-203-native", "zpl-203", "zpl-203-native", "escpos-4inch", "escpos-4inch-native"):
        profile = BUILTIN_PROFILES[name]
        options = LayoutOptions(dpi=profile.dpi, shop=shop)
        font = layout_font(profile, load_font())
        labels = [lb for o in orders for lb in layout_order(o, load_template("100x180"), font, options, now=now).labels]
        times, sizes = [], []
        for label in labels:
            start = time.perf_counter()
            sizes.append(len(encode_label_for_session(label, profile).data))
            times.append((time.perf_counter() - start) * 1000)
        mean = statistics.mean(sizes)
        print(f"{name:<21}{len(labels):>7}{statistics.median(times):>10.2f}{mean:>13,.0f}{max(sizes):>9,}")


if __name__ == "__main__":
    main()

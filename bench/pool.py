"""Printer pool throughput against N simulated printers over loopback TCP (nothing to set up):

one job of N x L one-label orders (100 x 180 mm) on a pool of N TSPL printers at the head's speed (default
152 mm/s). Printed: labels per hour while the pool prints (first label started → last label out) against
N x one printer's head ceiling (target >= 95 %), the whole job from submit (layout, journal) to the last
label, and the peak RSS of the process (simulators included: they run in-process).

    python bench/pool.py [--printers 1 2 4] [--labels 40] [--speed 152]
"""

from __future__ import annotations

import argparse
import itertools
import resource
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from printers.pool_file import PrinterSpec
from printers.pools import Pool
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from waybill.database import open_database
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions, layout_order
from waybill.model import Order
from waybill.orders import load_orders
from waybill.samples import sample_path
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING

PROFILE = get_profile("tspl-203")
SHOP = sample_path("shop.toml")


def one_label_orders(count: int) -> list[Order]:
    """``count`` orders of one label each: the samples repeated under new order ids and waybill numbers."""
    shop = load_shop(SHOP)
    template, font, options = load_template("100x180"), load_font(), LayoutOptions(shop=shop)
    now = datetime.now(BEIJING)
    samples = [
        order
        for order in load_orders(sample_path("orders.jsonl"), shop).orders
        if len(layout_order(order, template, font, options, now=now).labels) == 1
    ]
    return [
        replace(base, order_id=f"POOL{n:06d}", waybill_no=f"PL{n:012d}")
        for n, base in zip(range(count), itertools.cycle(samples), strict=False)
    ]


def run(printers: int, per_printer: int, speed: float, folder: Path) -> None:
    orders = one_label_orders(printers * per_printer)
    engine = open_database(str(folder / f"pool-{printers}.db"))
    with ExitStack() as stack:
        sims = [
            stack.enter_context(PrinterSimulator("tspl", PROFILE, speed_mm_s=speed, keep_images=False))
            for _ in range(printers)
        ]
        specs = [PrinterSpec(f"p{n + 1}", sim.uri, PROFILE) for n, sim in enumerate(sims)]
        with Pool("bench", specs, engine, grace=60.0) as pool:
            started = time.monotonic()
            job = pool.submit(orders, "100x180", shop=SHOP)
            assert job.wait(timeout=3600), "the pool job did not finish"
            for sim in sims:
                assert sim.wait_idle(timeout=60)
            elapsed = time.monotonic() - started
            status = job.status()
    printed = [label for sim in sims for label in sim.printed]
    assert len(printed) == len(orders) == status.printed, (len(printed), len(orders), status.printed)
    window = max(p.finished for p in printed) - min(p.started for p in printed)
    ceiling = printers * 3600 / ((180 + PROFILE.gap_mm) / speed)
    rate = len(printed) / window * 3600
    whole = len(printed) / elapsed * 3600
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"pool of {printers}: {len(printed)} labels, printing {window:6.1f} s: {rate:,.0f} labels/h; "
        f"ceiling {ceiling:,.0f}/h → {rate / ceiling:.1%}; submit → last label {elapsed:.1f} s "
        f"({whole:,.0f}/h, {whole / ceiling:.1%}); peak RSS {rss:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--labels", type=int, default=40, help="labels per printer")
    parser.add_argument("--speed", type=float, default=152.0, help="head speed, mm/s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for count in args.printers:
            run(count, args.labels, args.speed, Path(folder))


if __name__ == "__main__":
    main()

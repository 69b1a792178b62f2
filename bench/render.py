"""Render N labels of the bundled sample orders to 1-bit rasters in memory, to PNG files and to one PDF.

Prints labels per second for each and the peak memory of the process (ru_maxrss), which must not grow with
N (the PNGs and the PDF go to a temporary folder): run it with --labels 1000 and --labels 10000 and compare.
Each measurement runs in its own process so one does not inherit the other's peak. Whole-process figures
(start-up included) are bench/cli.py's.

    python bench/render.py [--labels 1000] [--template 100x180] [--dpi 203]
"""

from __future__ import annotations

import argparse
import itertools
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from machine import as_a_user_runs_it, describe

from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions
from waybill.layout.label import Label
from waybill.orders import load_orders
from waybill.output import PngFolder, write_all
from waybill.pipeline import LabelJob, labels_for
from waybill.render.pdf import PdfWriter
from waybill.render.raster import rasterize
from waybill.samples import sample_path
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING


def labels(count: int, template: str, dpi: int) -> Iterator[Label]:
    """``count`` labels of the samples cycled under new waybill numbers (PNG files are named by them)."""
    shop = load_shop(sample_path("shop.toml"))
    # The samples that carry their number (the others take one from the store: bench/number_pool.py).
    orders = tuple(o for o in load_orders(sample_path("orders.jsonl"), shop).orders if o.waybill_no)
    job = LabelJob(load_template(template), load_font(), LayoutOptions(dpi=dpi, shop=shop), datetime.now(BEIJING))
    renamed = (
        replace(order, order_id=f"BENCH{n:06d}", waybill_no=f"BN{n:012d}")
        for n, order in enumerate(itertools.cycle(orders))
    )
    stream = labels_for(renamed, job, on_warning=lambda warning: None)
    return itertools.islice(stream, count)


def measure(kind: str, count: int, template: str, dpi: int) -> None:
    load_font()  # once per process (from the font cache after the first run); not a per-label cost
    started = time.perf_counter()
    size = 0
    if kind == "raster":
        for label in labels(count, template, dpi):
            rasterize(label)
    elif kind == "png":
        with tempfile.TemporaryDirectory() as folder:
            written = write_all(PngFolder(Path(folder)), labels(count, template, dpi))
            size = sum(path.stat().st_size for path in written.paths)
    else:
        with tempfile.TemporaryFile() as sink:
            with PdfWriter(sink) as writer:
                for label in labels(count, template, dpi):
                    writer.add(label)
            size = sink.tell()
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra = f", {size / count / 1024:.1f} KiB/label" if size else ""
    print(f"{kind:<6} {count:>6} labels  {count / elapsed:8.1f} labels/s  peak {peak_mib:6.1f} MiB{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--template", default="100x180")
    parser.add_argument("--dpi", type=int, default=203)
    parser.add_argument("--only", choices=("raster", "png", "pdf"))
    args = parser.parse_args()
    as_a_user_runs_it()
    print(describe())
    if args.only:
        measure(args.only, args.labels, args.template, args.dpi)
        return
    print(f"template {args.template} at {args.dpi} dpi, one process per measurement, one core each")
    for kind in ("raster", "png", "pdf"):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--only",
                kind,
                "--labels",
                str(args.labels),
                "--template",
                args.template,
                "--dpi",
                str(args.dpi),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()

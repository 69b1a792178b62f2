"""Printing figures against the bundled simulator (nothing to set up):

1. a batch of N labels (default 200, 100 x 180 mm) at the head's speed (default 152 mm/s) over TCP: labels per
   hour against the physical ceiling for that label length (target ≥ 95 %); native profiles also over a serial
   line (the simulator behind a pty) at 115200 and 9600 baud, M labels each (target ≥ 90 % at 115200);
2. the print station: scan → first byte on the wire, p50 and p95 over S scans after warm-up (target p95 ≤ 50 ms);
   and the verifying station (`--verify`): the scan of an order's last unit → first byte (target p95 ≤ 20 ms);
3. bytes and seconds per label over TCP and over a serial line at 115200 and 9600 baud, per profile, raster
   and native (a raster label at 9600 baud takes minutes: its time is worked out from its bytes instead).

    python bench/print.py [--labels 200] [--serial-labels 20] [--speed 152] [--scans 60] [--skip-serial]
                          [--profile tspl-203 tspl-203-native escpos-4inch escpos-4inch-native zpl-203 zpl-203-native]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from printers.encode import encode_label_for_session
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.layout_fonts import layout_font
from printers.packing import PackingStation
from printers.printing import open_session, plan, run_job, start_batch
from printers.profiles import PrinterProfile, get_profile
from printers.session import PrinterSession
from printers.simulator import PrinterSimulator
from printers.station import Station
from printers.transports import open_transport
from waybill.catalog import load_catalog
from waybill.database import open_database
from waybill.fonts import load_font
from waybill.fonts.cells import resident_name
from waybill.layout.engine import LayoutOptions
from waybill.model import Order
from waybill.orders import load_orders
from waybill.pipeline import LabelJob
from waybill.samples import sample_path
from waybill.shop import load_shop
from waybill.template import load_template
from waybill.times import BEIJING

PROFILES = ("tspl-203", "tspl-203-native", "escpos-4inch", "escpos-4inch-native", "zpl-203", "zpl-203-native")
BAUDS = (115200, 9600)


def single_page_orders(count: int, job: LabelJob) -> list[Order]:
    """``count`` one-label orders: the samples repeated under new order ids and waybill numbers."""
    shop = load_shop(sample_path("shop.toml"))
    loaded = load_orders(sample_path("orders.jsonl"), shop).orders
    samples = [o for o in loaded if o.waybill_no and len(job.layout(o).labels) == 1]  # numbered ones suffice
    return [
        replace(base, order_id=f"BENCH{n:06d}", waybill_no=f"BN{n:012d}")
        for n, base in zip(range(count), itertools.cycle(samples), strict=False)
    ]


def label_job(profile: PrinterProfile) -> LabelJob:
    shop = load_shop(sample_path("shop.toml"))
    font = layout_font(profile, load_font())  # a native profile's labels fit its resident font
    return LabelJob(load_template("100x180"), font, LayoutOptions(dpi=profile.dpi, shop=shop), datetime.now(BEIJING))


def new_job(journal: Journal, orders: list[Order], job: LabelJob, profile: PrinterProfile, uri: str) -> int:
    planned = plan(orders, job, profile, skip_invalid=False)
    resident = resident_name(job.font)
    settings = JobSettings.capture(
        "100x180", sample_path("shop.toml"), None, job.options, job.now, resident_font=resident
    )
    return start_batch(journal, planned, settings, uri, profile).job_id


def batch(name: str, count: int, speed: float, folder: Path, baud: int | None = None) -> None:
    """``count`` labels at the head's speed, over TCP or (``baud``) a serial line."""
    profile = get_profile(name)
    job = label_job(profile)
    orders = single_page_orders(count, job)
    kind = f"serial {baud}" if baud else "tcp"
    engine = open_database(str(folder / f"batch-{name}-{baud}.db"))
    journal = Journal(engine)
    with PrinterSimulator(
        profile.language,
        profile,
        speed_mm_s=speed,
        serial=baud is not None,
        baud=baud,
        keep_images=False,
    ) as sim:
        job_id = new_job(journal, orders, job, profile, sim.uri)
        started = time.monotonic()
        with open_session(sim.uri, profile) as session:
            result = run_job(journal, job_id, journal.pending(job_id), session, on_fault="stop", progress=None)
        assert sim.wait_idle(timeout=600)
        elapsed = time.monotonic() - started
    head = (180 + profile.gap_mm) / speed
    ceiling = 3600 / head
    rate = count / elapsed * 3600
    print(
        f"batch  {name:<16} {kind:<12} {count} labels at {speed:g} mm/s: {elapsed:6.1f} s, {rate:,.0f} labels/h; "
        f"ceiling {ceiling:,.0f}/h → {rate / ceiling:.1%} ({result.confirmation}-confirmed, "
        f"{result.printed} printed)"
    )


def station(name: str, scans: int, folder: Path) -> None:
    profile = get_profile(name)
    job = label_job(profile)
    orders = single_page_orders(scans + 1, job)
    journal = Journal(open_database(str(folder / f"station-{name}.db")))
    settings = JobSettings.capture("100x180", sample_path("shop.toml"), None, job.options, job.now)
    with PrinterSimulator(profile.language, profile, speed_mm_s=5000, keep_images=False) as sim:
        session = PrinterSession(open_transport(sim.uri), profile)
        with session:
            desk = Station(journal, session, job, settings, {o.order_id: o for o in orders})
            desk.warm_up()
            desk.scan(orders[0].order_id, lambda *_: False)  # the first scan also settles the link
            desk.stats.latencies.clear()
            for order in orders[1:]:
                desk.scan(order.waybill_no, lambda *_: False)
            desk.close()
    values = sorted(desk.stats.latencies)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    p50 = statistics.median(values)
    print(
        f"station {name:<16} {len(values)} scans: scan → first byte p50 {p50 * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"
    )


def verify_station(name: str, orders_count: int, folder: Path) -> None:
    """Each order scanned, then every unit (its catalog barcode, or ``+``); the last unit prints the label."""
    profile = get_profile(name)
    job = label_job(profile)
    catalog = load_catalog(sample_path("catalog.csv"))
    orders = catalog.fill_all(single_page_orders(orders_count + 1, job))
    journal = Journal(open_database(str(folder / f"verify-{name}.db")))
    settings = JobSettings.capture("100x180", sample_path("shop.toml"), None, job.options, job.now)
    with PrinterSimulator(profile.language, profile, speed_mm_s=5000, keep_images=False) as sim:
        session = PrinterSession(open_transport(sim.uri), profile)
        with session:
            desk = PackingStation(
                journal, session, job, settings, {o.order_id: o for o in orders}, station_name="bench", catalog=catalog
            )
            desk.warm_up()
            for number, order in enumerate(orders):
                if number == 1:
                    desk.stats.latencies.clear()  # the first order also settles the link
                desk.scan(order.order_id, lambda *_: False)
                for item in order.items:
                    code = (catalog.codes_for(item) or ("+",))[0]
                    for _ in range(item.qty):
                        desk.scan(code, lambda *_: False)
            desk.close()
    values = sorted(desk.stats.latencies)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    print(
        f"verify  {name:<16} {len(values)} orders ({desk.pack.verified} verified): last unit → first byte "
        f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"
    )


def link(name: str, speed: float, folder: Path, baud: int | None = None) -> None:
    """Bytes and seconds per label with the head out of the way (a very fast head), over TCP or a serial line."""
    profile = get_profile(name)
    job = label_job(profile)
    kind = f"serial {baud}" if baud else "tcp"
    head = (180 + profile.gap_mm) / speed
    if baud is not None and not profile.native and baud < 115200:
        label = next(iter(job.layout(single_page_orders(1, job)[0]).labels))
        size = len(encode_label_for_session(label, profile).data)
        seconds = size / (baud / 10)
        print(
            f"link   {name:<16} {kind:<12} {size:,} bytes/label, {seconds:.2f} s/label worked out at {baud // 10} B/s "
            f"(the head at {speed:g} mm/s needs {head:.2f} s: {min(1.0, head / seconds):.1%} of its ceiling)"
        )
        return
    orders = single_page_orders(3 if baud is None or profile.native else 1, job)
    engine = open_database(str(folder / f"link-{kind}-{name}.db"))
    journal = Journal(engine)
    with PrinterSimulator(
        profile.language,
        profile,
        speed_mm_s=100000,
        serial=baud is not None,
        baud=baud,
        keep_images=False,
    ) as sim:
        job_id = new_job(journal, orders, job, profile, sim.uri)
        before = sim.received_bytes
        started = time.monotonic()
        with open_session(sim.uri, profile) as session:
            run_job(journal, job_id, journal.pending(job_id), session, on_fault="stop", progress=None)
        elapsed = time.monotonic() - started
        sent = sim.received_bytes - before
    seconds = elapsed / len(orders)
    print(
        f"link   {name:<16} {kind:<12} {sent / len(orders):,.0f} bytes/label, {seconds:.2f} s/label "
        f"(the head at {speed:g} mm/s needs {head:.2f} s: {min(1.0, head / seconds):.1%} of its ceiling)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=200)
    parser.add_argument("--serial-labels", type=int, default=20, help="labels per serial batch (native profiles)")
    parser.add_argument("--speed", type=float, default=152.0, help="head speed, mm/s")
    parser.add_argument("--profile", nargs="+", default=list(PROFILES), help="printer profiles to measure")
    parser.add_argument("--scans", type=int, default=60)
    parser.add_argument("--skip-serial", action="store_true", help="skip the serial-line measurements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.profile:
            station(name, args.scans, Path(folder))
            verify_station(name, args.scans, Path(folder))
        for name in args.profile:
            link(name, args.speed, Path(folder))
            if not args.skip_serial:
                for baud in BAUDS:
                    link(name, args.speed, Path(folder), baud)
        for name in args.profile:
            batch(name, args.labels, args.speed, Path(folder))
            if not args.skip_serial and get_profile(name).native:
                for baud in BAUDS:
                    batch(name, args.serial_labels, args.speed, Path(folder), baud)


if __name__ == "__main__":
    main()

"""Numbers per second from a pool (segments in the store), through ``assign_numbers`` as the commands call it:

1. SQLite, one process: batches of B orders (an orders file) and one order at a time (the print station);
2. PostgreSQL (a private schema on the local server), one process and P processes sharing the database.

Targets: ≥ 2,000/s on SQLite with one process, ≥ 1,000/s in total with 4 processes on PostgreSQL.

    python bench/number_pool.py [--orders 20000] [--batch 100] [--single 500] [--processes 4] [--postgres URL]
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder leads sys.path and its name would shadow the standard `numbers`.
if os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import argparse
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from machine import as_a_user_runs_it, describe

from waybill.database import database_url, open_database
from waybill.model import CARRIERS, Address, Item, Order
from waybill.numbers.assign import assign_numbers
from waybill.numbers.segments import parse_segments
from waybill.numbers.store import NumberStore
from waybill.shop import Shop, parse_shop

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("WAYBILL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHOP = """
[carriers.ZTO.branch]
name = "杭州余杭未来科技城"
code = "57155"
address = { name = "小鹿家居", phone = "0571-86001234", province = "浙江省", address = "荆长路1号" }
[carriers.ZTO.numbers]
source = "pool"
"""


def shop() -> Shop:
    return parse_shop(SHOP, "bench shop")


def orders(start: int, count: int) -> list[Order]:
    recipient = Address("张伟", "13812341234", "浙江省", "杭州市", "西湖区", "文三路478号")
    item = (Item("MUG", "陶瓷马克杯", 1),)
    return [Order(f"B{i:09d}", CARRIERS["ZTO"], "", recipient, None, item) for i in range(start, start + count)]


def prepare(url: str, size: int) -> None:
    store = NumberStore(open_database(url))
    text = f"carrier,branch_code,prefix,first,last\nZTO,57155,7831,1,{size:010d}\n"
    store.import_segments(parse_segments(text, "bench"), "bench")
    store.engine.dispose()


def assign(url: str, start: int, count: int, batch: int) -> float:
    """Seconds to number ``count`` orders ``batch`` at a time."""
    engine = open_database(url)
    work = orders(start, count)
    the_shop = shop()
    began = time.perf_counter()
    for first in range(0, count, batch):
        result = assign_numbers(engine, work[first : first + batch], the_shop)
        assert not result.refused, result.refused[0]
    seconds = time.perf_counter() - began
    engine.dispose()
    return seconds


def parallel(url: str, processes: int, offset: int, count: int, batch: int) -> float:
    """Wall seconds for ``processes`` workers to number ``count`` new orders each, started together."""
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url, str(offset + p * count), str(count), str(batch)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for child in children:  # each is ready once it prints its line; then all start at once
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    began = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        child.communicate(timeout=600)
        assert child.returncode == 0
    return time.perf_counter() - began


def worker(url: str, start: int, count: int, batch: int) -> None:
    engine = open_database(url)
    NumberStore(engine)
    print("ready", flush=True)
    sys.stdin.readline()
    assign(url, start, count, batch)


def report(what: str, numbers: int, seconds: float) -> None:
    print(f"  {what:<44} {numbers:>7,} numbers in {seconds:6.2f} s: {numbers / seconds:>8,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", type=int, default=500, help="orders numbered one at a time")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    as_a_user_runs_it()
    print(describe())
    if args.worker:
        url, start, count, batch = args.worker
        worker(url, int(start), int(count), int(batch))
        return
    size = (args.orders + args.single) * (args.processes + 1)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(str(Path(folder) / "bench.db"))
        prepare(url, size)
        print("SQLite (synchronous=FULL, WAL), one process:")
        report(f"batches of {args.batch}", args.orders, assign(url, 0, args.orders, args.batch))
        report("one order at a time", args.single, assign(url, args.orders, args.single, 1))
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(args.postgres)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
        prepare(url, size)
        print("PostgreSQL (127.0.0.1), private schema:")
        report(f"1 process, batches of {args.batch}", args.orders, assign(url, 0, args.orders, args.batch))
        report("1 process, one order at a time", args.single, assign(url, args.orders, args.single, 1))
        offset = args.orders + args.single
        seconds = parallel(url, args.processes, offset, args.orders, args.batch)
        report(f"{args.processes} processes together, batches of {args.batch}", args.orders * args.processes, seconds)
        offset += args.orders * args.processes
        seconds = parallel(url, args.processes, offset, args.single, 1)
        report(f"{args.processes} processes together, one at a time", args.single * args.processes, seconds)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()

"""Pool numbers in the store: in order, once, idempotent, cancellations, and concurrent assigners."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from waybill.database import open_database
from waybill.model import CARRIERS, Address, Item, Order
from waybill.numbers.assign import assign_numbers
from waybill.numbers.segments import parse_segments
from waybill.numbers.store import NumberStore, bindings, segments
from waybill.shop import Shop, parse_shop

ROOT = Path(__file__).resolve().parents[2]
SHOP_TOML = """
name = "小鹿家居"
[carriers.ZTO.branch]
name = "杭州余杭未来科技城"
code = "57155"
address = { phone = "0571-86001234", province = "浙江省", city = "杭州市", address = "荆长路1号" }
[carriers.ZTO.numbers]
source = "pool"
low_balance = 5
"""


def shop() -> Shop:
    return parse_shop(SHOP_TOML, "shop.toml")


def orders(ids: range | list[int], carrier: str = "ZTO", waybill_no: str = "") -> list[Order]:
    recipient = Address("张伟", "13812341234", "浙江省", "杭州市", "西湖区", "文三路478号")
    return [
        Order(f"TB{i:06d}", CARRIERS[carrier], waybill_no, recipient, None, (Item("MUG", "陶瓷马克杯", 1),))
        for i in ids
    ]


def store_with(db_url: str, rows: str) -> NumberStore:
    store = NumberStore(open_database(db_url))
    store.import_segments(parse_segments("carrier,branch_code,prefix,first,last\n" + rows, "s.csv"), "s.csv")
    return store


def test_numbers_come_in_order_across_segments_and_the_same_orders_get_the_same_numbers(db_url: str) -> None:
    store = store_with(
        db_url, "ZTO,57155,7831,1,0000000003\nZTO,57155,7832,0,0000000004\nZTO,99999,7839,0,0000000009\n"
    )
    first = assign_numbers(store.engine, orders(range(6)), shop())
    numbers = [o.waybill_no for o in first.orders]
    assert numbers == ["78310000000001", "78310000000002", "78310000000003"] + [
        f"783200000000{n:02d}" for n in range(3)
    ]
    assert (first.taken, first.kept, first.refused) == (6, 0, ())
    assert first.warnings == ("ZTO: only 2 number(s) left at pool (low_balance = 5)",)
    again = assign_numbers(store.engine, list(reversed(orders(range(7)))), shop())
    assert [o.waybill_no for o in again.orders] == ["78320000000003", *reversed(numbers)]
    assert (again.taken, again.kept) == (1, 6)
    assert [(b.total, b.used, b.cancelled, b.left) for b in store.pool_balances()] == [(8, 7, 0, 1), (10, 0, 0, 10)]


def test_an_empty_pool_refuses_the_orders_it_cannot_serve_and_serves_the_rest(db_url: str) -> None:
    store = store_with(db_url, "ZTO,57155,7831,1,0000000002\n")
    result = assign_numbers(store.engine, orders(range(4)), shop())
    assert [o.order_id for o in result.orders] == ["TB000000", "TB000001"]
    assert [o.order_id for o, _ in result.refused] == ["TB000002", "TB000003"]
    message = str(result.error())
    assert message.startswith("ZTO: the number pool of branch 57155 is empty") and "TB000002, TB000003" in message
    assert "\n" not in message


def test_a_carrier_without_a_source_and_a_number_of_another_order_are_refused(db_url: str) -> None:
    store = store_with(db_url, "ZTO,57155,7831,1,0000000009\n")
    given = assign_numbers(store.engine, orders([1]), shop()).orders[0].waybill_no
    result = assign_numbers(store.engine, [*orders([2], "YTO"), *orders([3], waybill_no=given)], shop())
    assert result.orders == ()
    assert [reason for _, reason in result.refused] == [
        "YTO: the shop profile names no number source ([carriers.YTO.numbers])",
        f"ZTO: {given} belongs to order TB000001",
    ]


def test_a_cancelled_number_is_never_given_again_and_its_order_gets_a_new_one(db_url: str) -> None:
    store = store_with(db_url, "ZTO,57155,7831,1,0000000009\n")
    first = assign_numbers(store.engine, orders(range(3)), shop()).orders
    store.cancel(first[1].waybill_no, "label torn")
    # The order comes back without its number, or with the cancelled one (the output of an earlier assign).
    for batch in (orders(range(4)), [*first, *orders([3])]):
        again = assign_numbers(store.engine, batch, shop())
        assert [o.waybill_no for o in again.orders] == [
            first[0].waybill_no,
            "78310000000004",
            first[2].waybill_no,
            "78310000000005",
        ]
    cancelled = store.cancellation(first[1].waybill_no)
    assert cancelled is not None and cancelled.cancel_reason == "label torn"
    assert [(b.total, b.used, b.cancelled, b.left) for b in store.pool_balances()] == [(9, 4, 1, 4)]
    # Without a source, the cancelled number is refused rather than printed.
    result = assign_numbers(store.engine, first[1:2], Shop())
    assert result.refused[0][1] == f"ZTO: {first[1].waybill_no} was cancelled (label torn); it is never printed again"


ASSIGNER = """
import json, sys
from tests.waybill.test_numbers_pool import orders, shop
from waybill.database import open_database
from waybill.numbers.assign import assign_numbers
engine = open_database(sys.argv[1])
ids = json.loads(sys.argv[2])
sys.stdin.readline()  # start together
got = {}
for start in range(0, len(ids), 7):
    result = assign_numbers(engine, orders(ids[start:start + 7]), shop())
    assert not result.refused, result.refused
    got.update((o.order_id, o.waybill_no) for o in result.orders)
print(json.dumps(got))
"""


@pytest.mark.timeout(240)
def test_concurrent_assigners_never_share_or_skip_a_number(db_url: str) -> None:
    """Five processes on one database, each order asked for by two of them at once."""
    store = store_with(db_url, "ZTO,57155,7831,1,0000000150\nZTO,57155,7832,1,0000001000\n")
    processes = 5
    per = 60
    work = [[(p * per + k) % (processes * per) for k in range(per * 2)] for p in range(processes)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ASSIGNER, db_url, json.dumps(ids)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ids in work
    ]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, err = child.communicate(timeout=200)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    merged: dict[str, str] = {}
    for result in results:
        for order_id, number in result.items():
            assert merged.setdefault(order_id, number) == number, f"{order_id} got two numbers"
    assert len(merged) == processes * per
    assert len(set(merged.values())) == len(merged)
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(bindings.c.segment_id, bindings.c.serial)).all()
        segment_rows = connection.execute(sa.select(segments.c.id, segments.c.first, segments.c.next)).all()
    # No gap: each segment's serials from first to next - 1 are all bound, and nothing beyond.
    expected = {(s.id, serial) for s in segment_rows for serial in range(s.first, s.next)}
    assert sorted(rows) == sorted(expected) and len(rows) == processes * per

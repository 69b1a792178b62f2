"""The pack-verification state machine, driven with plain values: orders, scanned codes, outcomes."""

from __future__ import annotations

import dataclasses

from printers.verify import Check, Counted, Forced, Opened, Outcome, PrintedBefore, Refused, Verifier
from tests.waybill.labels import sample_orders
from waybill.catalog import Catalog
from waybill.model import Item, Order

MUG, BOX, UPC = "6901234567892", "6901234567908", "036000291452"


def order(order_id: str, waybill_no: str, *items: Item) -> Order:
    return dataclasses.replace(sample_orders()[0], order_id=order_id, waybill_no=waybill_no, items=items)


FIRST = order(
    "T1",
    "SF0000000001",
    Item("BOX-L", "收纳箱", 2, location="D-3-02"),  # its barcodes come from the catalog
    Item("MUG", "马克杯", 1, location="A-2-03", barcode=MUG),
    Item("GIFT", "赠品贺卡", 1, location="B-1-01"),  # no barcode anywhere: confirmed by typing +
)
SECOND = order("T2", "SF0000000002", Item("CAN", "罐头", 1, location="A-1", barcode=UPC))
CATALOG = Catalog({"BOX-L": (BOX, "BOXL-CARTON")})


def verifier(printed: frozenset[str] = frozenset(), force: str | None = None) -> Verifier:
    orders = {o.order_id: o for o in (FIRST, SECOND)} | {o.waybill_no: o for o in (FIRST, SECOND)}
    return Verifier(orders.get, lambda o: o.order_id in printed, CATALOG, force_code=force)


def scans(desk: Verifier, *codes: str) -> list[Outcome]:
    return [desk.scan(code) for code in codes]


def refused(outcome: Outcome) -> Refused:
    """The outcome as the refusal it must be."""
    assert isinstance(outcome, Refused), outcome
    return outcome


def test_an_order_opens_with_its_lines_in_pick_list_order_and_completes_on_its_last_unit() -> None:
    desk = verifier()
    opened = desk.scan(FIRST.waybill_no)
    assert isinstance(opened, Opened) and opened.set_aside is None
    assert [(line.number, line.item.sku, line.by_hand) for line in opened.check.lines] == [
        (1, "MUG", False),
        (2, "GIFT", True),
        (3, "BOX-L", False),
    ]
    for code in (MUG, BOX, "+"):
        outcome = desk.scan(code)
        assert isinstance(outcome, Counted) and not outcome.check.complete
    assert opened.check.units_left == 1

    last = desk.scan("  BOXL-CARTON\r\n")  # the SKU's other catalog barcode; a line ending, stray spaces

    assert isinstance(last, Counted) and last.check.complete and last.line.item.sku == "BOX-L"
    assert last.check.by_hand == 1 and desk.current is None


def test_refusals_name_their_reason() -> None:
    desk = verifier()
    desk.scan(FIRST.order_id)
    desk.scan(MUG)
    wrong = desk.scan(UPC)  # a real product, of another order
    over = desk.scan(MUG)
    misread = desk.scan("6901234567893")
    unknown_row = desk.scan("+9")
    barcoded_row = desk.scan("+1")
    assert [(r.reason, r.detail) for r in map(refused, (wrong, over, misread, unknown_row, barcoded_row))] == [
        ("not in this order", ""),
        ("more than ordered", "MUG: 1 ordered, all counted"),
        ("misread", "EAN-13 check digit should be 2, not 3"),
        ("not in this order", "the pick list has rows 1-3"),
        ("needs a scan", "row 1 has a barcode: scan the goods"),
    ]
    assert all(isinstance(r, Refused) and r.check is not None and r.check.order is FIRST for r in (wrong, over))
    catalog_known = desk.scan("BOXL-CARTON")
    assert isinstance(catalog_known, Counted)  # a refusal never counts, and never blocks the next scan
    assert desk.current is not None and desk.current.counted == [1, 0, 1]


def test_the_catalog_names_a_wrong_product_and_upc_a_matches_in_either_form() -> None:
    desk = verifier()
    desk.scan(SECOND.order_id)
    wrong = desk.scan(BOX)
    assert isinstance(wrong, Refused) and wrong.detail == "the catalog has it as SKU BOX-L"
    done = desk.scan("0" + UPC)  # the scanner sends UPC-A as its 13-digit EAN form
    assert isinstance(done, Counted) and done.check.complete


def test_a_product_before_any_order_is_refused() -> None:
    desk = verifier()
    assert [(o.reason, o.check) for o in map(refused, scans(desk, MUG, "+", "NOPE"))] == [
        ("no order open", None),
        ("no order open", None),
        ("no order open", None),
    ]


def test_another_orders_code_sets_the_open_one_aside_and_it_resumes_with_its_counts() -> None:
    desk = verifier()
    desk.scan(FIRST.order_id)
    desk.scan(MUG)
    switched = desk.scan(SECOND.waybill_no)
    assert isinstance(switched, Opened) and switched.check.order is SECOND
    assert switched.set_aside is not None and switched.set_aside.order is FIRST
    assert [(line.item.sku, n) for line, n in switched.set_aside.missing()] == [("GIFT", 1), ("BOX-L", 2)]

    back = desk.scan(FIRST.order_id)
    assert isinstance(back, Opened) and back.resumed and back.check.counted == [1, 0, 0]
    assert back.set_aside is not None and back.set_aside.order is SECOND

    again = desk.scan(FIRST.waybill_no)  # the open order's own code: shown again, nothing set aside
    assert isinstance(again, Opened) and again.set_aside is None and again.check is back.check


def test_the_force_code_prints_the_open_order_short_of_what_is_missing() -> None:
    desk = verifier(force="SUPERVISOR-42")
    assert isinstance(desk.scan("SUPERVISOR-42"), Refused)  # nothing open to force
    desk.scan(FIRST.order_id)
    desk.scan(BOX)
    forced = desk.scan("SUPERVISOR-42")
    assert isinstance(forced, Forced) and isinstance(forced.check, Check)
    assert [(line.item.sku, n) for line, n in forced.check.missing()] == [("MUG", 1), ("GIFT", 1), ("BOX-L", 1)]
    assert desk.current is None


def test_an_order_printed_before_is_not_opened() -> None:
    desk = verifier(printed=frozenset({"T2"}))
    desk.scan(FIRST.order_id)
    outcome = desk.scan(SECOND.order_id)
    assert isinstance(outcome, PrintedBefore) and outcome.order is SECOND
    assert outcome.set_aside is not None and outcome.set_aside.order is FIRST
    assert desk.current is None and set(desk.set_aside) == {"T1"}


def test_plus_refused_when_every_item_has_a_barcode_or_every_such_unit_is_counted() -> None:
    desk = verifier()
    desk.scan(SECOND.order_id)
    refused = desk.scan("+")
    assert isinstance(refused, Refused) and (refused.reason, refused.detail) == (
        "needs a scan",
        "every item has a barcode: scan the goods",
    )
    desk.scan(FIRST.order_id)
    desk.scan("+2")
    over = desk.scan("+")
    assert isinstance(over, Refused) and over.reason == "more than ordered"

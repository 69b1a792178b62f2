"""Item barcodes: the optional ``barcode`` of an order item (JSON Lines, CSV, the journal's codec), EAN-13 and
UPC-A check digits, and the ``--catalog`` file that fills barcodes in by SKU."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.waybill.test_orders import csv_rows, csv_text, order, write_jsonl
from waybill.catalog import load_catalog
from waybill.errors import OrderError
from waybill.model import Item
from waybill.order_codec import decode_order, encode_order
from waybill.orders import read_orders
from waybill.product_codes import check_digit_problem, gtin_key, symbology

EAN = "6901234567892"
UPC = "036000291452"
ITEMS = [
    {"sku": "MUG-350", "name": "陶瓷马克杯", "qty": 2, "location": "A-2-03", "barcode": EAN},
    {"sku": "BOX-L", "name": "收纳箱", "qty": 1, "location": "D-3-02"},
]


def test_an_items_barcode_is_read_from_jsonl_and_csv_and_kept_by_the_journal_codec(tmp_path: Path) -> None:
    data = order(items=ITEMS)
    jsonl = read_orders(write_jsonl(tmp_path / "o.jsonl", [data]))
    rows = csv_rows(data)
    rows[0]["barcode"] = EAN
    path = tmp_path / "o.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    from_csv = read_orders(path)

    assert jsonl.problems == () and from_csv.problems == ()
    for loaded in (jsonl, from_csv):
        assert [item.barcode for item in loaded.orders[0].items] == [EAN, ""]
    assert decode_order(encode_order(jsonl.orders[0])) == jsonl.orders[0]


def test_a_journal_record_written_before_barcodes_existed_still_decodes(tmp_path: Path) -> None:
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order()])).orders[0]
    record = json.loads(encode_order(loaded))
    del record["items"][0]["barcode"]
    assert decode_order(json.dumps(record)).items[0].barcode == ""


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("6901234567893", "EAN-13 check digit should be 2, not 3"),
        ("036000291459", "UPC-A check digit should be 2, not 9"),
        ("条码123", "printable ASCII only"),
    ],
)
def test_a_bad_item_barcode_is_a_problem_at_its_line_and_field(tmp_path: Path, code: str, message: str) -> None:
    items = [dict(ITEMS[0], barcode=code)]
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(), order("TB2", "SF2000000002", items=items)]))
    assert loaded.orders[0].order_id == "TB1001"
    [problem] = loaded.problems
    assert (problem.line, problem.field) == (2, "items[0].barcode")
    assert message in problem.message


def test_check_digits_are_python_barcodes_and_upc_a_matches_its_ean_form() -> None:
    assert (symbology(EAN), symbology(UPC), symbology("SKU-123-A")) == ("ean13", "upca", "code128")
    assert check_digit_problem(EAN) is None and check_digit_problem(UPC) is None
    assert check_digit_problem("SKU-123-A") is None  # Code128's check character never reaches us
    assert check_digit_problem("6901234567890") == "EAN-13 check digit should be 2, not 0"
    assert gtin_key(UPC) == gtin_key("0" + UPC) == "0036000291452"


def test_the_catalog_fills_barcodes_by_sku_for_items_that_have_none(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(f"sku,barcode\nBOX-L,{UPC}\nBOX-L,BOXL-CARTON-6\nMUG-350,6901234567908\n", encoding="utf-8")
    catalog = load_catalog(path)
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(items=ITEMS)])).orders[0]

    filled = catalog.fill(loaded)

    assert [item.barcode for item in filled.items] == [EAN, UPC]  # the item's own barcode wins
    mug, box = filled.items
    assert catalog.codes_for(mug) == (EAN,)
    assert catalog.codes_for(box) == (UPC, "BOXL-CARTON-6")
    assert catalog.codes_for(dataclasses.replace(box, barcode="")) == (UPC, "BOXL-CARTON-6")
    assert catalog.codes_for(Item("NEW", "新品", 1)) == ()
    assert catalog.sku_of("0" + UPC) == "BOX-L" and catalog.sku_of("nothing") is None


def test_bad_catalog_rows_are_named_by_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        f"sku,barcode\nBOX-L,{UPC}\n,6901234567892\nMUG,6901234567893\nCUP,{'0' + UPC}\nX,1,2\n", encoding="utf-8"
    )
    with pytest.raises(OrderError) as caught:
        load_catalog(path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "sku"), (4, "barcode"), (5, "barcode"), (6, None)]
    assert f"{path}:4: barcode: '6901234567893': EAN-13 check digit should be 2" in str(caught.value)
    assert "is SKU 'BOX-L' on line 2" in str(caught.value)


def test_a_catalog_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("sku,ean\nA,1\n", encoding="utf-8")
    with pytest.raises(OrderError) as caught:
        load_catalog(path)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (1, "barcode", "missing column"),
        (1, "ean", "unknown column"),
    ]

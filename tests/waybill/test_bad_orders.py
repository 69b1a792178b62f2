"""Hostile order files (issue 9): each is one clear problem at file:line:field, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.waybill.test_orders import RECIPIENT, csv_rows, csv_text, order, write_jsonl
from waybill.app.cli import main
from waybill.errors import OrderError
from waybill.orders import MAX_MONEY, read_orders
from waybill.records import MAX_DEPTH, BadJson, strict_json


def messages(path: Path) -> list[str]:
    return [str(p) for p in read_orders(path).problems]


def test_json_nested_past_a_sane_depth_is_one_problem(tmp_path: Path) -> None:
    deep = '{"order_id": ' + "[" * 100_000 + "]" * 100_000 + "}"
    just_too_deep = '{"remark": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    path = write_jsonl(tmp_path / "orders.jsonl", [deep, just_too_deep, order()])
    assert messages(path) == [
        f"{path}:1: not valid JSON: nested deeper than {MAX_DEPTH} levels",
        f"{path}:2: not valid JSON: nested deeper than {MAX_DEPTH} levels",
    ]


def test_the_deepest_sane_nesting_still_parses() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value = strict_json(text)
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []


def test_a_key_given_twice_is_refused_not_silently_overwritten(tmp_path: Path) -> None:
    line = json.dumps(order(cod_amount="25.00"), ensure_ascii=False)[:-1] + ', "cod_amount": "0"}'
    nested = json.dumps(order("TB2"), ensure_ascii=False).replace('"name": "张三"', '"name": "张三", "name": "李四"')
    path = write_jsonl(tmp_path / "orders.jsonl", [line, nested])
    assert messages(path) == [
        f"{path}:1: not valid JSON: key 'cod_amount' is given twice in one object",
        f"{path}:2: not valid JSON: key 'name' is given twice in one object",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"qty": NaN}', "not valid JSON: NaN is not a number"),
        ('{"qty": -Infinity}', "not valid JSON: -Infinity is not a number"),
        ('{"qty": 1e400}', "not valid JSON: 1e400 is out of range"),
        ('{"qty": ' + "9" * 5000 + "}", "not valid JSON: a number of 5000 digits"),
    ],
)
def test_numbers_json_would_take_or_choke_on_are_refused(text: str, message: str) -> None:
    with pytest.raises(BadJson) as caught:
        strict_json(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("qty", "shown"),
    [(10**30, "1" + "0" * 19 + "…"), (100_000, "100000"), (0, "0"), ("9" * 5000, "'" + "9" * 19 + "…")],
)
def test_quantities_are_bounded_to_what_a_label_prints(tmp_path: Path, qty: object, shown: str) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", [order(items=[{"sku": "A", "name": "杯", "qty": qty}])])
    assert messages(path) == [f"{path}:1: items[0].qty: must be a whole number from 1 to 99,999, not {shown}"]


def test_the_largest_quantity_and_amount_are_accepted(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [order(cod_amount=str(MAX_MONEY), items=[{"sku": "A", "name": "杯", "qty": 99_999}])],
    )
    (loaded,) = read_orders(path).orders
    assert (loaded.items[0].qty, loaded.cod_amount) == (99_999, MAX_MONEY)


@pytest.mark.parametrize("amount", ["100000.00", "1" + "0" * 40, "1e999999999"])
def test_amounts_are_bounded_to_what_a_label_prints(tmp_path: Path, amount: str) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", [order(cod_amount=amount)])
    (problem,) = read_orders(path).problems
    assert (problem.field, problem.line) == ("cod_amount", 1)
    assert problem.message.endswith("must be from 0 to 99,999.99 with at most 2 decimal places")
    assert len(problem.message) < 90


def test_a_csv_that_is_neither_utf8_nor_gb18030_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_text(csv_rows(order())).encode("utf-8") + b"\xff\xfe\x80\x81\n")
    with pytest.raises(OrderError) as caught:
        read_orders(path)
    assert str(caught.value).splitlines()[1:] == [f"  {path}:3: not UTF-8 or GB18030 text (byte 0xFF)"]


def test_the_cli_says_so_in_one_line_per_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", ["[" * 5000, order()])
    out = tmp_path / "labels.pdf"
    assert main(["render", str(path), "-t", "100x180", "-f", "pdf", "-o", str(out)]) == OrderError.exit_code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{path}:1: not valid JSON: nested deeper than {MAX_DEPTH} levels" in err
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    ("header_change", "message"),
    [
        (lambda h: [*h, "carrier"], "carrier: column given twice"),
        (lambda h: [c for c in h if c != "carrier"], "carrier: missing column"),
    ],
)
def test_a_csv_header_with_a_duplicated_or_missing_column_is_refused_whole(
    tmp_path: Path, header_change: Callable[[list[str]], list[str]], message: str
) -> None:
    rows = csv_rows(order())
    columns = tuple(header_change(list(rows[0])))
    path = tmp_path / "orders.csv"
    path.write_text(csv_text([{c: r.get(c, "SF") for c in columns} for r in rows], columns), encoding="utf-8")
    loaded = read_orders(path)
    assert loaded.orders == ()
    assert [str(p) for p in loaded.problems] == [f"{path}:1: {message}"]


def test_a_csv_cell_past_the_field_size_limit_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    rows = csv_rows(order(remark="x" * 200_000))
    path.write_text(csv_text(rows), encoding="utf-8")
    loaded = read_orders(path)
    assert loaded.orders == ()
    assert [str(p) for p in loaded.problems] == [f"{path}:2: not valid CSV (field larger than field limit (131072))"]


def test_fields_of_200000_characters_are_cut_on_the_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Cutting one character at a time measured such a line 200,000 times (minutes); now it is bisected.
    long = order(sort_code="3" * 200_000, remark="长 " * 100_000)
    path = write_jsonl(tmp_path / "orders.jsonl", [long])
    assert main(["render", str(path), "-t", "100x180", "-f", "pdf", "-o", str(tmp_path / "l.pdf")]) == 0
    err = capsys.readouterr().err
    assert "sort_code: cut with an ellipsis" in err and "remark: cut with an ellipsis" in err
    assert (tmp_path / "l.pdf").stat().st_size > 0


def test_an_order_id_or_province_wider_than_the_stores_columns_is_a_problem(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [order("T" * 65), order("TB2", "SF1000000002", recipient={**RECIPIENT, "province": "浙" * 65})],
    )
    assert messages(path) == [
        f"{path}:1: order_id: is longer than 64 characters",
        f"{path}:2: recipient.province: is longer than 64 characters",
    ]

"""Order files in: JSON Lines and CSV give the same orders; every bad input is a Problem at file:line:field."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import EllipsisType
from typing import Any

import pytest

from waybill.errors import OrderError, Problem
from waybill.model import CARRIERS, Address, Item, Order
from waybill.orders import CSV_ITEM_COLUMNS, CSV_ORDER_COLUMNS, load_orders, read_orders
from waybill.shop import load_shop

RECIPIENT = {
    "name": "张三",
    "phone": "13812341234",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address": "文三路478号华星时代广场A座1203室",
}
SENDER = {
    "name": "小鹿家居",
    "phone": "0571-86001234",
    "province": "浙江省",
    "city": "杭州市",
    "district": "余杭区",
    "address": "仓前街道良睦路1399号",
}


def order(
    order_id: str | EllipsisType = "TB1001", waybill_no: str | EllipsisType = "SF1000000001", **fields: Any
) -> dict[str, Any]:
    """A valid JSON order; keyword arguments replace (or, set to ``...``, remove) fields."""
    data: dict[str, Any] = {
        "order_id": order_id,
        "carrier": "SF",
        "waybill_no": waybill_no,
        "recipient": dict(RECIPIENT),
        "sender": dict(SENDER),
        "items": [{"sku": "MUG-350", "name": "陶瓷马克杯", "spec": "350ml 白", "qty": 1, "location": "A-2-03"}],
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not ...}


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def csv_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """One CSV row per item of a JSON order, order-level cells only on the first row (the documented layout)."""
    order_cells: dict[str, str] = {}
    for column in CSV_ORDER_COLUMNS:
        party, _, part = column.partition("_")
        if party in ("recipient", "sender") and isinstance(data.get(party), dict):
            order_cells[column] = str(data[party].get(part, ""))
        elif column in data:
            order_cells[column] = str(data[column])
    rows = []
    for index, item in enumerate(data["items"]):
        row = {column: "" for column in (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS)}
        row["order_id"] = data["order_id"]
        if index == 0:
            row.update(order_cells)
        row.update(
            sku=item["sku"], item_name=item["name"], spec=item.get("spec", ""), qty=str(item["qty"]),
            location=item.get("location", ""),
        )  # fmt: skip
        rows.append(row)
    return rows


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS)) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def where(problems: tuple[Problem, ...] | list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.field) for p in problems]


def without_origin(orders: tuple[Order, ...]) -> list[Order]:
    return [dataclasses.replace(o, origin=None) for o in orders]


# --- valid input --------------------------------------------------------------------------------------------------

RICH = order(
    "TB2002",
    "JT0012345678",
    carrier="JT",
    sort_code="300-001-00 100",
    package_center="杭州转运中心",
    service="标准快递",
    cod_amount="128.50",
    scheduled_delivery="2026-12-02",
    remark="易碎品，请轻拿轻放",
    shipped_at="2026-11-25T09:30:00+08:00",
    items=[
        {"sku": "MUG-350", "name": "陶瓷马克杯", "spec": "350ml 白", "qty": 2, "location": "A-2-03"},
        {"sku": "BOX-L", "name": "收纳箱", "spec": "大号", "qty": 1, "location": "D-3-02"},
        {"sku": "TOWEL", "name": "纯棉浴巾", "spec": "", "qty": 12, "location": "B-10-01"},
    ],
)


def test_jsonl_and_csv_give_equal_orders(tmp_path: Path) -> None:
    plain = order()
    jsonl = read_orders(write_jsonl(tmp_path / "orders.jsonl", [plain, RICH]))
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text(csv_text(csv_rows(plain) + csv_rows(RICH)), encoding="utf-8")
    from_csv = read_orders(csv_path)

    assert jsonl.problems == () and from_csv.problems == ()
    assert without_origin(from_csv.orders) == without_origin(jsonl.orders)
    assert [(o.origin.source, o.origin.line) for o in jsonl.orders if o.origin] == [
        (str(tmp_path / "orders.jsonl"), 1),
        (str(tmp_path / "orders.jsonl"), 2),
    ]
    assert [o.origin.line for o in from_csv.orders if o.origin] == [2, 3]  # header, then one row per item

    rich = jsonl.orders[1]
    assert rich == Order(
        order_id="TB2002",
        carrier=CARRIERS["JT"],
        waybill_no="JT0012345678",
        recipient=Address(**RECIPIENT),
        sender=Address(**SENDER),
        items=(
            Item("MUG-350", "陶瓷马克杯", 2, "350ml 白", "A-2-03"),
            Item("BOX-L", "收纳箱", 1, "大号", "D-3-02"),
            Item("TOWEL", "纯棉浴巾", 12, "", "B-10-01"),
        ),
        sort_code="300-001-00 100",
        package_center="杭州转运中心",
        service="标准快递",
        cod_amount=Decimal("128.50"),
        scheduled_delivery=date(2026, 12, 2),
        remark="易碎品，请轻拿轻放",
        shipped_at=datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        origin=rich.origin,
    )
    assert rich.total_qty == 15


def test_csv_order_cells_may_repeat_on_later_rows(tmp_path: Path) -> None:
    rows = csv_rows(RICH)
    for row in rows[1:]:
        for column in CSV_ORDER_COLUMNS:
            row[column] = rows[0][column]
    path = tmp_path / "orders.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    loaded = read_orders(path)
    assert loaded.problems == ()
    assert [len(o.items) for o in loaded.orders] == [3]


def test_gb18030_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_text(csv_rows(RICH)).encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the test really feeds GB18030, not UTF-8
    loaded = read_orders(path)
    assert loaded.problems == ()
    assert without_origin(loaded.orders) == without_origin(
        read_orders(write_jsonl(tmp_path / "o.jsonl", [RICH])).orders
    )
    assert loaded.orders[0].recipient.name == "张三"
    assert loaded.orders[0].items[2].name == "纯棉浴巾"


def test_utf8_bom_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_text(csv_rows(order())).encode("utf-8-sig"))
    loaded = read_orders(path)
    assert loaded.problems == ()
    assert loaded.orders[0].order_id == "TB1001"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-25T09:30:00", datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))),
        ("2026-11-25 09:30", datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))),
        ("2026-11-25T01:30:00Z", datetime(2026, 11, 25, 1, 30, tzinfo=UTC)),
        ("2026-11-25T09:30:00+09:00", datetime(2026, 11, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_shipped_at_without_zone_is_beijing_time(tmp_path: Path, written: str, expected: datetime) -> None:
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(shipped_at=written)]))
    assert loaded.problems == ()
    shipped = loaded.orders[0].shipped_at
    assert shipped is not None and shipped == expected
    if "+" not in written and not written.endswith("Z"):
        assert shipped.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("given", "stored"),
    [("sf12345678", "SF12345678"), ("  jd-0001-2345 ", "JD-0001-2345"), ("12345678", "12345678"), ("A" * 32, "A" * 32)],
)
def test_waybill_number_is_upper_cased_and_accepted(tmp_path: Path, given: str, stored: str) -> None:
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(waybill_no=given)]))
    assert loaded.problems == ()
    assert loaded.orders[0].waybill_no == stored


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (None, Decimal(0)),
        (0, Decimal(0)),
        ("", Decimal(0)),
        (12, Decimal(12)),
        (59.9, Decimal("59.90")),
        ("1299.00", Decimal("1299")),
    ],
)
def test_cod_amount_accepted(tmp_path: Path, given: Any, stored: Decimal) -> None:
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(cod_amount=given)]))
    assert loaded.problems == ()
    assert loaded.orders[0].cod_amount == stored


def test_a_quantity_may_be_a_digit_string(tmp_path: Path) -> None:
    item = {"sku": "S", "name": "杯", "qty": " 3 "}
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [order(items=[item])]))
    assert loaded.problems == ()
    assert loaded.orders[0].items[0].qty == 3


def test_json_strings_may_hold_unicode_line_separators(tmp_path: Path) -> None:
    # json.dumps(ensure_ascii=False) writes U+2028 and U+0085 raw; they are not line breaks of JSON Lines.
    remark = "第一行\u2028第二行\x85第三行"
    path = write_jsonl(tmp_path / "o.jsonl", [order(remark=remark), order("TB1002", "SF1000000002")])
    loaded = read_orders(path)
    assert loaded.problems == ()
    assert [o.remark for o in loaded.orders] == [remark, ""]
    assert [o.origin.line for o in loaded.orders if o.origin] == [1, 2]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "o.jsonl", ["", order(), "   ", order("TB1002", "SF1000000002", carrier="EMS")])
    loaded = read_orders(path)
    assert loaded.problems == ()
    assert [o.origin.line for o in loaded.orders if o.origin] == [2, 4]


# --- bad input: one bad line after a good one ---------------------------------------------------------------------

ITEM = {"sku": "S-1", "name": "杯子", "qty": 1}

BAD_LINES: list[tuple[str, dict[str, Any] | str, list[str | None]]] = [
    ("malformed JSON", '{"order_id": "TB1", "carrier": "SF",', [None]),
    ("array, not an object", "[1, 2, 3]", [None]),
    ("string, not an object", '"TB1"', [None]),
    ("missing order_id", order(order_id=...), ["order_id"]),
    ("blank order_id", order("   "), ["order_id"]),
    ("missing carrier", order("TB9", carrier=...), ["carrier"]),
    ("unknown carrier", order("TB9", carrier="DHL"), ["carrier"]),
    ("carrier of the wrong type", order("TB9", carrier=["SF"]), ["carrier"]),
    ("waybill number too short", order("TB9", "SF12345"), ["waybill_no"]),
    ("waybill number too long", order("TB9", "S" * 33), ["waybill_no"]),
    ("waybill number with underscore", order("TB9", "SF1234_5678"), ["waybill_no"]),
    ("waybill number with space", order("TB9", "SF12 345678"), ["waybill_no"]),
    ("waybill number with CJK", order("TB9", "顺丰12345678"), ["waybill_no"]),
    ("qty 0", order("TB9", items=[{**ITEM, "qty": 0}]), ["items[0].qty"]),
    ("qty negative", order("TB9", items=[{**ITEM, "qty": -2}]), ["items[0].qty"]),
    ("qty 'x'", order("TB9", items=[{**ITEM, "qty": "x"}]), ["items[0].qty"]),
    ("qty 1.5", order("TB9", items=[{**ITEM, "qty": 1.5}]), ["items[0].qty"]),
    ("qty true", order("TB9", items=[{**ITEM, "qty": True}]), ["items[0].qty"]),
    ("qty superscript digit", order("TB9", items=[{**ITEM, "qty": "²"}]), ["items[0].qty"]),
    ("qty missing", order("TB9", items=[{"sku": "S-1", "name": "杯子"}]), ["items[0].qty"]),
    ("second item bad", order("TB9", items=[ITEM, {**ITEM, "qty": 0}]), ["items[1].qty"]),
    ("item without sku and name", order("TB9", items=[{"qty": 1}]), ["items[0].sku", "items[0].name"]),
    ("item not an object", order("TB9", items=["杯子"]), ["items[0]"]),
    ("items empty", order("TB9", items=[]), ["items"]),
    ("items missing", order("TB9", items=...), ["items"]),
    ("item field typo", order("TB9", items=[{**ITEM, "quantity": 2}]), ["items[0].quantity"]),
    ("cod_amount negative", order("TB9", cod_amount=-1), ["cod_amount"]),
    ("cod_amount 3 decimals", order("TB9", cod_amount="12.345"), ["cod_amount"]),
    ("cod_amount 3 decimals as number", order("TB9", cod_amount=12.345), ["cod_amount"]),
    ("cod_amount abc", order("TB9", cod_amount="abc"), ["cod_amount"]),
    ("cod_amount true", order("TB9", cod_amount=True), ["cod_amount"]),
    ("cod_amount NaN", order("TB9", cod_amount="NaN"), ["cod_amount"]),
    ("cod_amount huge", order("TB9", cod_amount="1e30"), ["cod_amount"]),
    ("cod_amount object", order("TB9", cod_amount={"value": 1}), ["cod_amount"]),
    ("scheduled_delivery month 13", order("TB9", scheduled_delivery="2026-13-01"), ["scheduled_delivery"]),
    ("scheduled_delivery words", order("TB9", scheduled_delivery="明天"), ["scheduled_delivery"]),
    ("scheduled_delivery compact", order("TB9", scheduled_delivery="20261201"), ["scheduled_delivery"]),
    ("scheduled_delivery week date", order("TB9", scheduled_delivery="2026-W49-1"), ["scheduled_delivery"]),
    ("scheduled_delivery a number", order("TB9", scheduled_delivery=20261201), ["scheduled_delivery"]),
    ("scheduled_delivery with slashes", order("TB9", scheduled_delivery="2026/12/01"), ["scheduled_delivery"]),
    ("shipped_at words", order("TB9", shipped_at="yesterday"), ["shipped_at"]),
    ("shipped_at hour 25", order("TB9", shipped_at="2026-11-25T25:00:00"), ["shipped_at"]),
    ("shipped_at a number", order("TB9", shipped_at=1764032400), ["shipped_at"]),
    ("unknown field (typo)", order("TB9", remarks="轻放"), ["remarks"]),
    ("recipient missing", order("TB9", recipient=...), ["recipient"]),
    ("recipient not an object", order("TB9", recipient="张三 13812341234"), ["recipient"]),
    ("recipient field typo", order("TB9", recipient={**RECIPIENT, "adress": "x"}), ["recipient.adress"]),
    ("recipient name missing", order("TB9", recipient={**RECIPIENT, "name": ""}), ["recipient.name"]),
    ("recipient phone not a number", order("TB9", recipient={**RECIPIENT, "phone": "call me"}), ["recipient.phone"]),
    ("sender province missing", order("TB9", sender={**SENDER, "province": ...}), ["sender.province"]),
    ("missing sender without shop", order("TB9", sender=...), ["sender"]),
    ("remark of the wrong type", order("TB9", remark=["a"]), ["remark"]),
]


def _drop_ellipsis(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_ellipsis(v) for k, v in value.items() if v is not ...}
    return value


@pytest.mark.parametrize(("line", "fields"), [(case[1], case[2]) for case in BAD_LINES], ids=[c[0] for c in BAD_LINES])
def test_bad_line_is_a_problem_at_its_file_line_and_field(
    tmp_path: Path, line: dict[str, Any] | str, fields: list[str | None]
) -> None:
    path = write_jsonl(tmp_path / "orders.jsonl", [order(), _drop_ellipsis(line) if isinstance(line, dict) else line])
    loaded = read_orders(path)
    assert [(p.source, p.line, p.field) for p in loaded.problems] == [(str(path), 2, f) for f in fields]
    assert all(p.message for p in loaded.problems)
    assert [o.order_id for o in loaded.orders] == ["TB1001"]  # the good line still loads


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    lines = [_drop_ellipsis(case[1]) if isinstance(case[1], dict) else case[1] for case in BAD_LINES]
    # Distinct ids and waybill numbers, so that only the intended problems appear.
    numbered: list[dict[str, Any] | str] = []
    for index, line in enumerate(lines):
        if isinstance(line, dict):
            if line.get("order_id") == "TB9":
                line = {**line, "order_id": f"TB9-{index}"}
            if line.get("waybill_no") == "SF1000000001":
                line = {**line, "waybill_no": f"SF9{index:07d}"}
        numbered.append(line)
    path = write_jsonl(tmp_path / "orders.jsonl", numbered)
    with pytest.raises(OrderError) as raised:
        load_orders(path)
    expected = [(number, field) for number, case in enumerate(BAD_LINES, start=1) for field in case[2]]
    assert where(raised.value.problems) == expected
    message = str(raised.value)
    assert message.startswith(f"{len(expected)} problems in the input; nothing was written")
    assert f"{path}:4: order_id: is required" in message
    assert f"{path}:1: not valid JSON" in message


def test_problem_messages_say_what_is_wrong(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [order("A1", carrier="DHL"), order("A2", "SF12_3456789"), order("A3", cod_amount="-5"),
         order("A4", items=[{**ITEM, "qty": "x"}])],
    )  # fmt: skip
    messages = [p.message for p in read_orders(path).problems]
    assert "unknown carrier 'DHL'" in messages[0] and "SF" in messages[0] and "JT" in messages[0]
    assert "8-32" in messages[1]
    assert "from 0 to 99,999.99" in messages[2]
    assert "'x'" in messages[3]


def test_duplicate_order_id_and_waybill_no_name_the_first_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [
            order("TB1", "SF1000000001"),
            order("TB1", "SF1000000002"),
            order("TB3", "sf1000000001"),  # the same number once upper-cased
            order("TB4", "SF1000000004"),
        ],
    )
    loaded = read_orders(path)
    assert where(loaded.problems) == [(2, "order_id"), (3, "waybill_no")]
    assert all("line 1" in p.message for p in loaded.problems)
    assert [o.order_id for o in loaded.orders] == ["TB1", "TB4"]


def test_load_orders_raises_unless_skip_invalid(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [order("TB1", "SF1000000001"), order("TB2", "SF1000000002", carrier="DHL"), "{", order("TB4", "SF10004444")],
    )
    with pytest.raises(OrderError) as raised:
        load_orders(path)
    assert raised.value.exit_code == 3
    assert where(raised.value.problems) == [(2, "carrier"), (3, None)]

    loaded = load_orders(path, skip_invalid=True)
    assert [o.order_id for o in loaded.orders] == ["TB1", "TB4"]
    assert where(loaded.problems) == [(2, "carrier"), (3, None)]


def test_a_clean_file_loads_without_raising(tmp_path: Path) -> None:
    loaded = load_orders(write_jsonl(tmp_path / "orders.jsonl", [order(), RICH]))
    assert loaded.problems == ()
    assert [o.order_id for o in loaded.orders] == ["TB1001", "TB2002"]


def test_an_unreadable_file_is_an_order_error_even_when_skipping(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(OrderError) as raised:
        load_orders(missing, skip_invalid=True)
    assert [(p.source, p.line, p.field) for p in raised.value.problems] == [(str(missing), None, None)]


def test_sender_comes_from_the_shop_when_the_order_has_none(tmp_path: Path) -> None:
    shop_path = tmp_path / "shop.toml"
    shop_path.write_text(
        'name = "小鹿家居"\n[carriers.YTO.branch]\nname = "仓前网点"\ncode = "571071"\n'
        'address = { phone = "0571-86001234", province = "浙江省", address = "文一西路1818号" }\n',
        encoding="utf-8",
    )
    shop = load_shop(shop_path)
    path = write_jsonl(
        tmp_path / "orders.jsonl",
        [order("TB1", "YT0000000001", carrier="YTO", sender=...), order("TB2", "SF0000000002", sender=...)],
    )
    loaded = read_orders(path, shop)
    # The branch covers YTO; nothing covers SF (the profile has no default sender).
    assert [o.order_id for o in loaded.orders] == ["TB1"]
    assert loaded.orders[0].sender is None  # the order keeps what it said; the shop supplies the sender later
    assert where(loaded.problems) == [(2, "sender")]


# --- CSV specifics -------------------------------------------------------------------------------------------------


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_contradicting_order_cell_names_the_first_line(tmp_path: Path) -> None:
    rows = csv_rows(order("TB1", "SF1000000001")) + csv_rows(RICH)  # TB1 on line 2, RICH on lines 3-5
    rows[2]["recipient_phone"] = "13900000000"  # RICH's second row (line 4) contradicts line 3
    rows[3]["carrier"] = "JT"  # repeating the same value is fine
    path = write_csv(tmp_path / "orders.csv", csv_text(rows))
    loaded = read_orders(path)
    assert [(p.source, p.line, p.field) for p in loaded.problems] == [(str(path), 4, "recipient_phone")]
    assert "line 3" in loaded.problems[0].message
    # The contradicted order is not printed with a guessed value under --skip-invalid.
    assert [o.order_id for o in loaded.orders] == ["TB1"]


@pytest.mark.parametrize(
    ("columns", "fields"),
    [
        ((*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS, "remarks"), ["remarks"]),
        ((*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS, "备注", "name"), ["备注", "name"]),
        (tuple(c for c in (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS) if c != "carrier"), ["carrier"]),
        ((*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS, "qty"), ["qty"]),
    ],
    ids=["typo", "two unknown", "missing carrier", "qty twice"],
)
def test_csv_header_problems_name_the_column(tmp_path: Path, columns: tuple[str, ...], fields: list[str]) -> None:
    rows = csv_rows(order())
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "1") for column in columns])
    path = write_csv(tmp_path / "orders.csv", out.getvalue())
    loaded = read_orders(path)
    assert [(p.source, p.line, p.field) for p in loaded.problems] == [(str(path), 1, f) for f in fields]
    assert loaded.orders == ()


def test_csv_row_with_extra_cells_rejects_its_order(tmp_path: Path) -> None:
    text = csv_text(csv_rows(order("TB1", "SF1000000001")) + csv_rows(RICH)).splitlines()
    text[3] += ",surplus,cells"  # RICH's second item, line 4
    path = write_csv(tmp_path / "orders.csv", "\n".join(text) + "\n")
    loaded = read_orders(path)
    assert where(loaded.problems) == [(4, None)]
    assert "2 more cells" in loaded.problems[0].message
    # RICH is not printed one item short.
    assert [o.order_id for o in loaded.orders] == ["TB1"]


def test_csv_row_without_order_id_rejects_the_order_above(tmp_path: Path) -> None:
    rows = csv_rows(RICH) + csv_rows(order("TB1", "SF1000000001"))
    rows[1]["order_id"] = ""  # line 3: an item of RICH with the id left blank
    loaded = read_orders(write_csv(tmp_path / "orders.csv", csv_text(rows)))
    assert where(loaded.problems) == [(3, "order_id")]
    assert [o.order_id for o in loaded.orders] == ["TB1"]


def test_csv_item_problems_name_the_row_of_the_item(tmp_path: Path) -> None:
    rows = csv_rows(RICH)
    rows[2]["qty"] = "0"  # line 4
    rows[1]["sku"] = ""  # line 3
    loaded = read_orders(write_csv(tmp_path / "orders.csv", csv_text(rows)))
    assert where(loaded.problems) == [(3, "items[1].sku"), (4, "items[2].qty")]


def test_csv_order_level_problems_name_the_first_row(tmp_path: Path) -> None:
    rows = csv_rows(order("TB1", "SF1000000001")) + csv_rows(RICH)
    rows[1]["carrier"] = "DHL"
    rows[1]["cod_amount"] = "-3"
    loaded = read_orders(write_csv(tmp_path / "orders.csv", csv_text(rows)))
    assert where(loaded.problems) == [(3, "carrier"), (3, "cod_amount")]


def test_csv_lines_count_cells_that_span_lines(tmp_path: Path) -> None:
    first = order("TB1", "SF1000000001", remark="第一行\n第二行\n第三行")
    rows = csv_rows(first) + csv_rows(order("TB2", "SF1000000002", carrier="DHL"))
    loaded = read_orders(write_csv(tmp_path / "orders.csv", csv_text(rows)))
    assert loaded.orders[0].remark == "第一行\n第二行\n第三行"
    assert [o.origin.line for o in loaded.orders if o.origin] == [2]  # where the row starts, not where it ends
    assert where(loaded.problems) == [(5, "carrier")]  # header, TB1 on lines 2-4, TB2 starts on line 5


def test_csv_blank_and_empty_rows_are_skipped(tmp_path: Path) -> None:
    columns = (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS)
    text = csv_text(csv_rows(order())) + "\r\n" + "," * (len(columns) - 1) + "\r\n"
    text += csv_text(csv_rows(order("TB2", "SF1000000002", carrier="DHL"))).split("\r\n", 1)[1]
    loaded = read_orders(write_csv(tmp_path / "orders.csv", text))
    assert [o.order_id for o in loaded.orders] == ["TB1001"]
    assert where(loaded.problems) == [(5, "carrier")]


def test_a_file_without_suffix_is_sniffed(tmp_path: Path) -> None:
    as_csv = write_csv(tmp_path / "orders-from-erp", csv_text(csv_rows(RICH)))
    as_jsonl = write_jsonl(tmp_path / "orders-export", [RICH])
    assert without_origin(read_orders(as_csv).orders) == without_origin(read_orders(as_jsonl).orders)
    assert len(read_orders(as_csv).orders[0].items) == 3


# --- the bundled sample --------------------------------------------------------------------------------------------

REMOTE_PROVINCES = {"新疆维吾尔自治区", "西藏自治区", "青海省", "内蒙古自治区", "宁夏回族自治区", "甘肃省"}


def test_bundled_sample_orders_cover_the_demo() -> None:
    samples = resources.files("waybill.samples")
    shop = load_shop(Path(str(samples.joinpath("shop.toml"))))
    loaded = load_orders(Path(str(samples.joinpath("orders.jsonl"))), shop)
    orders = loaded.orders
    assert loaded.problems == ()
    assert len(orders) >= 20
    assert {o.carrier.code for o in orders} == set(CARRIERS)
    assert any(o.cod_amount > 0 for o in orders)
    assert any(o.scheduled_delivery is not None for o in orders)
    assert len({o.recipient.province for o in orders} & REMOTE_PROVINCES) >= 2
    assert max(len(o.items) for o in orders) >= 20
    assert all(shop.sender_for(o) is not None for o in orders)
    numbered = [o.waybill_no for o in orders if o.waybill_no]
    assert len(set(numbered)) == len(numbered)
    # Some come without a number: the demo serves them from the bundled segments (see tests/waybill/numbers).
    unnumbered = [o for o in orders if not o.waybill_no]
    assert len(unnumbered) >= 2
    assert all(shop.account(o.carrier.code).numbers is not None for o in unnumbered)


def test_orders_may_leave_the_number_out_and_several_do_not_clash(tmp_path: Path) -> None:
    """The number, sort code and consolidation point come from the shop's number source later."""
    lines = [
        order("TB1", waybill_no=..., sort_code=..., package_center=...),
        order("TB2", "  "),
        order("TB3", "SF1000000003"),
    ]
    loaded = read_orders(write_jsonl(tmp_path / "o.jsonl", [_drop_ellipsis(line) for line in lines]))
    assert loaded.problems == ()
    assert [(o.order_id, o.waybill_no) for o in loaded.orders] == [("TB1", ""), ("TB2", ""), ("TB3", "SF1000000003")]
    columns = tuple(c for c in (*CSV_ORDER_COLUMNS, *CSV_ITEM_COLUMNS) if c != "waybill_no")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for order_id in ("TB4", "TB5"):
        for row in csv_rows(order(order_id)):
            writer.writerow([row.get(column, "") for column in columns])
    loaded = read_orders(write_csv(tmp_path / "o.csv", out.getvalue()))
    assert loaded.problems == ()
    assert [(o.order_id, o.waybill_no) for o in loaded.orders] == [("TB4", ""), ("TB5", "")]

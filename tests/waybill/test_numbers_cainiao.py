"""Numbers from the Cainiao cloud service, against a loopback stand-in for the TOP gateway."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.waybill.test_numbers_pool import orders
from tests.waybill.top_gateway import REFUSED_NAME, SECRET, SESSION, FakeTop, top_gateway
from waybill.app.cli import main
from waybill.database import open_database
from waybill.numbers.assign import assign_numbers
from waybill.numbers.cainiao import CainiaoSource
from waybill.numbers.gateway import Gateway
from waybill.numbers.source import NumberSource, SourceContext
from waybill.numbers.store import NumberStore
from waybill.shop import Shop, parse_shop

ENV = {"TEST_CAINIAO_SECRET": SECRET, "TEST_CAINIAO_SESSION": SESSION}


def shop_toml(url: str) -> str:
    return f"""
name = "小鹿家居"
[carriers.YTO.branch]
name = "仓前网点"
code = "571071"
address = {{ phone = "0571-86001234", province = "浙江省", city = "杭州市", address = "文一西路1818号" }}
[carriers.YTO.numbers]
source = "cainiao"
gateway = "{url}"
app_key = "23456789"
app_secret_env = "TEST_CAINIAO_SECRET"
session_env = "TEST_CAINIAO_SESSION"
template_url = "http://cloudprint.cainiao.com/template/standard/201"
low_balance = 990
"""


@pytest.fixture
def fake() -> Iterator[FakeTop]:
    with top_gateway() as gateway:
        yield gateway


def quick(env: dict[str, str] = ENV, attempts: int = 4) -> Callable[[NumberStore, Shop, str], NumberSource]:
    """Sources whose gateway times out after 0.3 s and retries at once (the defaults wait seconds)."""

    def opened(store: NumberStore, shop: Shop, carrier: str) -> NumberSource:
        account = shop.account(carrier)
        assert account.numbers is not None
        context = SourceContext(
            store, orders([0], carrier)[0].carrier, account, account.numbers, shop, env, lambda: datetime.now(UTC)
        )
        gateway = Gateway(
            account.numbers.setting("gateway"), f"{carrier}: cainiao", timeout=0.3, backoff=0, attempts=attempts
        )
        return CainiaoSource(context, gateway)

    return opened


def bound_numbers(store: NumberStore) -> set[str]:
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT waybill_no FROM number_bindings WHERE cancelled_at IS NULL")).all()
    return {row.waybill_no for row in rows}


def test_numbers_come_signed_at_most_ten_a_call_with_routing_and_once(fake: FakeTop, db_url: str) -> None:
    engine = open_database(db_url)
    shop = parse_shop(shop_toml(fake.url), "shop.toml")
    result = assign_numbers(engine, orders(range(23), "YTO"), shop, env=ENV)
    assert fake.problems == [] and result.refused == ()
    assert [len(batch) for batch in fake.batches] == [10, 10, 3]
    assert [o.waybill_no for o in result.orders] == [fake.issued[o.order_id] for o in result.orders]
    assert {(o.sort_code, o.package_center) for o in result.orders} == {("200-113-02 306", "上海转运中心")}
    # low_balance asks ii.search after taking numbers: 1000 - 23 left is below 990.
    assert result.warnings == ("YTO: only 977 number(s) left at cainiao (low_balance = 990)",)
    calls = len(fake.forms)
    again = assign_numbers(engine, orders(range(23), "YTO"), shop, env=ENV)
    assert again.orders == result.orders and (again.taken, again.kept) == (0, 23)
    assert len(fake.forms) == calls  # the store answered: the service was not asked again


def test_retries_after_a_lost_answer_a_timeout_and_a_5xx_orphan_no_number(fake: FakeTop, db_url: str) -> None:
    store = NumberStore(open_database(db_url))
    shop = parse_shop(shop_toml(fake.url), "shop.toml")
    fake.script = ["drop", "timeout", "500"]  # the first call's numbers are issued three times, answered once
    result = assign_numbers(store.engine, orders(range(12), "YTO"), shop, sources=quick())
    assert result.refused == () and len(result.orders) == 12
    assert [len(batch) for batch in fake.batches] == [10, 10, 10, 10, 2]
    assert fake.batches[0] == fake.batches[3] == [f"TB{i:06d}" for i in range(10)]  # the same object ids
    assert set(fake.issued.values()) == bound_numbers(store) == {o.waybill_no for o in result.orders}


def test_retries_are_bounded_and_a_later_run_gets_the_numbers_already_issued(fake: FakeTop, db_url: str) -> None:
    store = NumberStore(open_database(db_url))
    shop = parse_shop(shop_toml(fake.url), "shop.toml")
    fake.script = ["500"] * 3
    failed = assign_numbers(store.engine, orders(range(3), "YTO"), shop, sources=quick(attempts=3))
    assert failed.orders == () and len(fake.forms) == 3
    assert {reason for _, reason in failed.refused} == {f"YTO: cainiao: {fake.url} HTTP 500, 3 attempt(s)"}
    assert bound_numbers(store) == set() and len(fake.issued) == 3  # issued by the service, not yet bound
    later = assign_numbers(store.engine, orders(range(3), "YTO"), shop, sources=quick())
    assert {o.waybill_no for o in later.orders} == set(fake.issued.values()) == bound_numbers(store)


def test_an_error_response_names_the_order_and_the_sub_msg_and_the_others_get_numbers(
    fake: FakeTop, db_url: str
) -> None:
    engine = open_database(db_url)
    shop = parse_shop(shop_toml(fake.url), "shop.toml")
    batch = orders(range(3), "YTO")
    batch[1] = replace(batch[1], recipient=replace(batch[1].recipient, name=REFUSED_NAME))
    result = assign_numbers(engine, batch, shop, env=ENV)
    assert [o.order_id for o in result.orders] == ["TB000000", "TB000002"]
    assert result.refused == (
        (batch[1], "YTO: the service refused order TB000001: 收件人地址不可达 (isv.invalid-parameter)"),
    )
    assert fake.batches == [["TB000000", "TB000001", "TB000002"], ["TB000000"], ["TB000001"], ["TB000002"]]


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({**ENV, "TEST_CAINIAO_SECRET": "wrong"}, "YTO: cainiao: the service refused: Invalid signature (25)"),
        ({"TEST_CAINIAO_SESSION": SESSION}, "YTO: cainiao: environment variable TEST_CAINIAO_SECRET is not set"),
    ],
    ids=["wrong secret", "no secret"],
)
def test_a_call_the_service_refuses_leaves_every_order_without_a_number(
    fake: FakeTop, tmp_path: Path, env: dict[str, str], reason: str
) -> None:
    engine = open_database(str(tmp_path / "w.db"))
    result = assign_numbers(engine, orders(range(2), "YTO"), parse_shop(shop_toml(fake.url), "s"), env=env)
    assert result.orders == () and {r for _, r in result.refused} == {
        reason + ("" if "25" in reason else " (app_secret_env)")
    }
    assert "wrong" not in str(result.error())


def _stored_text(db_url: str) -> str:
    """Everything the store holds, as text: the SQLite file (and its WAL), or every row of every table."""
    if "://" not in db_url:
        return "".join(
            Path(db_url + suffix).read_bytes().decode("latin-1")
            for suffix in ("", "-wal")
            if Path(db_url + suffix).exists()
        )
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        return "".join(str(row) for table in tables for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')))


def test_assign_cancel_balance_from_the_command_line_and_the_secret_is_never_stored(
    fake: FakeTop, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "shop.toml").write_text(shop_toml(fake.url), encoding="utf-8")
    orders_file = tmp_path / "orders.jsonl"
    recipient = {
        "name": "周婷",
        "phone": "15833334444",
        "province": "上海市",
        "city": "上海市",
        "address": "张江路665号",
    }
    item = {"sku": "S", "name": "全棉四件套", "qty": 1}
    lines = [{"order_id": f"TB{i}", "carrier": "YTO", "recipient": recipient, "items": [item]} for i in range(3)]
    orders_file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    common = ["--shop", str(tmp_path / "shop.toml"), "--db", db_url]
    assert main(["numbers", "assign", str(orders_file), "-o", str(tmp_path / "out.jsonl"), *common]) == 0
    first = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(o["order_id"], o["waybill_no"], o["sort_code"]) for o in first] == [
        (f"TB{i}", fake.issued[f"TB{i}"], "200-113-02 306") for i in range(3)
    ]
    assert main(["numbers", "cancel", first[1]["waybill_no"], "--reason", "地址有误", *common]) == 0
    assert fake.cancelled == [first[1]["waybill_no"]]
    assert main(["numbers", "assign", str(orders_file), *common]) == 0
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert fake.batches[-1] == ["TB1-2"]  # a new object id after the cancellation: a new number
    assert [o["waybill_no"] for o in again] == [first[0]["waybill_no"], fake.issued["TB1-2"], first[2]["waybill_no"]]
    assert main(["numbers", "balance", "--json", *common]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == [
        {
            "carrier": "YTO",
            "source": "cainiao",
            "branch_code": "571071",
            "total": 1000,
            "used": 3,
            "cancelled": 1,
            "left": 996,
        }
    ]
    assert fake.problems == []
    stored = _stored_text(db_url)
    assert first[1]["waybill_no"] in stored  # the search is real: the store's own text is read
    for secret in (SECRET, SESSION):
        assert secret not in stored and secret not in out
        assert secret not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_an_answer_that_is_not_sane_json_leaves_the_orders_without_numbers_and_says_why(
    fake: FakeTop, tmp_path: Path
) -> None:
    engine = open_database(str(tmp_path / "w.db"))
    shop = parse_shop(shop_toml(fake.url), "shop.toml")
    for body, why in [(b"[" * 5000, "nested deeper than 32 levels"), (b'{"a": NaN}', "NaN is not a number")]:
        fake.raw = [body]
        result = assign_numbers(engine, orders(range(2), "YTO"), shop, env=ENV, sources=quick())
        assert result.orders == ()
        assert {reason for _, reason in result.refused} == {
            f"YTO: cainiao: the gateway answered something that is not sane JSON: not valid JSON: {why}"
        }
    assert bound_numbers(NumberStore(engine)) == set()


def test_a_module_with_a_number_that_is_not_one_or_odd_routing_is_handled(fake: FakeTop, tmp_path: Path) -> None:
    def mangle(modules: list[dict[str, Any]]) -> None:
        modules[0]["waybill_code"] = "Y" * 5000  # no waybill number
        modules[1]["print_data"] = json.dumps({"data": ["not", "an", "object"]})  # the number, no routing

    fake.mangle = mangle
    engine = open_database(str(tmp_path / "w.db"))
    result = assign_numbers(engine, orders(range(2), "YTO"), parse_shop(shop_toml(fake.url), "s"), env=ENV)
    ((refused, reason),) = result.refused
    assert refused.order_id == orders([0], "YTO")[0].order_id
    assert reason.endswith("is not a waybill number (8-32 letters, digits, -)") and "Y" * 41 not in reason
    (numbered,) = result.orders
    assert numbered.waybill_no == fake.issued[numbered.order_id] and (numbered.sort_code, numbered.package_center) == (
        "",
        "",
    )

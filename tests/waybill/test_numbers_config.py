"""The ``[carriers.X.numbers]`` table of a shop profile: each source's keys, checked when the profile is read."""

from __future__ import annotations

import pytest

from waybill.errors import OrderError
from waybill.shop import parse_shop

BRANCH = """
[carriers.YTO.branch]
name = "仓前网点"
code = "571071"
address = { name = "小鹿家居", phone = "0571-86001234", province = "浙江省", address = "文一西路1818号" }
"""
CAINIAO = """
[carriers.YTO.numbers]
source = "cainiao"
gateway = "https://eco.taobao.com/router/rest"
app_key = "12345678"
app_secret_env = "CAINIAO_APP_SECRET"
session_env = "CAINIAO_SESSION"
template_url = "http://cloudprint.cainiao.com/template/standard/201"
"""


def test_a_pool_and_a_cloud_source_are_read_with_their_settings() -> None:
    shop = parse_shop(
        BRANCH + CAINIAO + '[carriers.SF]\nmonthly_account = "5710012345"\nnumbers = { source = "pool" }\n', "s"
    )
    yto, sf = shop.account("YTO").numbers, shop.account("SF").numbers
    assert yto is not None and yto.source == "cainiao" and yto.setting("app_secret_env") == "CAINIAO_APP_SECRET"
    assert sf is not None and (sf.source, sf.low_balance, dict(sf.settings)) == ("pool", None, {})
    assert (shop.account("YTO").branch_code, shop.account("SF").branch_code) == ("571071", "5710012345")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('source = "cainiao"', 'source = "kuaidi"'), "carriers.YTO.numbers.source"),
        (('app_key = "12345678"\n', ""), "carriers.YTO.numbers.app_key"),
        (
            ('session_env = "CAINIAO_SESSION"', 'session_env = "6100e23a-real-session"'),
            "carriers.YTO.numbers.session_env",
        ),
        (("https://eco.taobao.com/router/rest", "eco.taobao.com/router/rest"), "carriers.YTO.numbers.gateway"),
        (('app_key = "12345678"', 'app_key = "12345678"\napp_secret = "x"'), "carriers.YTO.numbers.app_secret"),
        (('app_key = "12345678"', 'app_key = "12345678"\nlow_balance = -1'), "carriers.YTO.numbers.low_balance"),
        (('app_key = "12345678"', "app_key = 12345678"), "carriers.YTO.numbers.app_key"),
    ],
    ids=[
        "unknown source",
        "missing key",
        "a secret, not a name",
        "not a URL",
        "unknown key",
        "low_balance",
        "not text",
    ],
)
def test_a_bad_numbers_table_names_its_file_and_key(change: tuple[str, str], key: str) -> None:
    with pytest.raises(OrderError) as raised:
        parse_shop(BRANCH + CAINIAO.replace(*change), "shop.toml")
    assert [(p.source, p.field) for p in raised.value.problems] == [("shop.toml", key)]

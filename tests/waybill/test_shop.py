"""The shop profile: accounts for direct carriers, branches for franchise carriers, problems named by key."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from waybill.errors import OrderError
from waybill.model import CARRIERS, Address, Item, Order
from waybill.shop import Branch, CarrierAccount, Shop, load_shop

BRANCH_ADDRESS = (
    'address = { phone = "0571-86001234", province = "浙江省", city = "杭州市", address = "文一西路1818号" }'
)
PROFILE = f"""
name = "小鹿家居旗舰店"

[sender]
name = "小鹿家居"
phone = "0571-86001111"
province = "浙江省"
city = "杭州市"
district = "余杭区"
address = "良睦路1399号"

[carriers.SF]
monthly_account = " 5710012345 "

[carriers.YTO.branch]
name = "仓前网点"
code = "571071"
{BRANCH_ADDRESS}
"""

RECIPIENT = Address("张三", "13812341234", "广东省", "深圳市", "南山区", "深南大道9996号")
OWN_SENDER = Address("小鹿家居深圳仓", "0755-26001234", "广东省", "深圳市", "宝安区", "凤凰第四工业区8栋")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def an_order(carrier: str, sender: Address | None = None) -> Order:
    return Order(
        order_id="TB1",
        carrier=CARRIERS[carrier],
        waybill_no="SF1000000001",
        recipient=RECIPIENT,
        sender=sender,
        items=(Item("S", "杯", 1),),
    )


def test_profile_loads_accounts_and_branches(tmp_path: Path) -> None:
    shop = load_shop(write(tmp_path, PROFILE))
    assert shop.name == "小鹿家居旗舰店"
    assert shop.sender == Address("小鹿家居", "0571-86001111", "浙江省", "杭州市", "余杭区", "良睦路1399号")
    assert shop.account("SF") == CarrierAccount(monthly_account="5710012345")
    assert shop.account("YTO") == CarrierAccount(
        branch=Branch(
            "仓前网点",
            "571071",
            # The branch address takes the shop's name when it gives none.
            Address("小鹿家居旗舰店", "0571-86001234", "浙江省", "杭州市", "", "文一西路1818号"),
        )
    )
    assert shop.account("ZTO") == CarrierAccount()  # not configured: neither account nor branch


@pytest.mark.parametrize(
    ("carrier", "own_sender", "expected"),
    [
        ("YTO", None, "branch"),  # franchise carrier, no sender on the order: the branch ships it
        ("YTO", OWN_SENDER, "order"),  # the order's own sender wins over the branch
        ("SF", None, "shop"),  # direct carrier: the shop's default sender
        ("SF", OWN_SENDER, "order"),
        ("ZTO", None, "shop"),  # franchise carrier without a branch in the profile
    ],
)
def test_sender_for(tmp_path: Path, carrier: str, own_sender: Address | None, expected: str) -> None:
    shop = load_shop(write(tmp_path, PROFILE))
    branch = shop.account("YTO").branch
    assert branch is not None
    senders = {"branch": branch.address, "order": own_sender, "shop": shop.sender}
    assert shop.sender_for(an_order(carrier, own_sender)) == senders[expected]


def test_without_a_default_sender_only_branches_give_one(tmp_path: Path) -> None:
    address = BRANCH_ADDRESS.replace("{ ", '{ name = "小鹿仓", ')
    shop = load_shop(write(tmp_path, f'[carriers.ZTO.branch]\nname = "未来科技城"\ncode = "57155"\n{address}\n'))
    assert shop.sender is None
    branch_sender = shop.sender_for(an_order("ZTO"))
    assert branch_sender is not None and (branch_sender.name, branch_sender.address) == ("小鹿仓", "文一西路1818号")
    assert shop.sender_for(an_order("SF")) is None
    assert shop.sender_for(an_order("YTO")) is None
    assert Shop().sender_for(an_order("YTO", OWN_SENDER)) == OWN_SENDER


# Each profile is one bad table after the shop name (unless it starts with name, nmae or a comment);
# every problem names the key it is about.
BAD_PROFILES: list[tuple[str, str, list[str]]] = [
    ("direct carrier without account", "[carriers.SF]\n", ["carriers.SF.monthly_account"]),
    ("account as a number", "[carriers.EMS]\nmonthly_account = 33010099887\n", ["carriers.EMS.monthly_account"]),
    ("blank account", '[carriers.JD]\nmonthly_account = "  "\n', ["carriers.JD.monthly_account"]),
    (
        "direct carrier given a branch",
        f'[carriers.SF.branch]\nname = "网点"\ncode = "1"\n{BRANCH_ADDRESS}\n',
        ["carriers.SF.branch", "carriers.SF.monthly_account"],
    ),
    (
        "franchise carrier given an account",
        '[carriers.ZTO]\nmonthly_account = "123"\n',
        ["carriers.ZTO.monthly_account", "carriers.ZTO.branch"],
    ),
    ("franchise carrier without branch", "[carriers.STO]\n", ["carriers.STO.branch"]),
    ("branch not a table", '[carriers.STO]\nbranch = "闲林网点"\n', ["carriers.STO.branch"]),
    (
        "branch without address",
        '[carriers.JT.branch]\nname = "仓前"\ncode = "5710X8"\n',
        ["carriers.JT.branch.address"],
    ),
    (
        "branch without name and code",
        f"[carriers.YUNDA.branch]\n{BRANCH_ADDRESS}\n",
        ["carriers.YUNDA.branch.name", "carriers.YUNDA.branch.code"],
    ),
    (
        "branch code as a number",
        f'[carriers.YUNDA.branch]\nname = "仓前"\ncode = 571115\n{BRANCH_ADDRESS}\n',
        ["carriers.YUNDA.branch.code"],
    ),
    (
        "branch address missing phone and province",
        '[carriers.ZTO.branch]\nname = "x"\ncode = "1"\naddress = { address = "荆长路1号" }\n',
        ["carriers.ZTO.branch.address.phone", "carriers.ZTO.branch.address.province"],
    ),
    ("unknown carrier", '[carriers.DHL]\nmonthly_account = "1"\n', ["carriers.DHL"]),
    ("carrier code in lower case", '[carriers.sf]\nmonthly_account = "1"\n', ["carriers.sf"]),
    ("carrier not a table", '[carriers]\nSF = "5710012345"\n', ["carriers.SF"]),
    ("carriers not a table", 'carriers = "SF"\n', ["carriers"]),
    ("top-level typo", 'nmae = "小鹿"\n', ["nmae"]),
    (
        "branch address without a name, and no shop name",
        f'# no name = ...\n[carriers.JT.branch]\nname = "x"\ncode = "1"\n{BRANCH_ADDRESS}\n',
        ["carriers.JT.branch.address.name"],
    ),
    ("name not a string", "name = 5\n", ["name"]),
    ("sender not a table", 'sender = "小鹿家居"\n', ["sender"]),
    (
        "sender with a typo and a number",
        '[sender]\nphone = 13812341234\nprovince = "浙江省"\nadress = "良睦路"\n',
        ["sender.adress", "sender.phone", "sender.address"],
    ),
]


@pytest.mark.parametrize(("text", "keys"), [c[1:] for c in BAD_PROFILES], ids=[c[0] for c in BAD_PROFILES])
def test_bad_profile_names_every_key(tmp_path: Path, text: str, keys: list[str]) -> None:
    path = write(tmp_path, 'name = "小鹿家居"\n' + text if not text.startswith(("name", "nmae", "#")) else text)
    with pytest.raises(OrderError) as raised:
        load_shop(path)
    problems = raised.value.problems
    assert [(p.source, p.line, p.field) for p in problems] == [(str(path), None, key) for key in keys]
    assert all(p.message for p in problems)
    for key in keys:
        assert f"{path}: {key}: " in str(raised.value)


def test_every_problem_of_a_profile_at_once(tmp_path: Path) -> None:
    text = """
nmae = "小鹿家居"

[sender]
phone = 5

[carriers.SF]

[carriers.YTO]
monthly_account = "1"

[carriers.ZTO.branch]
code = "57155"
address = { address = "荆长路1号" }

[carriers.DHL]
"""
    with pytest.raises(OrderError) as raised:
        load_shop(write(tmp_path, text))
    assert [p.field for p in raised.value.problems] == [
        "nmae",
        "sender.name",  # no shop name to default to, because of the typo
        "sender.phone",
        "sender.province",
        "sender.address",
        "carriers.SF.monthly_account",
        "carriers.YTO.monthly_account",
        "carriers.YTO.branch",
        "carriers.ZTO.branch.name",
        "carriers.ZTO.branch.address.name",
        "carriers.ZTO.branch.address.phone",
        "carriers.ZTO.branch.address.province",
        "carriers.DHL",
    ]
    assert str(raised.value).startswith("13 problems in the input")


def test_messages_explain_direct_and_franchise(tmp_path: Path) -> None:
    with pytest.raises(OrderError) as raised:
        load_shop(write(tmp_path, '[carriers.SF]\n[carriers.YTO]\n[carriers.DHL]\nmonthly_account = "1"\n'))
    messages = {p.field: p.message for p in raised.value.problems}
    assert "direct carrier" in messages["carriers.SF.monthly_account"]
    assert "月结账号" in messages["carriers.SF.monthly_account"]
    assert "franchise carrier" in messages["carriers.YTO.branch"]
    assert "网点" in messages["carriers.YTO.branch"]
    assert "'DHL'" in messages["carriers.DHL"] and "YUNDA" in messages["carriers.DHL"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'name = "unterminated\n', "not valid TOML"),
        ('name = "小鹿家居"\n'.encode("gb18030"), "not UTF-8"),
    ],
    ids=["bad TOML", "GB18030"],
)
def test_unreadable_profile_is_one_problem(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "shop.toml"
    path.write_bytes(content)
    with pytest.raises(OrderError) as raised:
        load_shop(path)
    [problem] = raised.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), None, None)
    assert fragment in problem.message


def test_missing_profile_is_an_order_error(tmp_path: Path) -> None:
    with pytest.raises(OrderError) as raised:
        load_shop(tmp_path / "nope.toml")
    assert [p.source for p in raised.value.problems] == [str(tmp_path / "nope.toml")]
    assert raised.value.exit_code == 3


def test_bundled_sample_profile_configures_every_carrier() -> None:
    shop = load_shop(Path(str(resources.files("waybill.samples").joinpath("shop.toml"))))
    for code, carrier in CARRIERS.items():
        account = shop.account(code)
        if carrier.direct:
            assert account.monthly_account and account.branch is None, code
        else:
            assert account.branch is not None and account.branch.code and not account.monthly_account, code
            assert shop.sender_for(an_order(code)) == account.branch.address

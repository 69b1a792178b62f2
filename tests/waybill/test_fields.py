"""Template text: ``{field|filter:arg}`` expressions, their errors, and the (masked) order context."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from waybill.errors import TemplateError
from waybill.fields import FIELDS, FILTERS, Value, is_set, order_context, parse_expression
from waybill.model import CARRIERS, Address, Item, Order
from waybill.shop import Branch, CarrierAccount, Shop
from waybill.template import TextElement, builtin_template_names, load_template

BEIJING = timezone(timedelta(hours=8))
PHONE = "13812341234"

CONTEXT: dict[str, Value] = {
    "order_id": "TB3920417730000000",
    "waybill_no": "sf1000731000000",
    "carrier": "SF",
    "cod_amount": Decimal("128.5"),
    "total_qty": 12,
    "scheduled_delivery": date(2026, 12, 2),
    "shipped_at": datetime(2026, 11, 25, 17, 30, tzinfo=UTC),  # 2026-11-26 01:30 in Beijing
    "recipient.name": "张三",
    "recipient.phone": PHONE,
    "remark": "",
    "continued": True,
    "page": 2,
}


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("{order_id}", "TB3920417730000000"),
        ("订单 {order_id} 共{total_qty}件", "订单 TB3920417730000000 共12件"),
        ("{cod_amount|money}", "¥128.50"),
        ("代收 { cod_amount | money }", "代收 ¥128.50"),
        ("{total_qty|money}", "¥12.00"),
        ("{cod_amount}", "128.5"),
        ("{scheduled_delivery|date}", "2026-12-02"),
        ("{scheduled_delivery|date:%m月%d日}", "12月02日"),
        ("{scheduled_delivery}", "2026-12-02"),
        # Times print in Beijing time whatever zone they came in.
        ("{shipped_at}", "2026-11-26 01:30"),
        ("{shipped_at|date}", "2026-11-26"),
        ("{shipped_at|datetime}", "2026-11-26 01:30"),
        ("{shipped_at|datetime:%H:%M}", "01:30"),  # the argument is everything after the first colon
        ("{shipped_at|date:%Y/%m/%d %H时}", "2026/11/26 01时"),
        ("{recipient.name|mask_name}", "张*"),
        ("{recipient.phone|mask_phone}", "138****1234"),
        ("{recipient.phone|mask_phone|mask_phone}", "138****1234"),
        ("{waybill_no|upper}", "SF1000731000000"),
        ("{recipient.name|mask_name|upper}", "张*"),
        ("{order_id|money}", "TB3920417730000000"),  # money of text that is no amount: the text as it is
        ("{continued}", "是"),
        ("{page}/{pages}", "2/"),  # a field the context does not have prints as nothing
        ("{remark|money}", ""),
        ("{{", "{"),
        ("}}", "}"),
        ("{{order_id}}", "{order_id}"),
        ("{{{order_id}}}", "{TB3920417730000000}"),
        ("a {{b}} {carrier} }}{{", "a {b} SF }{"),
        ("", ""),
        ("纯文本", "纯文本"),
    ],
)
def test_expression_renders(text: str, rendered: str) -> None:
    assert parse_expression(text, "test").render(CONTEXT) == rendered


def test_expression_lists_its_fields_in_order() -> None:
    expression = parse_expression("{{x}} {waybill_no|upper} {order_id} {waybill_no}", "test")
    assert expression.fields == ("waybill_no", "order_id", "waybill_no")


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        (Decimal("0"), ""),
        (None, ""),
        (0, ""),
        (Decimal("0.5"), "¥0.50"),
        (Decimal("1299"), "¥1299.00"),
        (Decimal("12.345"), "¥12.34"),  # half-even, though orders never carry 3 decimals
        ("59.9", "¥59.90"),
    ],
)
def test_money_filter(value: Value, rendered: str) -> None:
    assert parse_expression("{cod_amount|money}", "t").render({"cod_amount": value}) == rendered


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{order_no}", "unknown field 'order_no'"),
        ("收件人 {recipient.nmae}", "unknown field 'recipient.nmae'"),
        ("{}", "unknown field ''"),
        ("{order_id|lower}", "unknown filter 'lower'"),
        ("{cod_amount|money|rmb}", "unknown filter 'rmb'"),
        ("{order_id|}", "unknown filter ''"),
        ("{", "unbalanced brace"),
        ("}", "unbalanced brace"),
        ("a}b", "unbalanced brace"),
        ("备注：{remark", "unbalanced brace"),
        ("备注：remark}", "unbalanced brace"),
        ("{order_id}}", "unbalanced brace"),
        ("{{order_id}", "unbalanced brace"),
        ("x{{{", "unbalanced brace"),
        ("}}}", "unbalanced brace"),
        ("{order{id}", "unbalanced brace"),
        ("{order_id} }", "unbalanced brace"),
    ],
)
def test_expression_errors_name_where(text: str, fragment: str) -> None:
    where = "templates/76x130.toml: [[element]] recipient: text"
    with pytest.raises(TemplateError) as raised:
        parse_expression(text, where)
    message = str(raised.value)
    assert message.startswith(f"{where}: ")
    assert fragment in message


def test_unknown_names_list_what_is_known() -> None:
    with pytest.raises(TemplateError, match=r"recipient\.full_address"):
        parse_expression("{recipient}", "t")
    with pytest.raises(TemplateError, match="mask_phone"):
        parse_expression("{order_id|mask}", "t")


def test_every_filter_is_usable() -> None:
    for name in FILTERS:
        assert parse_expression(f"{{order_id|{name}}}", "t").render(CONTEXT) != "", name


# --- the order context ----------------------------------------------------------------------------------------------

RECIPIENT = Address(
    name="欧阳娜娜",
    phone="+86 138 1234 1234",
    province="广东省",
    city="深圳市",
    district="南山区",
    address=f"深南大道9996号松日鼎盛大厦18楼（电话{PHONE}）",
)
BRANCH_ADDRESS = Address("小鹿家居", "0571-86001234", "浙江省", "杭州市", "余杭区", "文一西路1818号")
SHOP = Shop(
    name="小鹿家居旗舰店",
    sender=Address("小鹿家居", "0571-86001111", "浙江省", "杭州市", "余杭区", "良睦路1399号"),
    accounts={
        "SF": CarrierAccount(monthly_account="5710012345"),
        "YTO": CarrierAccount(branch=Branch("仓前网点", "571071", BRANCH_ADDRESS)),
    },
)
PRINTED_AT = datetime(2026, 11, 26, 8, 0, tzinfo=BEIJING)


def an_order(carrier: str = "YTO", sender: Address | None = None, cod_amount: Decimal = Decimal("59.90")) -> Order:
    return Order(
        order_id="TB1",
        carrier=CARRIERS[carrier],
        waybill_no="YT1234567890",
        recipient=RECIPIENT,
        sender=sender,
        items=(Item("MUG", "陶瓷马克杯", 2, "350ml", "A-2"), Item("BOX", "收纳箱", 3, "大号", "D-3")),
        remark=f"请先电话联系 138-1234-1234 或 {PHONE}，谢谢",
        cod_amount=cod_amount,
        scheduled_delivery=date(2026, 12, 2),
        shipped_at=datetime(2026, 11, 25, 9, 0, tzinfo=BEIJING),
        service="标准快递",
        sort_code="300-001-00 100",
        package_center="杭州转运中心",
    )


def test_context_has_every_field_but_those_the_layout_adds_per_label() -> None:
    context = order_context(an_order(), SHOP, mask=True, printed_at=PRINTED_AT)
    assert set(context) == FIELDS - {"page", "pages", "continued", "batch_serial"}


def test_masked_context() -> None:
    context = order_context(an_order(), SHOP, printed_at=PRINTED_AT)  # masking is the default
    assert context == order_context(an_order(), SHOP, mask=True, printed_at=PRINTED_AT)
    assert context["recipient.name"] == "欧***"
    assert context["recipient.phone"] == "138****1234"
    assert context["recipient.address"] == "深南大道9996号松日鼎盛大厦18楼（电话138****1234）"
    assert context["recipient.full_address"] == "广东省深圳市南山区深南大道9996号松日鼎盛大厦18楼（电话138****1234）"
    assert context["remark"] == "请先电话联系 138****1234 或 138****1234，谢谢"
    # The sender is not the buyer: it is printed as it is.
    assert context["sender.phone"] == "0571-86001234"
    assert context["sender.name"] == "小鹿家居"


def test_the_full_phone_appears_nowhere_in_the_masked_context() -> None:
    for carrier in ("SF", "YTO"):
        context = order_context(an_order(carrier), SHOP, mask=True, printed_at=PRINTED_AT)
        for key, value in context.items():
            digits_only = re.sub(r"[^0-9]", "", str(value))
            assert PHONE not in digits_only, key
            assert "12341234" not in digits_only, key  # not even the part after the first 3


def test_unmasked_context_prints_the_recipient_as_given() -> None:
    order = an_order()
    context = order_context(order, SHOP, mask=False, printed_at=PRINTED_AT)
    assert context["recipient.name"] == "欧阳娜娜"
    assert context["recipient.phone"] == "+86 138 1234 1234"
    assert context["recipient.address"] == RECIPIENT.address
    assert context["recipient.full_address"] == RECIPIENT.full_address
    assert context["remark"] == order.remark


def test_no_built_in_template_prints_the_full_phone() -> None:
    context: dict[str, Value] = {
        **order_context(an_order(), SHOP, mask=True, printed_at=PRINTED_AT),
        "page": 1,
        "pages": 2,
        "continued": False,
    }
    texts = 0
    for name in builtin_template_names():
        template = load_template(name)
        for element in (*template.elements, *template.continuation):
            if isinstance(element, TextElement):
                rendered = element.text.render(context)
                assert PHONE not in re.sub(r"[^0-9]", "", rendered), (name, element.id)
                texts += 1
    assert texts > 30


@pytest.mark.parametrize(
    ("carrier", "own_sender", "sender_address", "monthly_account", "branch"),
    [
        ("YTO", None, "文一西路1818号", "", ("仓前网点", "571071")),  # franchise: the branch ships it
        (
            "YTO",
            Address("深圳仓", "0755-26001234", "广东省", address="凤凰路8栋"),
            "凤凰路8栋",
            "",
            ("仓前网点", "571071"),
        ),
        ("SF", None, "良睦路1399号", "5710012345", ("", "")),  # direct: the shop's sender and the 月结账号
        ("ZTO", None, "良睦路1399号", "", ("", "")),  # franchise carrier the profile does not configure
    ],
)
def test_context_sender_and_account(
    carrier: str, own_sender: Address | None, sender_address: str, monthly_account: str, branch: tuple[str, str]
) -> None:
    context = order_context(an_order(carrier, own_sender), SHOP, mask=True, printed_at=PRINTED_AT)
    assert context["sender.address"] == sender_address
    assert context["monthly_account"] == monthly_account
    assert (context["branch_name"], context["branch_code"]) == branch


def test_context_order_values() -> None:
    context = order_context(an_order(), SHOP, mask=True, printed_at=PRINTED_AT)
    assert context["carrier"] == "YTO"
    assert context["carrier_name"] == "圆通速递"
    assert context["shop_name"] == "小鹿家居旗舰店"
    assert context["cod_amount"] == Decimal("59.90")
    assert (context["item_count"], context["total_qty"]) == (2, 5)
    assert context["scheduled_delivery"] == date(2026, 12, 2)
    assert context["printed_at"] == PRINTED_AT
    assert (context["service"], context["sort_code"], context["package_center"]) == (
        "标准快递",
        "300-001-00 100",
        "杭州转运中心",
    )


def test_context_without_cod_or_shop() -> None:
    order = an_order("SF", Address("张三", "13900000000", "浙江省", address="文三路1号"), cod_amount=Decimal(0))
    context = order_context(order, None, mask=True, printed_at=PRINTED_AT)
    assert context["cod_amount"] is None
    assert not is_set(context["cod_amount"])
    assert (context["shop_name"], context["monthly_account"], context["branch_name"]) == ("", "", "")
    assert context["sender.phone"] == "13900000000"  # the sender is never masked
    # No sender anywhere: blank fields, not a crash.
    bare = order_context(an_order("ZTO"), None, mask=True, printed_at=PRINTED_AT)
    assert (bare["sender.name"], bare["sender.full_address"]) == ("", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        (0, False),
        (False, False),
        (Decimal(0), False),
        (Decimal("0.00"), False),
        ("0", True),
        (" ", True),
        (1, True),
        (True, True),
        (Decimal("0.01"), True),
        (date(2026, 12, 2), True),
    ],
)
def test_is_set(value: Value, expected: bool) -> None:
    assert is_set(value) is expected

"""Privacy waybill masking: names keep their first character, mobiles 3 + 4 digits, other numbers the last 4."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waybill.privacy import mask_name, mask_phone, mask_phone_in


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李", "李"),
        ("  王小明 ", "王**"),
        ("Zhang Wei", "Z********"),
        ("阿卜杜拉·买买提", "阿*******"),
        ("", ""),
        ("   ", ""),
        ("张*", "张*"),  # masking twice changes nothing
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("19900001111", "199****1111"),
        ("+86 138 1234 1234", "138****1234"),
        ("+86-138-1234-1234", "138****1234"),
        ("+8613812341234", "138****1234"),
        ("8613812341234", "138****1234"),
        ("86 13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("138-1234-1234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("138****1234", "138****1234"),  # masking twice changes nothing
        # Landlines and anything else: only the last 4 digits stay; separators are kept.
        ("0571-88886666", "****-****6666"),
        ("(0571) 8888 6666", "(****) **** 6666"),
        ("010-12345678", "***-****5678"),
        ("057188886666", "********6666"),
        ("400-800-9999", "***-***-9999"),
        ("23812341234", "*******1234"),  # 11 digits but not a mainland mobile
        ("1381234123", "******4123"),  # 10 digits: not a mobile
        ("138123412345", "********2345"),  # 12 digits: not a mobile
        ("13812341234-8888", "***********-8888"),  # a privacy number with its extension
        ("95338", "*5338"),
        ("110", "110"),  # nothing beyond the last 4
        ("", ""),
        ("   ", ""),
        ("****-****6666", "****-****6666"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(st.text(alphabet="0123456789 -+()*", max_size=24))
def test_masked_phone_shows_at_most_seven_digits(phone: str) -> None:
    masked = mask_phone(phone)
    shown = [c for c in masked if c.isdigit()]
    digits = [c for c in phone if c.isdigit()]
    assert len(shown) <= 7
    if len(shown) > 4:  # only a mainland mobile shows more than its last 4 digits: the first 3 and the last 4
        assert masked[:3] + masked[-4:] == "".join(shown) and masked[3:7] == "****" and masked[0] == "1"
    else:
        assert shown == digits[-4:]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86 ", "86-", "+86"]))
def test_no_mobile_survives_masking(mobile: str, prefix: str) -> None:
    spaced = f"{prefix}{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    for phone in (mobile, prefix + mobile, spaced):
        assert mask_phone(phone) == f"{mobile[:3]}****{mobile[7:]}"
        assert mobile not in mask_phone_in(f"联系{phone}或{mobile}。", phone)


@pytest.mark.parametrize(
    ("text", "phone", "expected"),
    [
        ("请联系13812341234", "13812341234", "请联系138****1234"),
        ("备用 138 1234 1234 或 138-1234-1234", "13812341234", "备用 138****1234 或 138****1234"),
        ("电话+8613812341234", "+86 138 1234 1234", "电话138****1234"),
        ("A座1203室(13812341234)", "138-1234-1234", "A座1203室(138****1234)"),
        # A longer number that merely contains the digits is another number: left alone.
        ("订单 2138123412345", "13812341234", "订单 2138123412345"),
        ("1203室", "13812341234", "1203室"),
        # A landline: with its area code, and its local number without one.
        ("座机0571-88886666，或88886666", "0571-88886666", "座机****-****6666，或****-****6666"),
        ("", "13812341234", ""),
        ("没有号码", "", "没有号码"),
        ("门牌110号", "110", "门牌110号"),  # too short a number to hunt for
    ],
)
def test_mask_phone_in_free_text(text: str, phone: str, expected: str) -> None:
    assert mask_phone_in(text, phone) == expected

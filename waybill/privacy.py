"""Privacy waybill (隐私面单) masking: 张三 → 张*, 13812341234 → 138****1234, other numbers → last 4 digits."""

from __future__ import annotations

import re

__all__ = ["mask_name", "mask_phone", "mask_phone_in", "mask_phones"]

# The middle four may already be masked, so that masking twice gives the same text.
_MOBILE = re.compile(r"(?:\+?86[\s-]?)?(1[0-9]{2})[\s-]?(?:[0-9]{4}|\*{4})[\s-]?([0-9]{4})")
# Any phone number inside free text: a mainland mobile (1[3-9]x, 11 digits, maybe +86 and spaced 3-4-4) or a
# landline with its area code (0xx-xxxxxxxx); not part of a longer run of digits (a waybill number).
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}|0[1-9][0-9]{1,2}[\s-]?[0-9]{7,8})(?![0-9])"
)

_NOT_DIGIT = re.compile(r"[^0-9]")


def mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """Mainland mobiles keep the first 3 and last 4 digits; any other number keeps only its last 4 digits."""
    phone = phone.strip()
    mobile = _MOBILE.fullmatch(phone)
    if mobile:
        return f"{mobile.group(1)}****{mobile.group(2)}"
    digits = sum(c.isdigit() for c in phone)
    seen = 0
    masked = []
    for char in phone:
        if char.isdigit():
            seen += 1
            masked.append(char if seen > digits - 4 else "*")
        else:
            masked.append(char)
    return "".join(masked)


def mask_phone_in(text: str, phone: str) -> str:
    """``text`` (a remark, an address) with every occurrence of ``phone``, however spaced, masked.

    A mobile is found by its 11 digits, with or without +86; another number by all its digits and by its
    last group of 7 or more digits (a landline without its area code).
    """
    digits = _NOT_DIGIT.sub("", phone)
    mobile = _MOBILE.fullmatch(phone.strip())
    numbers = {digits[-11:]} if mobile else {digits, *re.findall(r"[0-9]{7,}", phone)[-1:]}
    # Where the number is in the text, its digits are in a row once everything else is gone; most texts
    # (an address, a remark) hold no phone, and each phone's pattern is a regular expression compiled anew.
    text_digits = _NOT_DIGIT.sub("", text)
    for number in sorted(numbers, key=len, reverse=True):
        if len(number) >= 5 and number in text_digits:
            spaced = r"[\s-]*".join(number)
            text = re.sub(rf"(?<![0-9])(?:\+?86[\s-]*)?{spaced}(?![0-9])", lambda _: mask_phone(phone), text)
    return text


def mask_phones(text: str) -> str:
    """``text`` with every phone number it holds masked: for error messages, which may echo any input."""
    return _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)

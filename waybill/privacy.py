"""Privacy waybill (隐私面单) masking: 张三 → 张*, 13812341234 → 138****1234, other numbers → last 4 digits."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?:\+?86[\s-]?)?(1\d{2})[\s-]?\d{4}[\s-]?(\d{4})")


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

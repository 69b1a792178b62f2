"""The ``[carriers.X.numbers]`` table of a shop profile, and the registry of number sources.

A source is one entry in ``SOURCES`` (its module and the keys its table takes) plus that module; the shop
profile is checked against the entry when it is read, so a typo is reported with the file and key.
Secrets never live here: keys ending in ``_env`` name environment variables, read at call time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waybill.model import Order
    from waybill.shop import Shop

__all__ = ["SOURCES", "NumbersConfig", "SourceSpec", "needs_numbers", "parse_numbers"]


@dataclass(frozen=True)
class SourceSpec:
    module: str  # imported only when the source is used
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()  # keys whose value must be an http(s) URL


SOURCES: Mapping[str, SourceSpec] = {
    "pool": SourceSpec("waybill.numbers.pool"),
    "cainiao": SourceSpec(
        "waybill.numbers.cainiao",
        required=("gateway", "app_key", "app_secret_env", "session_env", "template_url"),
        optional=("cp_code", "user_id", "order_channels_type"),
        urls=("gateway", "template_url"),
    ),
}
COMMON_KEYS = ("source", "low_balance")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class NumbersConfig:
    """Where one carrier's numbers come from."""

    source: str
    low_balance: int | None = None
    settings: Mapping[str, str] = field(default_factory=dict)

    def setting(self, key: str, default: str = "") -> str:
        return self.settings.get(key, default)


def needs_numbers(orders: Iterable[Order], shop: Shop | None) -> bool:
    """Whether the store must be asked: an order without a number, or a shop that takes numbers.

    Here, beside the shop's numbers tables, so the commands can decide without importing the store.
    """
    takes = shop is not None and any(account.numbers for account in shop.accounts.values())
    return takes or any(not order.waybill_no for order in orders)


def parse_numbers(value: Any, key: str, problem: Callable[[str, str], None]) -> NumbersConfig | None:
    """The config of one ``numbers`` table, or None after reporting each problem through ``problem``."""
    if not isinstance(value, dict):
        problem(key, f"must be a table with source = {' or '.join(repr(name) for name in SOURCES)}")
        return None
    source = value.get("source")
    spec = SOURCES.get(source) if isinstance(source, str) else None
    if spec is None:
        problem(f"{key}.source", f"{source!r} is not a number source; known: {', '.join(SOURCES)}")
        return None
    before = _Counter(problem)
    known = (*COMMON_KEYS, *spec.required, *spec.optional)
    for extra in sorted(value.keys() - set(known)):
        before.problem(f"{key}.{extra}", f"unknown key (source {source!r} takes: {', '.join(known)})")
    low_balance = value.get("low_balance")
    if low_balance is not None and (
        isinstance(low_balance, bool) or not isinstance(low_balance, int) or low_balance < 0
    ):
        before.problem(f"{key}.low_balance", "must be a whole number of at least 0")
    settings: dict[str, str] = {}
    for name in (*spec.required, *spec.optional):
        text = value.get(name)
        if text is None:
            if name in spec.required:
                before.problem(f"{key}.{name}", f"is required for source {source!r}")
            continue
        if not isinstance(text, str) or not text.strip():
            before.problem(f"{key}.{name}", "must be a non-empty string")
            continue
        text = text.strip()
        if name.endswith("_env") and not _ENV_NAME.fullmatch(text):
            before.problem(f"{key}.{name}", "names an environment variable (the secret itself never goes here)")
        elif name in spec.urls and not text.startswith(("http://", "https://")):
            before.problem(f"{key}.{name}", f"{text!r} must be an http:// or https:// URL")
        settings[name] = text
    if before.count:
        return None
    return NumbersConfig(str(source), low_balance, settings)


class _Counter:
    def __init__(self, problem: Callable[[str, str], None]) -> None:
        self._problem = problem
        self.count = 0

    def problem(self, key: str, message: str) -> None:
        self.count += 1
        self._problem(key, message)

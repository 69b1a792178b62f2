"""The shop profile (``--shop FILE``): shop name, default sender and per-carrier accounts or branches."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waybill.errors import OrderError, Problem
from waybill.i18n import _
from waybill.model import CARRIERS, Address, Order
from waybill.numbers.config import NumbersConfig, parse_numbers

__all__ = [
    "Branch",
    "CarrierAccount",
    "Shop",
    "load_shop",
    "parse_shop",
]


@dataclass(frozen=True)
class Branch:
    """A franchise carrier's branch (网点); its address is the default ship-from address."""

    name: str
    code: str
    address: Address


@dataclass(frozen=True)
class CarrierAccount:
    monthly_account: str = ""  # 月结账号, direct carriers
    branch: Branch | None = None  # 网点, franchise carriers
    numbers: NumbersConfig | None = None  # where numbers come from for orders without one

    @property
    def branch_code(self) -> str:
        """What a number segment belongs to: the branch's code, or a direct carrier's monthly account."""
        return self.branch.code if self.branch else self.monthly_account


@dataclass(frozen=True)
class Shop:
    name: str = ""
    sender: Address | None = None
    accounts: dict[str, CarrierAccount] = field(default_factory=dict)

    def account(self, carrier_code: str) -> CarrierAccount:
        return self.accounts.get(carrier_code, CarrierAccount())

    def sender_for(self, order: Order) -> Address | None:
        """The order's own sender, else its carrier branch's address, else the shop's default sender."""
        if order.sender is not None:
            return order.sender
        branch = self.account(order.carrier.code).branch
        if branch is not None:
            return branch.address
        return self.sender


def load_shop(path: Path) -> Shop:
    """Read a shop profile; every problem is reported at once with the file and key."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        problem = Problem(source, None, None, _("cannot read shop profile: {reason}").format(reason=error.strerror))
        raise OrderError([problem]) from error
    except UnicodeDecodeError as error:
        raise OrderError([Problem(source, None, None, "not UTF-8 (TOML files are UTF-8)")]) from error
    return parse_shop(text, source)


def parse_shop(text: str, source: str) -> Shop:
    """A shop profile from its TOML text; ``source`` names it in problems."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise OrderError([Problem(source, None, None, _("not valid TOML: {reason}").format(reason=error))]) from error
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(source, None, key, message))

    _unknown_keys(data, "", ("name", "sender", "carriers"), problem)
    name = data.get("name", "")
    if not isinstance(name, str):
        problem("name", _("must be a string"))
        name = ""
    sender = _address(data.get("sender"), "sender", problem, default_name=name) if "sender" in data else None
    accounts: dict[str, CarrierAccount] = {}
    carriers = data.get("carriers", {})
    if not isinstance(carriers, dict):
        problem("carriers", _("must be a table of carrier codes"))
        carriers = {}
    for code, entry in carriers.items():
        key = f"carriers.{code}"
        carrier = CARRIERS.get(code)
        if carrier is None:
            problem(key, _("unknown carrier {code!r}; known: {known}").format(code=code, known=", ".join(CARRIERS)))
            continue
        if not isinstance(entry, dict):
            problem(key, _("must be a table"))
            continue
        numbers = parse_numbers(entry["numbers"], f"{key}.numbers", problem) if "numbers" in entry else None
        if carrier.direct:
            _unknown_keys(
                entry,
                key,
                ("monthly_account", "numbers"),
                problem,
                _("{code} is a direct carrier: monthly_account, numbers").format(code=code),
            )
            account = entry.get("monthly_account")
            if not isinstance(account, str) or not account.strip():
                problem(
                    f"{key}.monthly_account",
                    _("{code} is a direct carrier: give the 月结账号 as a string").format(code=code),
                )
                continue
            accounts[code] = CarrierAccount(monthly_account=account.strip(), numbers=numbers)
        else:
            hint = _("{code} is a franchise carrier: branch, numbers").format(code=code)
            _unknown_keys(entry, key, ("branch", "numbers"), problem, hint)
            branch = entry.get("branch")
            if not isinstance(branch, dict):
                problem(
                    f"{key}.branch",
                    _("{code} is a franchise carrier: give its branch (网点) as a table").format(code=code),
                )
                continue
            _unknown_keys(branch, f"{key}.branch", ("name", "code", "address"), problem)
            parts = {part: branch.get(part) for part in ("name", "code")}
            for part, value in parts.items():
                if not isinstance(value, str) or not value.strip():
                    problem(f"{key}.branch.{part}", _("is required, as a string"))
            address = _address(branch.get("address"), f"{key}.branch.address", problem, default_name=name)
            branch_name, branch_code = parts["name"], parts["code"]
            if address is not None and isinstance(branch_name, str) and isinstance(branch_code, str):
                branch_value = Branch(branch_name.strip(), branch_code.strip(), address)
                accounts[code] = CarrierAccount(branch=branch_value, numbers=numbers)
    if problems:
        raise OrderError(problems)
    return Shop(name=name, sender=sender, accounts=accounts)


_ADDRESS_PARTS = ("name", "phone", "province", "city", "district", "address")


def _unknown_keys(
    table: dict[str, Any], key: str, known: tuple[str, ...], problem: Callable[[str, str], None], hint: str = ""
) -> None:
    for extra in sorted(table.keys() - set(known)):
        what = (
            _("unknown key ({hint})").format(hint=hint)
            if hint
            else _("unknown key (a typo would silently drop its value)")
        )
        problem(f"{key}.{extra}" if key else extra, what)


def _address(value: Any, key: str, problem: Callable[[str, str], None], *, default_name: str) -> Address | None:
    if not isinstance(value, dict):
        problem(key, _("must be a table with name, phone, province, city, district, address"))
        return None
    _unknown_keys(value, key, _ADDRESS_PARTS, problem)
    fields = {}
    valid = True
    for part in _ADDRESS_PARTS:
        text = value.get(part, default_name if part == "name" else "")
        if not isinstance(text, str):
            problem(f"{key}.{part}", _("must be a string"))
            valid = False
            continue
        fields[part] = text.strip()
        if not fields[part] and part in ("name", "phone", "province", "address"):
            problem(f"{key}.{part}", _("is required"))
            valid = False
    return Address(**fields) if valid else None

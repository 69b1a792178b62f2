"""The shop profile (``--shop FILE``): shop name, default sender and per-carrier accounts or branches."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waybill.errors import OrderError, Problem
from waybill.model import CARRIERS, Address, Order


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OrderError([Problem(source, None, None, f"cannot read shop profile: {error.strerror}")]) from error
    except tomllib.TOMLDecodeError as error:
        raise OrderError([Problem(source, None, None, f"not valid TOML: {error}")]) from error
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(source, None, key, message))

    name = data.get("name", "")
    if not isinstance(name, str):
        problem("name", "must be a string")
        name = ""
    sender = _address(data.get("sender"), "sender", problem, default_name=name) if "sender" in data else None
    accounts: dict[str, CarrierAccount] = {}
    carriers = data.get("carriers", {})
    if not isinstance(carriers, dict):
        problem("carriers", "must be a table of carrier codes")
        carriers = {}
    for code, entry in carriers.items():
        key = f"carriers.{code}"
        carrier = CARRIERS.get(code)
        if carrier is None:
            problem(key, f"unknown carrier {code!r}; known: {', '.join(CARRIERS)}")
            continue
        if not isinstance(entry, dict):
            problem(key, "must be a table")
            continue
        if carrier.direct:
            account = entry.get("monthly_account")
            if not isinstance(account, str) or not account.strip():
                problem(f"{key}.monthly_account", f"{code} is a direct carrier: give the 月结账号 as a string")
                continue
            accounts[code] = CarrierAccount(monthly_account=account.strip())
        else:
            branch = entry.get("branch")
            if not isinstance(branch, dict):
                problem(f"{key}.branch", f"{code} is a franchise carrier: give its branch (网点) as a table")
                continue
            branch_name, branch_code = branch.get("name"), branch.get("code")
            if not isinstance(branch_name, str) or not isinstance(branch_code, str):
                problem(f"{key}.branch", "needs name and code as strings")
                continue
            address = _address(branch.get("address"), f"{key}.branch.address", problem, default_name=name)
            if address is not None:
                accounts[code] = CarrierAccount(branch=Branch(branch_name, branch_code, address))
    if problems:
        raise OrderError(problems)
    return Shop(name=name, sender=sender, accounts=accounts)


def _address(value: Any, key: str, problem: Any, *, default_name: str) -> Address | None:
    if not isinstance(value, dict):
        problem(key, "must be a table with name, phone, province, city, district, address")
        return None
    fields = {}
    for part in ("name", "phone", "province", "city", "district", "address"):
        text = value.get(part, default_name if part == "name" else "")
        if not isinstance(text, str):
            problem(f"{key}.{part}", "must be a string")
            return None
        fields[part] = text.strip()
    for required in ("name", "phone", "province", "address"):
        if not fields[required]:
            problem(f"{key}.{required}", "is required")
            return None
    return Address(**fields)

"""Rules as dated data, for every work-order kind: ``[[rule_set]]`` tables that each apply from their ``from``
instant until the next one's, each inheriting the keys it does not give from the one before.

A kind supplies its rule-set type and a ``build`` function that checks its own keys; this module reads the
TOML, checks the dates and picks the rule set in force. Pure apart from reading the file.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from stall_monitor.errors import TrackingError
from waybill.i18n import _
from waybill.times import BEIJING, sane_time

__all__ = ["Dated", "DatedRules", "as_written", "check_keys", "load_dated", "numbers", "parse_dated"]


class Dated(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def effective_from(self) -> datetime | None: ...


R = TypeVar("R", bound=Dated)

# (merged fields, where for messages, name, effective_from) → the kind's rule set
Build = Callable[[dict[str, Any], str, str, datetime | None], R]


@dataclass(frozen=True)
class DatedRules(Generic[R]):
    """Rule sets in order of ``effective_from``; the first applies to everything before the second."""

    sets: tuple[R, ...]
    source: str = "built-in rules"

    def at(self, moment: datetime) -> R:
        """The rule set in force at ``moment`` (a rule set starts applying at its ``from`` instant exactly)."""
        current = self.sets[0]
        for rule_set in self.sets[1:]:
            assert rule_set.effective_from is not None
            if rule_set.effective_from <= moment:
                current = rule_set
        return current


def load_dated(path: Path | None, package: str, resource: str, build: Build[R]) -> DatedRules[R]:
    """The rules in ``path``, or the kind's built-in ``package/resource`` when it is ``None``."""
    if path is None:
        text = resources.files(package).joinpath(resource).read_text(encoding="utf-8")
        return parse_dated(text, f"{package.replace('.', '/')}/{resource} (built in)", build)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TrackingError(
            _("{path}: cannot read rules: {reason}").format(path=path, reason=error.strerror)
        ) from error
    except UnicodeDecodeError as error:
        raise TrackingError(_("{path}: not UTF-8 (TOML files are UTF-8)").format(path=path)) from error
    return parse_dated(text, str(path), build)


def parse_dated(text: str, source: str, build: Build[R]) -> DatedRules[R]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TrackingError(_("{source}: not valid TOML: {error}").format(source=source, error=error)) from error
    unknown = set(data) - {"rule_set"}
    if unknown:
        raise TrackingError(
            _("{source}: unknown key {key!r}; rules are [[rule_set]] tables").format(
                source=source, key=sorted(unknown)[0]
            )
        )
    raw_sets = data.get("rule_set")
    if not isinstance(raw_sets, list) or not raw_sets:
        raise TrackingError(_("{source}: no [[rule_set]] tables").format(source=source))
    sets: list[R] = []
    inherited: dict[str, Any] = {}
    for index, raw in enumerate(raw_sets):
        where = f"{source}: rule_set[{index}]"
        fields = {**inherited, **raw}
        if "from" not in fields and index:
            raise TrackingError(_("{where}: missing 'from' (only the first rule set may omit it)").format(where=where))
        effective_from = _instant(fields["from"], where) if "from" in fields else None
        name = fields.get("name", "")
        if not isinstance(name, str):
            raise TrackingError(_("{where}: name must be a string").format(where=where))
        if not name:
            name = f"from {effective_from.astimezone(BEIJING):%Y-%m-%d %H:%M}" if effective_from else "default"
        rest = {k: v for k, v in fields.items() if k not in ("name", "from")}
        sets.append(build(rest, where, name, effective_from))
        inherited = rest
    for before, after in itertools.pairwise(sets):
        if before.effective_from and after.effective_from and after.effective_from <= before.effective_from:
            raise TrackingError(
                _("{source}: rule set {name!r} must start after {previous!r}").format(
                    source=source, name=after.name, previous=before.name
                )
            )
    return DatedRules(tuple(sets), source)


def check_keys(fields: dict[str, Any], where: str, known: Collection[str], required: Collection[str]) -> None:
    for key in fields:
        if key not in known:
            raise TrackingError(_("{where}: unknown key {key!r}").format(where=where, key=key))
    missing = [key for key in required if key not in fields]
    if missing:
        raise TrackingError(_("{where}: missing {keys}").format(where=where, keys=", ".join(missing)))


def numbers(
    fields: dict[str, Any], where: str, keys: Collection[str], unit: str, most: float = math.inf
) -> dict[str, float]:
    """The finite numbers from 0 to ``most`` under ``keys`` (``unit`` names them in the message)."""
    values: dict[str, float] = {}
    for key in keys:
        value = fields[key]
        # NaN compares false with everything and would pass any check, so finiteness is asked first.
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            ok = False
        else:
            ok = 0 <= value <= most
        if not ok:
            bound = _("from 0 to {most}").format(most=as_written(most)) if math.isfinite(most) else "≥ 0"
            raise TrackingError(
                _("{where}: {key} must be a number of {unit} {bound}, not {value!r}").format(
                    where=where, key=key, unit=unit, bound=bound, value=value
                )
            )
        values[key] = float(value)
    return values


def _instant(value: Any, where: str) -> datetime:
    """A TOML date or datetime as an aware UTC instant; a local one is Beijing time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise TrackingError(
                _("{where}: from {value!r} is not an ISO 8601 time").format(where=where, value=value)
            ) from error
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise TrackingError(_("{where}: from must be a date or time, not {value!r}").format(where=where, value=value))
    try:
        sane_time(value)
    except ValueError as error:
        raise TrackingError(
            _("{where}: from {moment}: {error}").format(where=where, moment=value.isoformat(), error=error)
        ) from error
    moment: datetime = value if value.tzinfo is not None else value.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)


def as_written(value: float) -> float | int:
    """A rule's number as a merchant writes it: 72, not 72.0; 1.5 stays 1.5."""
    return int(value) if float(value).is_integer() else value

"""Stall rules as dated data: which thresholds are in force at a given instant, and which provinces are remote.

The defaults ship as ``stall_monitor/rules.toml``; ``--rules FILE`` replaces them. Pure apart from reading the
file: every decision takes the instant as a parameter.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from stall_monitor.errors import TrackingError
from stall_monitor.events import BEIJING
from waybill.times import sane_time

__all__ = ["RuleSet", "Rules", "default_rules", "load_rules", "normalise_province", "parse_rules"]

_HOUR_KEYS = (
    "normal_hours",
    "remote_hours",
    "response_hours",
    "warning_margin_hours",
    "pickup_window_hours",
    "feed_quiet_hours",
)
_KEYS = {"name", "from", "remote_provinces", *_HOUR_KEYS}
MAX_HOURS = 24 * 366

# Longest first: 新疆维吾尔自治区 must lose 维吾尔自治区, not just 自治区.
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def normalise_province(name: str | None) -> str:
    """The short name of a province: 新疆维吾尔自治区 → 新疆, 内蒙古自治区 → 内蒙古, 北京市 → 北京."""
    text = "".join((name or "").split())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


@dataclass(frozen=True)
class RuleSet:
    name: str
    effective_from: datetime | None  # None: since the beginning of time
    normal_hours: float
    remote_hours: float
    remote_provinces: frozenset[str]
    response_hours: float
    warning_margin_hours: float
    pickup_window_hours: float
    feed_quiet_hours: float

    def is_remote(self, province: str | None) -> bool:
        return normalise_province(province) in self.remote_provinces

    def threshold_hours(self, province: str | None) -> float:
        return self.remote_hours if self.is_remote(province) else self.normal_hours

    @property
    def response_delta(self) -> timedelta:
        return timedelta(hours=self.response_hours)


@dataclass(frozen=True)
class Rules:
    """Rule sets in order of ``effective_from``; the first applies to everything before the second."""

    sets: tuple[RuleSet, ...]
    source: str = "built-in rules"

    def at(self, moment: datetime) -> RuleSet:
        """The rule set in force at ``moment`` (a rule set starts applying at its ``from`` instant exactly)."""
        current = self.sets[0]
        for rule_set in self.sets[1:]:
            assert rule_set.effective_from is not None
            if rule_set.effective_from <= moment:
                current = rule_set
        return current


def default_rules() -> Rules:
    text = resources.files("stall_monitor").joinpath("rules.toml").read_text(encoding="utf-8")
    return parse_rules(text, "stall_monitor/rules.toml (built in)")


def load_rules(path: Path | None) -> Rules:
    """The rules in ``path``, or the built-in defaults when it is ``None``."""
    if path is None:
        return default_rules()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TrackingError(f"{path}: cannot read rules: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise TrackingError(f"{path}: not UTF-8 (TOML files are UTF-8)") from error
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str) -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TrackingError(f"{source}: not valid TOML: {error}") from error
    unknown = set(data) - {"rule_set"}
    if unknown:
        raise TrackingError(f"{source}: unknown key {sorted(unknown)[0]!r}; rules are [[rule_set]] tables")
    raw_sets = data.get("rule_set")
    if not isinstance(raw_sets, list) or not raw_sets:
        raise TrackingError(f"{source}: no [[rule_set]] tables")
    sets: list[RuleSet] = []
    inherited: dict[str, Any] = {}
    for index, raw in enumerate(raw_sets):
        where = f"{source}: rule_set[{index}]"
        fields = {**inherited, **raw}
        sets.append(_rule_set(fields, where, first=index == 0))
        inherited = {k: v for k, v in fields.items() if k not in ("name", "from")}
    for before, after in itertools.pairwise(sets):
        if before.effective_from and after.effective_from and after.effective_from <= before.effective_from:
            raise TrackingError(f"{source}: rule set {after.name!r} must start after {before.name!r}")
    return Rules(tuple(sets), source)


def _rule_set(fields: dict[str, Any], where: str, *, first: bool) -> RuleSet:
    for key in fields:
        if key not in _KEYS:
            raise TrackingError(f"{where}: unknown key {key!r}")
    missing = [key for key in ("remote_provinces", *_HOUR_KEYS) if key not in fields]
    if missing:
        raise TrackingError(f"{where}: missing {', '.join(missing)}")
    if "from" not in fields and not first:
        raise TrackingError(f"{where}: missing 'from' (only the first rule set may omit it)")
    hours: dict[str, float] = {}
    for key in _HOUR_KEYS:
        value = fields[key]
        # NaN compares false with everything and would pass any check; a year of hours is past any sane rule.
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_HOURS:
            raise TrackingError(f"{where}: {key} must be a number of hours from 0 to {MAX_HOURS}, not {value!r}")
        hours[key] = float(value)
    for key in ("normal_hours", "remote_hours"):
        if hours[key] <= hours["warning_margin_hours"]:
            raise TrackingError(f"{where}: {key} must be longer than warning_margin_hours")
    provinces = fields["remote_provinces"]
    if not isinstance(provinces, list) or not all(isinstance(p, str) for p in provinces):
        raise TrackingError(f"{where}: remote_provinces must be a list of province names")
    name = fields.get("name", "")
    if not isinstance(name, str):
        raise TrackingError(f"{where}: name must be a string")
    effective_from = _instant(fields["from"], where) if "from" in fields else None
    return RuleSet(
        name=name or (f"from {effective_from.astimezone(BEIJING):%Y-%m-%d %H:%M}" if effective_from else "default"),
        effective_from=effective_from,
        remote_provinces=frozenset(normalise_province(p) for p in provinces),
        **hours,
    )


def _instant(value: Any, where: str) -> datetime:
    """A TOML date or datetime as an aware UTC instant; a local one is Beijing time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise TrackingError(f"{where}: from {value!r} is not an ISO 8601 time") from error
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise TrackingError(f"{where}: from must be a date or time, not {value!r}")
    try:
        sane_time(value)
    except ValueError as error:
        raise TrackingError(f"{where}: from {value.isoformat()}: {error}") from error
    moment: datetime = value if value.tzinfo is not None else value.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)

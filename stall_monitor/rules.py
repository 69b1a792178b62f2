"""The stall kind's rules as dated data: which thresholds are in force at a given instant, which provinces
are remote, and every clock that follows from them (``RuleSet`` is the one place they are computed).

The defaults ship as ``stall_monitor/rules.toml``; ``--rules FILE`` replaces them. Pure apart from reading the
file: every decision takes the instant as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stall_monitor.dated import DatedRules, check_keys, load_dated, numbers, parse_dated
from stall_monitor.errors import TrackingError
from waybill.i18n import _

__all__ = ["RuleSet", "Rules", "default_rules", "load_rules", "normalise_province", "parse_rules"]

MAX_HOURS = 24 * 366  # a year of hours is past any sane rule
_HOUR_KEYS = (
    "normal_hours",
    "remote_hours",
    "response_hours",
    "warning_margin_hours",
    "pickup_window_hours",
    "feed_quiet_hours",
)

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
    """One dated set of stall rules, and the clocks that follow from it."""

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
        return self.hours(self.is_remote(province))

    def hours(self, remote: bool) -> float:
        """The silence after which a buyer can open a stall work order."""
        return self.remote_hours if remote else self.normal_hours

    def threshold(self, remote: bool) -> timedelta:
        return timedelta(hours=self.hours(remote))

    def entry_opens_at(self, last: datetime, remote: bool) -> datetime:
        """When a parcel silent since ``last`` (its last event, or shipping) can get a work order."""
        return last + self.threshold(remote)

    def listing_cutoff(self, at: datetime, remote: bool) -> datetime:
        """The latest last-event time of a parcel listed at ``at``: within the warning margin of its threshold."""
        return at - self.threshold(remote) + timedelta(hours=self.warning_margin_hours)

    def pickup_cutoff(self, at: datetime) -> datetime:
        """A parcel shipped by then without any event is ``no_pickup`` at ``at``."""
        return at - timedelta(hours=self.pickup_window_hours)

    def feed_is_quiet(self, silence: timedelta) -> bool:
        return silence >= timedelta(hours=self.feed_quiet_hours)

    def response_due(self, opened_at: datetime) -> datetime:
        """When a stall work order opened at ``opened_at`` must be answered (this rule set: in force then)."""
        return opened_at + timedelta(hours=self.response_hours)


Rules = DatedRules[RuleSet]


def default_rules() -> Rules:
    return load_rules(None)


def load_rules(path: Path | None) -> Rules:
    """The stall rules in ``path``, or the built-in defaults when it is ``None``."""
    return load_dated(path, "stall_monitor", "rules.toml", _rule_set)


def parse_rules(text: str, source: str) -> Rules:
    return parse_dated(text, source, _rule_set)


def _rule_set(fields: dict[str, Any], where: str, name: str, effective_from: datetime | None) -> RuleSet:
    check_keys(fields, where, {"remote_provinces", *_HOUR_KEYS}, ("remote_provinces", *_HOUR_KEYS))
    hours = numbers(fields, where, _HOUR_KEYS, _("hours"), most=MAX_HOURS)
    for key in ("normal_hours", "remote_hours"):
        if hours[key] <= hours["warning_margin_hours"]:
            raise TrackingError(
                _("{where}: {key} must be longer than warning_margin_hours").format(where=where, key=key)
            )
    provinces = fields["remote_provinces"]
    if not isinstance(provinces, list) or not all(isinstance(p, str) for p in provinces):
        raise TrackingError(_("{where}: remote_provinces must be a list of province names").format(where=where))
    return RuleSet(
        name=name,
        effective_from=effective_from,
        remote_provinces=frozenset(normalise_province(p) for p in provinces),
        **hours,
    )

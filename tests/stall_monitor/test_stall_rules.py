"""Rules are dated data: the rule set in force at an instant, province names, and loud errors in rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from stall_monitor.errors import TrackingError
from stall_monitor.rules import default_rules, load_rules, normalise_province, parse_rules
from waybill.times import parse_instant as bj


@pytest.mark.parametrize(
    ("at", "normal", "remote"),
    [
        ("2020-01-01 00:00", 48, 72),
        ("2022-12-14 23:59:59.999999", 48, 72),
        ("2022-12-15 00:00", 72, 96),
        ("2022-12-14T16:00:00+00:00", 72, 96),  # the same instant in UTC
        ("2030-01-01 00:00", 72, 96),
    ],
)
def test_default_rule_sets_by_instant(at: str, normal: float, remote: float) -> None:
    rule = default_rules().at(bj(at))
    assert (rule.normal_hours, rule.remote_hours) == (normal, remote)
    assert (rule.response_hours, rule.warning_margin_hours, rule.pickup_window_hours) == (24, 12, 24)
    assert rule.remote_provinces == {"新疆", "西藏", "青海", "甘肃", "宁夏", "内蒙古"}


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("新疆维吾尔自治区", "新疆"),
        ("内蒙古自治区", "内蒙古"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("广西壮族自治区", "广西"),
        ("北京市", "北京"),
        ("甘肃省", "甘肃"),
        (" 青海 省 ", "青海"),
        ("香港特别行政区", "香港"),
        ("新疆", "新疆"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_province(name: str | None, short: str) -> None:
    assert normalise_province(name) == short


def test_remote_by_full_name() -> None:
    rule = default_rules().at(bj("2023-01-01 00:00"))
    assert rule.threshold_hours("新疆维吾尔自治区") == 96
    assert rule.threshold_hours("浙江省") == 72
    assert not rule.is_remote("海南省")


def test_rule_sets_inherit_and_the_special_period_can_end(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        """
[[rule_set]]
normal_hours = 48
remote_hours = 72
remote_provinces = ["新疆维吾尔自治区", "海南省"]
response_hours = 24
warning_margin_hours = 12
pickup_window_hours = 24
feed_quiet_hours = 6

[[rule_set]]
name = "special"
from = 2022-12-15T00:00:00       # no zone: Beijing time
normal_hours = 72
remote_hours = 96

[[rule_set]]
name = "back to normal"
from = 2023-03-01
normal_hours = 48
remote_hours = 72
""",
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert [r.name for r in rules.sets] == ["default", "special", "back to normal"]
    assert rules.at(bj("2022-12-15 00:00")).remote_hours == 96
    assert rules.at(bj("2023-02-28 23:59")).normal_hours == 72
    assert rules.at(bj("2023-03-01 00:00")).normal_hours == 48
    assert rules.at(bj("2023-03-01 00:00")).remote_provinces == {"新疆", "海南"}


BASE = """
[[rule_set]]
normal_hours = 48
remote_hours = 72
remote_provinces = []
response_hours = 24
warning_margin_hours = 12
pickup_window_hours = 24
feed_quiet_hours = 6
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule_set]\n", "not valid TOML"),
        ("x = 1\n", "unknown key 'x'"),
        ("", "no \\[\\[rule_set\\]\\] tables"),
        (BASE.replace("feed_quiet_hours = 6", "feed_quiet_hour = 6"), "unknown key 'feed_quiet_hour'"),
        (BASE.replace("normal_hours = 48", ""), "missing normal_hours"),
        (BASE.replace("normal_hours = 48", 'normal_hours = "48"'), "normal_hours must be a number"),
        (BASE.replace("warning_margin_hours = 12", "warning_margin_hours = 48"), "longer than warning_margin"),
        (BASE + "[[rule_set]]\nnormal_hours = 72\n", "rule_set\\[1\\]: missing 'from'"),
        (BASE + "[[rule_set]]\nfrom = 2023-01-01\n[[rule_set]]\nfrom = 2022-01-01\n", "must start after"),
        (BASE + "[[rule_set]]\nfrom = 'soon'\n", "not an ISO 8601 time"),
    ],
)
def test_bad_rule_files_say_where(text: str, message: str) -> None:
    with pytest.raises(TrackingError, match=f"^my.toml: .*{message}"):
        parse_rules(text, "my.toml")


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(TrackingError, match="cannot read rules"):
        load_rules(tmp_path / "nope.toml")

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waybill.times import BEIJING, beijing_iso, parse_beijing_time, parse_instant


@pytest.mark.parametrize(
    ("text", "written", "utc"),
    [
        ("2022-12-05 10:00", "2022-12-05T10:00:00+08:00", "2022-12-05T02:00:00+00:00"),
        ("2022-12-05T10:00:00+00:00", "2022-12-05T10:00:00+00:00", "2022-12-05T10:00:00+00:00"),
        (" 2022-12-05T10:00+09:00 ", "2022-12-05T10:00:00+09:00", "2022-12-05T01:00:00+00:00"),
    ],
)
def test_beijing_time_keeps_the_zone_written_and_the_instant_is_utc(text: str, written: str, utc: str) -> None:
    assert parse_beijing_time(text).isoformat() == written
    assert parse_instant(text).isoformat() == utc
    assert parse_instant(text).tzinfo is UTC
    assert parse_instant(text) == parse_beijing_time(text)


def test_beijing_iso_shows_plus_eight_to_the_second() -> None:
    assert BEIJING.utcoffset(None) == timedelta(hours=8)
    assert beijing_iso(datetime(2022, 12, 4, 16, 0, 0, 999, tzinfo=UTC)) == "2022-12-05T00:00:00+08:00"
    assert beijing_iso(None) is None


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31, 23, 59, 59)), st.booleans())
def test_the_instant_of_a_zoneless_time_is_its_beijing_time(moment: datetime, with_t: bool) -> None:
    text = moment.isoformat("T" if with_t else " ")
    assert parse_instant(text) == moment.replace(tzinfo=BEIJING)
    assert parse_instant(text).tzinfo is UTC
    assert beijing_iso(parse_instant(text)) == moment.replace(microsecond=0, tzinfo=BEIJING).isoformat()


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)),
    st.timedeltas(min_value=timedelta(hours=-23, minutes=59), max_value=timedelta(hours=23, minutes=59)),
)
def test_beijing_iso_is_isoformat_to_the_second_in_beijing(moment: datetime, offset: timedelta) -> None:
    aware = moment.replace(tzinfo=timezone(offset))  # any zone, microseconds and odd offsets included
    assert beijing_iso(aware) == aware.astimezone(BEIJING).isoformat(timespec="seconds")


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)),
    st.sampled_from(["T", " "]),
    st.sampled_from(["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"]),
    st.sampled_from(["", "+08:00", "Z", "-05:30", "+00:00"]),
    st.booleans(),
)
def test_parse_instant_is_the_moment_written_in_utc(
    moment: datetime, sep: str, timespec: str, zone: str, date_alone: bool
) -> None:
    text = moment.date().isoformat() if date_alone else moment.isoformat(sep, timespec) + zone
    parsed = datetime.fromisoformat(text)  # the reference: the moment written, in Beijing time if no zone
    expected = (parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)).astimezone(UTC)
    assert parse_instant(f" {text} ") == expected
    assert parse_instant(text).tzinfo is UTC

"""Times in the store: UTC text on SQLite, read back as aware UTC datetimes; anything else is named as damage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waybill.errors import DatabaseError
from waybill.stored_times import sqlite_utc_text, sqlite_utc_text_of_iso, utc_of_stored

MOMENTS = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC))


@given(MOMENTS)
def test_what_sqlite_stores_reads_back_as_the_same_utc_instant(moment: datetime) -> None:
    read = utc_of_stored(sqlite_utc_text(moment))
    assert read == moment
    assert read is not None and read.tzinfo is UTC
    assert sqlite_utc_text_of_iso(moment.isoformat()) == sqlite_utc_text(moment)


def test_postgresql_values_come_back_in_utc() -> None:
    utc = datetime(2024, 3, 8, 2, 0, tzinfo=UTC)
    assert utc_of_stored(utc) is utc
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    assert utc_of_stored(beijing) == utc and utc_of_stored(beijing).tzinfo is UTC  # type: ignore[union-attr]
    assert utc_of_stored(utc.replace(tzinfo=None)) == utc
    assert utc_of_stored(None) is None


@pytest.mark.parametrize("damaged", ["2024-03-08 10:00:00+08:00", "yesterday", "", 12, b"2024-03-08"])
def test_a_damaged_time_is_an_error_naming_the_value(damaged: object) -> None:
    with pytest.raises(DatabaseError, match="where a time belongs"):
        utc_of_stored(damaged)


def test_a_date_alone_is_damage_not_a_naive_time() -> None:
    with pytest.raises(DatabaseError, match="where a time belongs"):
        utc_of_stored("2024-03-08")

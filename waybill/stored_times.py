"""How the store keeps a time: UTC, as ``timestamptz`` on PostgreSQL and as fixed-width text on SQLite
(``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts as the times do). Both ways, without SQLAlchemy, so the ingest's
reader process and the plain-SQL readers use the one format ``waybill.database.UtcDateTime`` stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from waybill.errors import DatabaseError

__all__ = ["sqlite_utc_text", "sqlite_utc_text_of_iso", "utc_of_stored"]


def sqlite_utc_text(value: datetime | None) -> str | None:
    """How ``UtcDateTime`` stores an aware datetime on SQLite (for rows bound straight through the driver)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise DatabaseError(f"internal: naive datetime {value!r} would be ambiguous in the store")
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def sqlite_utc_text_of_iso(utc_iso: str) -> str:
    """``sqlite_utc_text`` of a UTC time from its ``isoformat()`` (``2024-03-07T02:43:39[.123456]+00:00``), by
    slicing: the ingest has that text already for the event key."""
    fraction = utc_iso[19:26] if utc_iso[19] == "." else ".000000"
    return f"{utc_iso[:10]} {utc_iso[11:19]}{fraction}"


def utc_of_stored(value: Any) -> datetime | None:
    """An aware UTC datetime from what the driver returns for a ``UtcDateTime`` column: SQLite's text
    (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), or PostgreSQL's ``timestamptz``. Anything else is a damaged
    store, a ``DatabaseError``."""
    if value is None:
        return None
    if isinstance(value, str):
        try:  # the zone parsed with the text: six times faster than replace(tzinfo=UTC) after it
            read = datetime.fromisoformat(value + "+00:00")
        except ValueError:  # a zone in the text already, or no time at all
            pass
        else:
            if read.tzinfo is UTC:  # not a date alone, which takes no zone
                return read
    elif isinstance(value, datetime):
        if value.tzinfo is UTC:  # PostgreSQL's, in a session set to UTC (``waybill.store_reader.utc_session``)
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise DatabaseError(f"the store holds {value!r} where a time belongs; it may be damaged")

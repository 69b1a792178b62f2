"""Beijing time, the zone every Chinese system writes without saying so, and ISO 8601 parsing with it,
within the years a parcel can be shipped in.

One constant and two parsers named for what they return: ``parse_beijing_time`` keeps the offset the text
gives (labels print it), ``parse_instant`` gives the same moment in UTC (stores and clocks compare it). The
year bound keeps every later step safe: year 1 in Beijing time has no UTC equivalent (``OverflowError``), and
thresholds added to a year-9999 instant overflow too.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "BEIJING",
    "FIRST_YEAR",
    "LAST_YEAR",
    "beijing_iso",
    "hours_down",
    "parse_beijing_time",
    "parse_instant",
    "sane_time",
]

_BEIJING_OFFSET = timedelta(hours=8)
BEIJING = timezone(_BEIJING_OFFSET, "Asia/Shanghai")
FIRST_YEAR, LAST_YEAR = 1970, 2199


def sane_time(moment: datetime) -> datetime:
    """``moment`` itself, or ``ValueError`` when its year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"year {moment.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return moment


def parse_beijing_time(text: str) -> datetime:
    """An ISO 8601 time (``T`` or a space between date and time), aware: without a zone it is Beijing time.
    ``ValueError`` for anything else, a year outside FIRST_YEAR..LAST_YEAR included."""
    moment = sane_time(datetime.fromisoformat(text.strip()))
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def parse_instant(text: str) -> datetime:
    """The instant an ISO 8601 time names (Beijing time without a zone), in UTC."""
    text = text.strip()
    moment = sane_time(datetime.fromisoformat(text))
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    # Once per tracking event: parsed again with the UTC zone, then 8 h taken off, is a third of the time
    # replace(tzinfo=UTC) takes. A date alone takes no zone that way (the zone is then ignored).
    utc = datetime.fromisoformat(text + "+00:00")
    return (utc if utc.tzinfo is UTC else moment.replace(tzinfo=UTC)) - _BEIJING_OFFSET


def beijing_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with ``+08:00``, to the second, as merchants read it."""
    if moment is None:
        return None
    import orjson  # loaded on first use (15 ms that ``--help`` need not pay)

    # orjson's RFC 3339 form is isoformat(timespec="seconds")'s, written in C in half the time (scans write two
    # a parcel); OMIT_MICROSECONDS truncates as timespec does.
    return orjson.dumps(moment.astimezone(BEIJING), option=orjson.OPT_OMIT_MICROSECONDS)[1:-1].decode()


def hours_down(delta: timedelta) -> float:
    """Hours to one decimal, rounded down: one minute short of 72 h shows 71.9, one minute past 0 shows −0.1."""
    return math.floor(delta.total_seconds() / 360) / 10

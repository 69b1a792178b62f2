"""Times as orders, tracking events and the command line write them: ISO 8601, Beijing time when no zone is
given (as Chinese systems write it), and within the years a parcel can be shipped in.

The year bound keeps every later step safe: year 1 in Beijing time has no UTC equivalent (``OverflowError``),
and thresholds added to a year-9999 instant overflow too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["BEIJING", "FIRST_YEAR", "LAST_YEAR", "parse_time", "sane_time"]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
FIRST_YEAR, LAST_YEAR = 1970, 2199


def sane_time(moment: datetime) -> datetime:
    """``moment`` itself, or ``ValueError`` when its year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"year {moment.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return moment


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``T`` or a space before the time), aware; one without a zone is Beijing time."""
    moment = sane_time(datetime.fromisoformat(text.strip()))
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)

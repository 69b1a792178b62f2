"""Beijing time, the zone every Chinese system writes without saying so, and ISO 8601 parsing with it.

One constant and two parsers named for what they return: ``parse_beijing_time`` keeps the offset the text
gives (labels print it), ``parse_instant`` gives the same moment in UTC (stores and clocks compare it).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["BEIJING", "beijing_iso", "hours_down", "parse_beijing_time", "parse_instant"]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def parse_beijing_time(text: str) -> datetime:
    """An ISO 8601 time (``T`` or a space between date and time), aware: without a zone it is Beijing time."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def parse_instant(text: str) -> datetime:
    """The instant an ISO 8601 time names (Beijing time without a zone), in UTC."""
    return parse_beijing_time(text).astimezone(UTC)


def beijing_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with ``+08:00``, to the second, as merchants read it."""
    if moment is None:
        return None
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def hours_down(delta: timedelta) -> float:
    """Hours to one decimal, rounded down: one minute short of 72 h shows 71.9, one minute past 0 shows −0.1."""
    return math.floor(delta.total_seconds() / 360) / 10

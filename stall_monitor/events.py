"""Tracking events as values: canonical statuses, Beijing-time parsing and the de-duplication key.

Pure: no file, socket, database or clock. Times are timezone-aware; a time written without a zone is Beijing
time (UTC+8), as every Chinese carrier writes it. Inside the tool times are UTC; they are shown as +08:00.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from waybill.times import BEIJING
from waybill.times import parse_time as local_time

__all__ = [
    "BEIJING",
    "CANONICAL_STATUSES",
    "CLOSING_STATUSES",
    "MAX_LENGTHS",
    "Event",
    "beijing_iso",
    "canonical_status",
    "event_key",
    "parse_time",
]


# The widths of the store's columns: a longer value is refused by the reader as a problem of its line,
# not by PostgreSQL in the middle of a batch (which would lose the batch's good events too).
MAX_LENGTHS: dict[str, int] = {"waybill_no": 64, "status": 64, "location": 200, "carrier": 32}

CANONICAL_STATUSES: tuple[str, ...] = (
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "returning",
    "return_delivered",
    "refused",
    "problem",
    "customs",
)
# A waybill with any of these events is closed: the parcel reached someone and can no longer stall.
CLOSING_STATUSES: tuple[str, ...] = ("delivered", "return_delivered")

# Kuaidi100's base state codes and the Chinese names its event items carry (REFERENCE §6).
KUAIDI100_CODES: dict[str, str] = {
    "0": "in_transit",
    "1": "picked_up",
    "2": "problem",
    "3": "delivered",
    "4": "return_delivered",
    "5": "out_for_delivery",
    "6": "returning",
    "7": "in_transit",  # 转投 re-routed: still moving
    "8": "customs",
    "14": "refused",
}
CHINESE_NAMES: dict[str, str] = {
    "在途": "in_transit",
    "揽收": "picked_up",
    "疑难": "problem",
    "签收": "delivered",
    "退签": "return_delivered",
    "派件": "out_for_delivery",
    "退回": "returning",
    "转投": "in_transit",
    "清关": "customs",
    "拒签": "refused",
}


def canonical_status(raw: str) -> str:
    """The canonical name of a status, or the status exactly as it came when it is not known.

    Only canonical names and the Chinese names are recognised here; numeric codes are carrier-specific
    and are mapped by their source (see ``sources.kuaidi100``). Nothing unknown becomes "in transit".
    """
    text = raw.strip()
    lowered = text.lower()
    if lowered in CANONICAL_STATUSES:
        return lowered
    return CHINESE_NAMES.get(text, raw)


def is_known(status: str) -> bool:
    return status in CANONICAL_STATUSES


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (``T`` or a space between date and time) in UTC; without a zone it is Beijing time.

    ``ValueError`` for text that is not one, or a year outside what ``waybill.times`` allows.
    """
    return local_time(text).astimezone(UTC)


def beijing_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with ``+08:00``, to the second, as merchants read it."""
    if moment is None:
        return None
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def event_key(waybill_no: str, time: datetime, status: str, context: str) -> str:
    """The identity of an event: the same parcel, instant, status and text is the same event, however often sent."""
    material = "\x1f".join((waybill_no, time.astimezone(UTC).isoformat(), status, context))
    return hashlib.blake2b(material.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One tracking event. ``status`` is canonical when known, else exactly as it came."""

    waybill_no: str
    time: datetime  # aware; normalised to UTC
    status: str
    context: str = ""
    location: str = ""
    carrier: str = ""

    @property
    def key(self) -> str:
        return event_key(self.waybill_no, self.time, self.status, self.context)

    @property
    def known(self) -> bool:
        return is_known(self.status)

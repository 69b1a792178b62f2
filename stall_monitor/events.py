"""Tracking events as values: canonical statuses and the de-duplication key.

Pure: no file, socket, database or clock. Times are timezone-aware; a time written without a zone is Beijing
time (UTC+8), as every Chinese carrier writes it (``waybill.times``). Inside the tool times are UTC; they are
shown as +08:00.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import NamedTuple

__all__ = [
    "CANONICAL_STATUSES",
    "CLOSING_STATUSES",
    "KNOWN_STATUSES",
    "MAX_LENGTHS",
    "Event",
    "canonical_status",
    "event_key",
    "event_key_at",
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
KNOWN_STATUSES = frozenset(CANONICAL_STATUSES)  # for membership tests once per event
# A waybill with any of these events is closed: the parcel reached someone and can no longer stall.
CLOSING_STATUSES: tuple[str, ...] = ("delivered", "return_delivered")

# The Chinese status names carriers and Kuaidi100 write in their event items (REFERENCE §6).
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
    return status in KNOWN_STATUSES


def event_key(waybill_no: str, time: datetime, status: str, context: str) -> str:
    """The identity of an event: the same parcel, instant, status and text is the same event, however often sent."""
    return event_key_at(waybill_no, time.astimezone(UTC).isoformat(), status, context)


def event_key_at(waybill_no: str, utc_iso: str, status: str, context: str) -> str:
    """``event_key`` with the instant given as its UTC ``isoformat()`` (the ingest formats each time once)."""
    material = "\x1f".join((waybill_no, utc_iso, status, context))
    return hashlib.blake2b(material.encode("utf-8"), digest_size=16).hexdigest()


class Event(NamedTuple):
    """One tracking event. ``status`` is canonical when known, else exactly as it came. A named tuple: a
    large file makes one per line, three times faster than a frozen dataclass."""

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

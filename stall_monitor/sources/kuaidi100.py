"""Kuaidi100 subscription pushes: the ``param`` JSON of each push, as a file (one a line) or a webhook body.

A push carries the waybill's **full** history, newest first, every time; storing it is idempotent because
events are de-duplicated by their key. The sign is MD5(param + salt) as hex, compared without regard to case.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from stall_monitor.errors import TrackingError
from stall_monitor.events import MAX_LENGTHS, Event, canonical_status
from stall_monitor.sources.files import not_text, open_text
from waybill.errors import Problem
from waybill.records import BadJson, strict_json
from waybill.times import parse_instant

__all__ = ["CARRIER_CODES", "STATE_CODES", "parse_push", "read_pushes", "sign_matches", "signature"]

# Kuaidi100's base state codes (REFERENCE §6); numeric codes are Kuaidi100's own, so they are mapped here.
STATE_CODES: dict[str, str] = {
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

# Kuaidi100 company codes (``com``) of the carriers in waybill.model.CARRIERS.
CARRIER_CODES: dict[str, str] = {
    "shunfeng": "SF",
    "ems": "EMS",
    "jd": "JD",
    "yuantong": "YTO",
    "zhongtong": "ZTO",
    "shentong": "STO",
    "yunda": "YUNDA",
    "jtexpress": "JT",
}


def signature(param: str, salt: str) -> str:
    """The sign Kuaidi100 sends: upper-case MD5 hex of ``param + salt``."""
    return hashlib.md5((param + salt).encode("utf-8")).hexdigest().upper()


def sign_matches(param: str, sign: str, salt: str) -> bool:
    return hmac.compare_digest(signature(param, salt), sign.strip().upper())


class PushError(TrackingError):
    """The push as a whole cannot be read (not JSON, no ``lastResult``, no waybill number)."""


def parse_push(param: str, source: str = "push", line: int | None = None) -> list[Event | Problem]:
    """The events of one push; a bad event item becomes a ``Problem`` naming its index, the rest are kept.

    Raises ``PushError`` when the push as a whole is unusable.
    """
    try:
        data = strict_json(param)
    except BadJson as error:
        raise PushError(f"param is {error}") from error
    if not isinstance(data, dict):
        raise PushError("param must be a JSON object")
    result = data.get("lastResult")
    if not isinstance(result, dict):
        raise PushError("param has no lastResult object")
    waybill_no = str(result.get("nu") or "").strip().upper()
    if not waybill_no:
        raise PushError("lastResult has no waybill number (nu)")
    items = result.get("data")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise PushError("lastResult.data must be a list of events")
    com = str(result.get("com") or "").strip().lower()
    carrier = CARRIER_CODES.get(com, com.upper())
    for field, value in (("nu", waybill_no), ("com", carrier)):
        limit = MAX_LENGTHS["waybill_no" if field == "nu" else "carrier"]
        if len(value) > limit:
            raise PushError(f"lastResult.{field} is longer than {limit} characters")
    state = result.get("state")
    out: list[Event | Problem] = []
    for index, item in enumerate(items):
        field = f"lastResult.data[{index}]"
        try:
            out.append(_event(item, waybill_no, carrier, state if index == 0 else None))
        except ValueError as error:
            out.append(Problem(source, line, field, str(error)))
    return out


def _event(item: Any, waybill_no: str, carrier: str, newest_state: Any) -> Event:
    if not isinstance(item, dict):
        raise ValueError("must be an object with time, context, status")
    raw_time = item.get("time") or item.get("ftime")
    if not isinstance(raw_time, str) or not raw_time.strip():
        raise ValueError("time is required")
    try:
        time = parse_instant(raw_time)
    except ValueError as error:
        raise ValueError(f"time {raw_time!r} is not a time") from error
    context = item.get("context") or ""
    if not isinstance(context, str):
        raise ValueError("context must be a string")
    location = str(item.get("areaName") or item.get("location") or "").strip()
    status = _status(item, newest_state)
    for field, value in (("location", location), ("status", status)):
        if len(value) > MAX_LENGTHS[field]:
            raise ValueError(f"{field} is longer than {MAX_LENGTHS[field]} characters")
    return Event(
        waybill_no=waybill_no,
        time=time,
        status=status,
        context=context.strip(),
        location=location,
        carrier=carrier,
    )


def _status(item: Mapping[str, Any], newest_state: Any) -> str:
    """The item's own code, else its Chinese status name, else (newest item only) the push's state.

    A code or name we do not know is kept as it came; an item with nothing at all keeps an empty status.
    """
    code = item.get("statusCode")
    if code not in (None, ""):
        return STATE_CODES.get(str(code).strip(), str(code).strip())
    name = item.get("status")
    if isinstance(name, str) and name.strip():
        return canonical_status(name)
    if newest_state not in (None, ""):
        return STATE_CODES.get(str(newest_state).strip(), str(newest_state).strip())
    return ""


def read_pushes(path: Path) -> Iterator[Event | Problem]:
    """The events of a file of pushes, one ``param`` JSON a line; a bad line is a ``Problem`` with its line."""
    source = str(path)
    with open_text(path) as stream:
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    yield from parse_push(line, source, number)
                except PushError as error:
                    yield Problem(source, number, None, str(error))
        except UnicodeDecodeError as error:
            raise not_text(source, error) from error

"""Helpers of the stall-monitor tests (imported by name: this folder is on sys.path, it has no __init__)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from stall_monitor.events import parse_time

RECEIVED = parse_time("2030-01-01T00:00:00+08:00")  # the ingest clock in tests


def bj(text: str) -> datetime:
    """A Beijing-time instant written as '2022-12-15 00:00' (no zone means +08:00)."""
    return parse_time(text)


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def push(waybill_no: str, items: list[tuple[str, str, str]], *, com: str = "shunfeng", state: str = "0") -> str:
    """A Kuaidi100 push ``param``: items are (time, Chinese status, context), newest first as Kuaidi100 sends."""
    data = [{"time": t, "ftime": t, "status": s, "context": c, "areaName": "杭州"} for t, s, c in items]
    body = {
        "status": "polling",
        "message": "",
        "lastResult": {"message": "ok", "state": state, "ischeck": "0", "com": com, "nu": waybill_no, "data": data},
    }
    return json.dumps(body, ensure_ascii=False)

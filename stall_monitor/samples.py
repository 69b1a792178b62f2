"""Synthetic tracking data: Kuaidi100 push bodies and event streams, for tests, the benchmark and trials.

Deterministic (seeded), so a benchmark run or a test sees the same data every time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from waybill.times import BEIJING

__all__ = ["kuaidi100_param", "synthetic_events", "synthetic_invoice_requests", "write_jsonl"]

PROVINCES = ("浙江省", "广东省", "北京市", "四川省", "新疆维吾尔自治区", "内蒙古自治区", "江苏省", "甘肃省")
CARRIERS = ("SF", "YTO", "ZTO", "STO", "YUNDA", "JT", "EMS", "JD")
_STEPS = ("已揽收", "到达转运中心", "离开转运中心", "到达分拨中心", "运输中", "到达目的地城市", "到达网点")


def kuaidi100_param(
    waybill_no: str, items: list[tuple[str, str, str]], *, com: str = "shunfeng", state: str = "0"
) -> str:
    """A push ``param``: items are (time, Chinese status, context), newest first as Kuaidi100 sends them."""
    data = [{"time": t, "ftime": t, "status": s, "context": c, "areaName": "杭州"} for t, s, c in items]
    body = {
        "status": "polling",
        "message": "",
        "lastResult": {"message": "ok", "state": state, "ischeck": "0", "com": com, "nu": waybill_no, "data": data},
    }
    return json.dumps(body, ensure_ascii=False)


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    """One JSON object (or a given raw line) per line, streamed: any number of records in flat memory."""
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return path


def synthetic_events(
    waybills: int, events_per_waybill: int, *, end: datetime, silent_share: float = 0.05, seed: int = 5
) -> Iterator[dict[str, Any]]:
    """Event records (as in an events file) for ``waybills`` open parcels, ``events_per_waybill`` each.

    Most parcels had their last event within the 48 hours before ``end``; a ``silent_share`` of them went
    quiet 60-120 hours before it (at risk or stalled at ``end``). Events are 1-10 hours apart, written in
    Beijing time without a zone, the way carriers write them. No parcel is delivered: all stay open.
    """
    rng = random.Random(seed)
    for i in range(waybills):
        carrier = CARRIERS[i % len(CARRIERS)]
        quiet_hours = rng.uniform(60, 120) if rng.random() < silent_share else rng.uniform(0, 48)
        times = [end - timedelta(hours=quiet_hours)]
        for _ in range(events_per_waybill - 1):
            times.append(times[-1] - timedelta(minutes=rng.randrange(60, 600)))
        for step, time in enumerate(reversed(times)):
            yield {
                "waybill_no": f"{carrier}{i:012d}",
                "time": time.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                "status": "picked_up" if step == 0 else "in_transit",
                "context": f"【{PROVINCES[i % len(PROVINCES)][:2]}】快件{_STEPS[step % len(_STEPS)]}",
                "location": PROVINCES[(i + step) % len(PROVINCES)],
                "carrier": carrier,
            }


def synthetic_invoice_requests(
    requests: int, *, end: datetime, days: int = 180, seed: int = 11
) -> Iterator[dict[str, Any]]:
    """Invoice-request lines for ``requests`` orders over the ``days`` before ``end``, in Beijing time without a zone.

    Most invoices are issued within 12 days; a tenth of the requests get a buyer's work order, a tenth are never
    issued; every fifth order's issue or work order comes on a later line of its own (as exports append them).
    """
    rng = random.Random(seed)
    later: list[dict[str, Any]] = []

    def local(moment: datetime) -> str:
        return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")

    for i in range(requests):
        requested = end - timedelta(minutes=rng.randrange(0, days * 24 * 60))
        line: dict[str, Any] = {"order_id": f"TB{i:012d}", "requested_at": local(requested)}
        line["amount"] = f"{rng.randrange(100, 500000) / 100:.2f}"
        if rng.random() < 0.3:
            line["title"] = f"某某{i % 97}有限公司"
        facts: dict[str, Any] = {}
        if rng.random() < 0.1:
            facts["work_order_opened_at"] = local(
                requested + timedelta(minutes=rng.randrange(3 * 24 * 60, 25 * 24 * 60))
            )
        if rng.random() < 0.9:
            facts["issued_at"] = local(requested + timedelta(minutes=rng.randrange(10, 12 * 24 * 60)))
        if facts and rng.random() < 0.2:
            later.append({"order_id": line["order_id"], "requested_at": line["requested_at"], **facts})
        else:
            line.update(facts)
        yield line
    yield from later

"""Pack verification in `waybill jobs`: the figures line, and a station job's verification events."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from printers.verification_log import Figures, pack_events
from printers.verification_log import figures as verification_figures
from waybill.times import BEIJING

__all__ = ["figures_line", "print_verification"]


def figures_line(figures: Figures) -> str:
    """``pack verification: 12 verified, 1 set aside incomplete, 1 forced; refused: 3 misread, …``"""
    if not (figures.verified or figures.incomplete or figures.forced or figures.refusals):
        return ""
    refused = ", ".join(f"{n} {reason}" for reason, n in figures.refusals.items()) or "none"
    return (
        f"pack verification: {figures.verified} order(s) verified, {figures.incomplete} set aside incomplete, "
        f"{figures.forced} forced; refused scans: {refused}"
    )


def print_verification(engine: Engine, job_id: int) -> None:
    events = pack_events(engine, job_id=job_id)
    if not events:
        return
    print(f"{figures_line(verification_figures(engine, job_id=job_id))} (station {events[0].station})")
    for event in events:
        at = event.at.astimezone(BEIJING).strftime("%m-%d %H:%M:%S")
        missing = ", ".join(f"{sku} ×{n}" for sku, _, n in event.missing)
        what = {
            "verified": f"verified {event.units} unit(s)" + (f", {event.by_hand} by hand (+)" if event.by_hand else ""),
            "refused": f"refused {event.code!r}: {event.reason}" + (f" — {event.detail}" if event.detail else ""),
            "incomplete": f"set aside incomplete, missing {missing}",
            "forced": f"forced by the supervisor, missing {missing}",
        }[event.kind]
        print(f"  {at}  {event.order_id or '(no order open)':<20} {what}")

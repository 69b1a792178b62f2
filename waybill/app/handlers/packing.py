"""Pack verification in `waybill jobs`: the figures line (no SQLAlchemy, for the job list), and a station
job's verification events (read through SQLAlchemy, for one job's labels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from printers.verification_figures import Figures, reason_name
from waybill.i18n import _
from waybill.terminal import display_width
from waybill.times import BEIJING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["figures_line", "print_verification"]


def figures_line(figures: Figures) -> str:
    """``pack verification: 12 verified, 1 set aside incomplete, 1 forced; refused: 3 misread, …``"""
    if not (figures.verified or figures.incomplete or figures.forced or figures.refusals):
        return ""
    refused = _(", ").join(f"{n} {reason_name(reason)}" for reason, n in figures.refusals.items()) or _("none")
    return _(
        "pack verification: {verified} order(s) verified, {incomplete} set aside incomplete, {forced} forced; "
        "refused scans: {refused}"
    ).format(verified=figures.verified, incomplete=figures.incomplete, forced=figures.forced, refused=refused)


def print_verification(engine: Engine, job_id: int) -> None:
    from printers.verification_log import figures as verification_figures
    from printers.verification_log import pack_events

    events = pack_events(engine, job_id=job_id)
    if not events:
        return
    figures = figures_line(verification_figures(engine, job_id=job_id))
    print(_("{figures} (station {station})").format(figures=figures, station=events[0].station))
    for event in events:
        at = event.at.astimezone(BEIJING).strftime("%m-%d %H:%M:%S")
        missing = _(", ").join(f"{sku} ×{n}" for sku, _name, n in event.missing)
        if event.kind == "verified":
            what = (
                _("verified {units} unit(s), {by_hand} by hand (+)") if event.by_hand else _("verified {units} unit(s)")
            )
        elif event.kind == "refused":
            what = _("refused {code!r}: {reason} — {detail}") if event.detail else _("refused {code!r}: {reason}")
        elif event.kind == "incomplete":
            what = _("set aside incomplete, missing {missing}")
        else:
            what = _("forced by the supervisor, missing {missing}")
        text = what.format(
            units=event.units,
            by_hand=event.by_hand,
            code=event.code,
            reason=reason_name(event.reason),
            detail=event.detail,
            missing=missing,
        )
        order = event.order_id or _("(no order open)")
        print(f"  {at}  {order + ' ' * (20 - display_width(order))} {text}")

"""The words the stall and invoice reports share in every view (terminal, HTML, the command lines): level
names, the headline counts, and times as a reader takes them in — ``12-15 08:00`` and how far off it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from html import escape

from waybill.i18n import N_, _, ngettext
from waybill.times import BEIJING, hours_down

__all__ = [
    "ago",
    "count_phrase",
    "headline",
    "hours",
    "level_name",
    "relative",
    "short_time",
    "status_name",
    "when_html",
]

_LEVELS = {
    "stalled": N_("stalled"),
    "at_risk": N_("at risk"),
    "no_pickup": N_("no pick-up"),
}

# Each count of the scan's headline; ngettext for English's singular and plural (Chinese has one form).
_COUNTS: dict[str, Callable[[int], str]] = {
    "stalled": lambda n: ngettext("{n} stalled", "{n} stalled", n),
    "at_risk": lambda n: ngettext("{n} at risk", "{n} at risk", n),
    "no_pickup": lambda n: ngettext("{n} not picked up", "{n} not picked up", n),
    "work_orders_open": lambda n: ngettext("{n} open work order", "{n} open work orders", n),
    "work_orders_overdue": lambda n: ngettext("{n} work order overdue", "{n} work orders overdue", n),
    "feeds_quiet": lambda n: ngettext("{n} quiet feed", "{n} quiet feeds", n),
    "unknown_status_events": lambda n: ngettext("{n} unknown-status event", "{n} unknown-status events", n),
}


# Tracking statuses as people call them; a status we do not know is shown exactly as it came.
_STATUSES = {
    "picked_up": N_("picked up"),
    "in_transit": N_("in transit"),
    "out_for_delivery": N_("out for delivery"),
    "delivered": N_("delivered"),
    "returning": N_("returning"),
    "return_delivered": N_("return delivered"),
    "refused": N_("refused"),
    "problem": N_("problem"),
    "customs": N_("customs"),
}


def status_name(status: str) -> str:
    return _(_STATUSES[status]) if status in _STATUSES else status


def level_name(level: str) -> str:
    return _(_LEVELS[level])


def count_phrase(key: str, n: int) -> str:
    return _COUNTS[key](n).format(n=n)


def headline(counts: Mapping[str, int], *, nonzero: bool = False) -> str:
    """``2 stalled, 1 at risk, …`` in the scan's order; ``nonzero`` leaves out the counts that are 0."""
    return _(", ").join(count_phrase(key, n) for key, n in counts.items() if n or not nonzero)


def hours(value: float) -> str:
    """3.5, 6 (not 6.0): hours as a person writes them."""
    return f"{value:.1f}".removesuffix(".0")


def short_time(moment: datetime | str | None) -> str:
    """``12-15 08:00`` (Beijing time, 月-日 时:分): the report's header names the year and the zone."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(BEIJING).strftime("%m-%d %H:%M")


def relative(deadline: datetime | str, at: datetime | str) -> str:
    """How far a deadline is from ``at``: ``in 3.5 h`` or ``overdue 6 h``."""
    left = _hours_between(at, deadline)
    if left >= 0:
        return _("in {hours} h").format(hours=hours(left))
    return _("overdue {hours} h").format(hours=hours(-left))


def ago(moment: datetime | str, at: datetime | str) -> str:
    """How long before ``at`` something happened: ``6 h ago``."""
    return _("{hours} h ago").format(hours=hours(max(_hours_between(moment, at), 0.0)))


def _hours_between(start: datetime | str, end: datetime | str) -> float:
    """Rounded down to 0.1 h as the scan rounds: a deadline one minute past is "overdue 0.1 h", never "in 0 h"."""
    first = datetime.fromisoformat(start) if isinstance(start, str) else start
    last = datetime.fromisoformat(end) if isinstance(end, str) else end
    return hours_down(last - first)


def when_html(moment: str | None, at: str, *, deadline: bool = True) -> str:
    """``12-15 08:00`` and beside it ``in 3.5 h`` / ``overdue 6 h`` (a deadline) or ``6 h ago`` (an event)."""
    if moment is None:
        return "—"
    if deadline:
        text, cls = relative(moment, at), "rel late" if moment < at else "rel"
    else:
        text, cls = ago(moment, at), "rel"
    return f"<span class='when'>{escape(short_time(moment))}</span> <span class='{cls}'>{escape(text)}</span>"

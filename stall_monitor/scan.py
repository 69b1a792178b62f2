"""The scan: which parcels are stalled or about to be at instant ``at``, and which work orders are due.

Exact semantics (issue 5): only events with time ≤ ``at`` count; a waybill with a delivered or
return_delivered event by then is closed. The thresholds are those of the rule set in force at ``at``.

Set-based: the waybill summary (see ``store``) answers for every waybill whose last event is not after
``at`` with one query on indexed columns; waybills that do have later events (a scan of the past) are
corrected by a second query that looks up their latest event up to ``at`` in the events primary key. The
listed rows only are classified in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stall_monitor.dated import as_written
from stall_monitor.events import is_known
from stall_monitor.rules import Rules, RuleSet
from stall_monitor.store import events, feed_hours, prepare, unknown_statuses, waybills, work_orders
from waybill.collector import no_cycle_collection
from waybill.database import UtcDateTime
from waybill.i18n import _
from waybill.times import beijing_iso, hours_down

__all__ = ["LEVELS", "Feed", "ScanResult", "Stall", "StallLevel", "UnknownStatus", "WorkOrderDue", "scan"]

StallLevel = Literal["stalled", "at_risk", "no_pickup"]
LEVELS: tuple[StallLevel, ...] = get_args(StallLevel)


@dataclass(frozen=True)
class WorkOrderDue:
    waybill_no: str
    carrier: str
    order_id: str | None
    opened_at: datetime
    due_at: datetime
    hours_left: float
    overdue: bool
    level: StallLevel | None = None  # the waybill's stall level at ``at``, if listed

    def as_json(self) -> dict[str, Any]:
        return {
            "waybill_no": self.waybill_no,
            "carrier": self.carrier,
            "order_id": self.order_id,
            "opened_at": beijing_iso(self.opened_at),
            "due_at": beijing_iso(self.due_at),
            "hours_left": self.hours_left,
            "overdue": self.overdue,
            "level": self.level,
        }


@dataclass(frozen=True)
class Stall:
    waybill_no: str
    carrier: str
    order_id: str | None
    province: str
    remote: bool
    level: StallLevel
    last_event_at: datetime | None
    last_status: str | None
    last_context: str | None
    silent_hours: float
    threshold_hours: float
    entry_opens_at: datetime  # when the buyer can open a stall work order
    rule: str  # the rule set applied
    reason: str  # why it is listed, in words
    feed_quiet: bool = False  # the carrier's whole feed is quiet: check the feed before chasing the parcel
    work_order: WorkOrderDue | None = None

    @property
    def last_status_known(self) -> bool:
        return self.last_status is None or is_known(self.last_status)

    def as_json(self) -> dict[str, Any]:
        return {
            "waybill_no": self.waybill_no,
            "carrier": self.carrier,
            "order_id": self.order_id,
            "province": self.province,
            "remote": self.remote,
            "level": self.level,
            "last_event_at": beijing_iso(self.last_event_at),
            "last_status": self.last_status,
            "last_context": self.last_context,
            "silent_hours": self.silent_hours,
            "threshold_hours": as_written(self.threshold_hours),
            "entry_opens_at": beijing_iso(self.entry_opens_at),
            "rule": self.rule,
            "reason": self.reason,
            "feed_quiet": self.feed_quiet,
            "work_order": self.work_order.as_json() if self.work_order else None,
        }


@dataclass(frozen=True)
class Feed:
    """Freshness of one carrier's tracking feed: its newest event up to ``at``."""

    carrier: str
    open_waybills: int
    last_event_at: datetime | None
    silent_hours: float | None
    quiet: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "open_waybills": self.open_waybills,
            "last_event_at": beijing_iso(self.last_event_at),
            "silent_hours": self.silent_hours,
            "quiet": self.quiet,
        }


@dataclass(frozen=True)
class UnknownStatus:
    status: str
    events: int
    last_waybill_no: str

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "events": self.events, "last_waybill_no": self.last_waybill_no}


@dataclass(frozen=True)
class ScanResult:
    at: datetime
    rule_set: RuleSet
    open_waybills: int
    stalls: tuple[Stall, ...]
    work_orders: tuple[WorkOrderDue, ...]
    feeds: tuple[Feed, ...]
    unknown_statuses: tuple[UnknownStatus, ...]
    counts: dict[str, int] = field(default_factory=dict)


@no_cycle_collection()  # a row, a tuple and a Stall for each of up to 100,000s of parcels
def scan(engine: Engine, rules: Rules, at: datetime) -> ScanResult:
    """Everything the merchant must act on at ``at``; nothing after ``at`` is taken into account."""
    if at.tzinfo is None:
        raise ValueError("scan needs an aware instant")
    prepare(engine)
    rule = rules.at(at)
    # The feed count passes every open waybill (0.13 s at a million). The drivers let go of the GIL while the
    # database works, so it runs on a connection of its own while this one reads the listed parcels.
    with ThreadPoolExecutor(max_workers=1) as counting, engine.connect() as connection:
        counted = counting.submit(_feeds_on_own_connection, engine, rule, at)
        rows = [*_summary_rows(connection, rule, at), *_corrected_rows(connection, rule, at)]
        no_pickup = _no_pickup_rows(connection, rule, at)
        orders = _work_orders(connection, rules, at)
        unknown = tuple(
            UnknownStatus(r.status, int(r.events), r.last_waybill_no)
            for r in connection.execute(sa.select(unknown_statuses).order_by(unknown_statuses.c.events.desc()))
        )
        feeds = counted.result()
    open_count = sum(feed.open_waybills for feed in feeds)
    quiet = {f.carrier for f in feeds if f.quiet}
    sides = _Sides(rule)
    stalls = [_classify(row, rule, sides, at, quiet) for row in rows]
    stalls += [_no_pickup(row, rule, at, quiet) for row in no_pickup]
    levels = {s.waybill_no: s.level for s in stalls}
    orders = [replace(o, level=levels.get(o.waybill_no)) for o in orders]
    by_waybill = {o.waybill_no: o for o in orders}
    # Few stalls have a work order: only those are copied (a replace() per stall was a third of the scan).
    stalls = [s if (o := by_waybill.get(s.waybill_no)) is None else replace(s, work_order=o) for s in stalls]
    stalls.sort(key=attrgetter("entry_opens_at", "waybill_no"))
    listed = Counter(s.level for s in stalls)
    counts: dict[str, int] = {level: listed[level] for level in LEVELS}
    counts["work_orders_open"] = len(orders)
    counts["work_orders_overdue"] = sum(1 for o in orders if o.overdue)
    counts["feeds_quiet"] = len(quiet)
    counts["unknown_status_events"] = sum(u.events for u in unknown)
    return ScanResult(at, rule, open_count, tuple(stalls), tuple(orders), feeds, unknown, counts)


def _open_at(at: datetime, columns: Sequence[Any], *conditions: Any) -> sa.CompoundSelect[Any]:
    """``SELECT columns WHERE conditions`` over waybills not closed by ``at``.

    Two sargable branches (never closed; closed only after ``at``) rather than one ``OR``, which SQLite plans
    as a row-by-row lookup of every open waybill.
    """
    w = waybills.c
    return sa.union_all(
        sa.select(*columns).where(w.closed_at.is_(None), *conditions),
        sa.select(*columns).where(w.closed_at > at, *conditions),
    )


def _listable(last: Any, province_key: Any, rule: RuleSet, at: datetime) -> sa.ColumnElement[bool]:
    """``last`` is old enough to be at least at risk (remote and normal destinations have their own cutoff).

    The plain upper bound first (the later of the two cutoffs) lets the index on ``last_event_at`` be used.
    """
    remote = province_key.in_(sorted(rule.remote_provinces))
    remote_cutoff, normal_cutoff = rule.listing_cutoff(at, remote=True), rule.listing_cutoff(at, remote=False)
    return sa.and_(
        last <= max(remote_cutoff, normal_cutoff),
        sa.or_(sa.and_(remote, last <= remote_cutoff), sa.and_(sa.not_(remote), last <= normal_cutoff)),
    )


_NEVER = datetime(9999, 1, 1, tzinfo=UTC)
_COLUMNS = (waybills.c.waybill_no, waybills.c.carrier, waybills.c.order_id, waybills.c.province)


def _summary_rows(connection: Connection, rule: RuleSet, at: datetime) -> Sequence[sa.Row[Any]]:
    """Waybills whose summary is exact at ``at``: no event after ``at``."""
    w = waybills.c
    columns = (*_COLUMNS, w.province_key, w.last_event_at, w.last_status, w.last_context, w.last_location)
    query = _open_at(at, columns, _listable(w.last_event_at, w.province_key, rule, at))  # the cutoffs are before ``at``
    return connection.execute(query).all()  # fetchall: psycopg's one call, not one a row


def _corrected_rows(connection: Connection, rule: RuleSet, at: datetime) -> Sequence[Any]:
    """Waybills with events after ``at``: their latest event up to ``at`` comes from the events key.

    Only waybills whose first event is old enough to be listed are looked up (one index probe each).
    """
    w, e = waybills.c, events.c
    latest_key = (
        sa.select(e.event_key)
        .where(e.waybill_no == w.waybill_no, e.time <= at)
        .order_by(e.time.desc(), e.event_key.desc())
        .limit(1)
        .correlate(waybills)
        .scalar_subquery()
    )
    columns = (*_COLUMNS, w.province_key, latest_key.label("last_key"))
    candidates = _open_at(at, columns, w.last_event_at > at, _listable(w.first_event_at, w.province_key, rule, at))
    c = candidates.subquery().c
    query = (
        sa.select(
            c.waybill_no,
            c.carrier,
            c.order_id,
            c.province,
            c.province_key,
            e.time.label("last_event_at"),
            e.status.label("last_status"),
            e.context.label("last_context"),
            e.location.label("last_location"),
        )
        .join(events, sa.and_(e.waybill_no == c.waybill_no, e.event_key == c.last_key))
        .where(_listable(e.time, c.province_key, rule, at))
    )
    return connection.execute(query).all()  # fetchall: psycopg's one call, not one a row


def _no_pickup_rows(connection: Connection, rule: RuleSet, at: datetime) -> Sequence[Any]:
    w = waybills.c
    query = sa.select(*_COLUMNS, w.province_key, w.shipped_at).where(
        w.shipped_at <= rule.pickup_cutoff(at),
        sa.or_(w.first_event_at.is_(None), w.first_event_at > at),
    )
    return connection.execute(query).all()  # fetchall: psycopg's one call, not one a row


def _feeds_on_own_connection(engine: Engine, rule: RuleSet, at: datetime) -> tuple[Feed, ...]:
    with engine.connect() as connection:
        return _feeds(connection, rule, at)


def _feeds(connection: Connection, rule: RuleSet, at: datetime) -> tuple[Feed, ...]:
    """Per carrier with open waybills: its newest event up to ``at``, from the hourly feed table.

    Exact unless ``at`` falls inside an hour that also has later events; the hour's first event then stands
    for it (under an hour early, and only when scanning the past).
    """
    w, f = waybills.c, feed_hours.c
    # Most waybills are open: one pass over the covering index ix_tracking_waybills_carrier_open counts them.
    not_closed = sa.func.coalesce(w.closed_at, sa.literal(_NEVER, UtcDateTime())) > at
    per_carrier = connection.execute(
        sa.select(w.carrier, sa.func.count())
        .where(not_closed, sa.or_(w.first_event_at <= at, w.shipped_at <= at))
        .group_by(w.carrier)
        .order_by(w.carrier)
    ).all()
    newest = sa.case((f.last_event_at <= at, f.last_event_at), else_=f.first_event_at)
    latest: dict[str, datetime] = dict(
        connection.execute(
            sa.select(f.carrier, sa.type_coerce(sa.func.max(newest), UtcDateTime()).label("newest"))
            .where(f.first_event_at <= at)
            .group_by(f.carrier)
        ).all()
    )
    feeds = []
    for carrier, count in per_carrier:
        last = latest.get(carrier)
        silent = None if last is None else hours_down(at - last)
        quiet = last is None or rule.feed_is_quiet(at - last)
        feeds.append(Feed(carrier, int(count), last, silent, quiet))
    return tuple(feeds)


def _work_orders(connection: Connection, rules: Rules, at: datetime) -> list[WorkOrderDue]:
    o, w = work_orders.c, waybills.c
    query = (
        sa.select(o.subject.label("waybill_no"), o.opened_at, w.carrier, w.order_id)
        .select_from(work_orders.outerjoin(waybills, w.waybill_no == o.subject))
        .where(o.kind == "stall", o.opened_at <= at, sa.or_(o.responded_at.is_(None), o.responded_at > at))
    )
    orders = []
    for row in connection.execute(query):
        due = rules.at(row.opened_at).response_due(row.opened_at)
        orders.append(
            WorkOrderDue(
                row.waybill_no, row.carrier or "", row.order_id, row.opened_at, due, hours_down(due - at), at > due
            )
        )
    orders.sort(key=lambda order: (order.due_at, order.waybill_no))
    return orders


class _Sides:
    """What ``_classify`` needs of a rule set per destination kind, worked out once per scan, not per row."""

    def __init__(self, rule: RuleSet) -> None:
        self.hours = {remote: rule.hours(remote) for remote in (False, True)}
        self.threshold = {remote: rule.threshold(remote) for remote in (False, True)}
        self.written = {remote: as_written(rule.hours(remote)) for remote in (False, True)}
        self.margin = as_written(rule.warning_margin_hours)
        self.reasons = {
            (stalled, remote): _reason(stalled, remote) for stalled in (False, True) for remote in (False, True)
        }
        self._said: dict[tuple[bool, bool, float], str] = {}

    def reason(self, stalled: bool, remote: bool, silent_hours: float) -> str:
        """The reason in words; each distinct sentence is formatted once (parcels share their silent hours)."""
        key = (stalled, remote, silent_hours)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = self.reasons[stalled, remote].format(
                silent=silent_hours, limit=self.written[remote], margin=self.margin
            )
        return said


def _classify(row: Sequence[Any], rule: RuleSet, sides: _Sides, at: datetime, quiet: set[str]) -> Stall:
    # Unpacked by position: a Row's attribute access cost a third of the classification.
    waybill_no, carrier, order_id, province, province_key, last, last_status, last_context, _location = row
    remote = province_key in rule.remote_provinces
    threshold = sides.threshold[remote]
    silent = at - last
    stalled = silent >= threshold
    silent_hours = hours_down(silent)
    # Positional, in Stall's field order: keywords took twice as long to match as the frozen fields to set.
    return Stall(
        waybill_no,
        carrier,
        order_id,
        province,
        remote,
        "stalled" if stalled else "at_risk",  # level
        last,  # last_event_at
        last_status,
        last_context,
        silent_hours,
        sides.hours[remote],  # threshold_hours
        last + threshold,  # entry_opens_at, as rule.entry_opens_at
        rule.name,
        sides.reason(stalled, remote, silent_hours),
        carrier in quiet,  # feed_quiet
    )


def _reason(stalled: bool, remote: bool) -> str:
    """Why a parcel is listed, as a whole sentence a translator can reorder."""
    if stalled:
        return (
            _("silent {silent} h ≥ the {limit} h remote threshold")
            if remote
            else _("silent {silent} h ≥ the {limit} h normal threshold")
        )
    if remote:
        return _("silent {silent} h within {margin} h of the {limit} h remote threshold")
    return _("silent {silent} h within {margin} h of the {limit} h normal threshold")


def _no_pickup(row: sa.Row[Any], rule: RuleSet, at: datetime, quiet: set[str]) -> Stall:
    remote = row.province_key in rule.remote_provinces
    threshold = rule.hours(remote)
    silent = hours_down(at - row.shipped_at)
    return Stall(
        waybill_no=row.waybill_no,
        carrier=row.carrier,
        order_id=row.order_id,
        province=row.province,
        remote=remote,
        level="no_pickup",
        last_event_at=None,
        last_status=None,
        last_context=None,
        silent_hours=silent,
        threshold_hours=threshold,
        # No event yet: the buyer's clock runs from shipping.
        entry_opens_at=rule.entry_opens_at(row.shipped_at, remote),
        rule=rule.name,
        reason=_("no tracking event {silent} h after shipping (pick-up window {window} h)").format(
            silent=silent, window=as_written(rule.pickup_window_hours)
        ),
        feed_quiet=row.carrier in quiet,
    )

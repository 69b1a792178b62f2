"""The scan: which parcels are stalled or about to be at instant ``at``, and which work orders are due.

Exact semantics (issue 5): only events with time ≤ ``at`` count; a waybill with a delivered or
return_delivered event by then is closed. The thresholds are those of the rule set in force at ``at``.

Set-based, in plain SQL that SQLite and PostgreSQL both run (``waybill.store_reader``): the waybill summary
(see ``store``) answers for every waybill whose last event is not after ``at`` with one query on indexed
columns; waybills that do have later events (a scan of the past) are corrected by a second query that looks up
their latest event up to ``at`` in the events primary key. The listed rows only are classified in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import orjson

from stall_monitor.dated import as_written
from stall_monitor.events import is_known
from stall_monitor.rules import Rules, RuleSet
from stall_monitor.store_version import COMPONENT, SCHEMA_VERSION
from waybill.collector import no_cycle_collection
from waybill.errors import DatabaseError
from waybill.i18n import _
from waybill.store_reader import SqlReader, open_reader
from waybill.stored_times import utc_of_stored
from waybill.times import BEIJING, beijing_iso, hours_down

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["LEVELS", "Feed", "ScanResult", "Stall", "StallLevel", "UnknownStatus", "WorkOrderDue", "scan", "scan_store"]

StallLevel = Literal["stalled", "at_risk", "no_pickup"]
LEVELS: tuple[StallLevel, ...] = get_args(StallLevel)


# A listed parcel and a work order due are their JSON: their fields, in order, as orjson writes them with these
# options (times in Beijing time, to the second), so ``stall scan --json`` writes the dataclasses themselves.
JSON_OPTIONS = orjson.OPT_OMIT_MICROSECONDS


def _json_of(value: Stall | WorkOrderDue) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(orjson.dumps(value, option=JSON_OPTIONS)))


# Not frozen: a frozen dataclass sets each field through object.__setattr__, ten times what building the object
# costs otherwise (0.1 s of a scan that lists 50,000 parcels). Treat them as values all the same.
@dataclass
class WorkOrderDue:
    waybill_no: str
    carrier: str
    order_id: str | None
    opened_at: datetime  # Beijing time
    due_at: datetime  # Beijing time
    hours_left: float
    overdue: bool
    level: StallLevel | None = None  # the waybill's stall level at ``at``, if listed

    def as_json(self) -> dict[str, Any]:
        return _json_of(self)


@dataclass
class Stall:
    waybill_no: str
    carrier: str
    order_id: str | None
    province: str
    remote: bool
    level: StallLevel
    last_event_at: datetime | None  # Beijing time
    last_status: str | None
    last_context: str | None
    silent_hours: float
    threshold_hours: float  # as the rule set writes it: 72, not 72.0
    entry_opens_at: datetime  # when the buyer can open a stall work order (Beijing time)
    rule: str  # the rule set applied
    reason: str  # why it is listed, in words
    feed_quiet: bool = False  # the carrier's whole feed is quiet: check the feed before chasing the parcel
    work_order: WorkOrderDue | None = None

    @property
    def last_status_known(self) -> bool:
        return self.last_status is None or is_known(self.last_status)

    def as_json(self) -> dict[str, Any]:
        return _json_of(self)


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


def scan(engine: Engine, rules: Rules, at: datetime) -> ScanResult:
    """Everything the merchant must act on at ``at``; nothing after ``at`` is taken into account. The tracking
    tables are created or upgraded first, as every command that opens the store does."""
    from stall_monitor.store import prepare
    from waybill.database import sql_reader

    prepare(engine)

    @contextmanager
    def another() -> Iterator[SqlReader]:
        with engine.connect() as connection:
            yield sql_reader(connection)

    with another() as reader:
        return _scan(reader, another, rules, at)


def scan_store(option: str | None, rules: Rules, at: datetime) -> ScanResult:
    """``scan`` of the store ``option`` / ``WAYBILL_DB`` / the default file names, for a command that only reads.

    When its tracking tables are at this version's schema, the store is read in plain SQL
    (``waybill.store_reader``) and SQLAlchemy is never loaded: its import was a fifth of a scan over a million
    waybills. Otherwise (no tracking tables yet, an older or a newer schema, a database of another kind) it is
    opened as every command opens it. A SQLite file that does not exist is a ``DatabaseError``.
    """
    reader = open_reader(option)
    if reader is not None:
        with closing(reader):
            if reader.version(COMPONENT) == SCHEMA_VERSION:
                return _scan(reader, lambda: closing(_reader(option)), rules, at)
    from stall_monitor.store import open_store

    return scan(open_store(option, create=False), rules, at)


def _reader(option: str | None) -> SqlReader:
    """Another reader on a store that ``open_reader`` opened a moment ago (so never None)."""
    reader = open_reader(option)
    if reader is None:
        raise RuntimeError("internal: a store that opened in plain SQL did not open so again")
    return reader


@no_cycle_collection()  # a row, a tuple and a Stall for each of up to 100,000s of parcels
def _scan(
    reader: SqlReader, another: Callable[[], AbstractContextManager[SqlReader]], rules: Rules, at: datetime
) -> ScanResult:
    if at.tzinfo is None:
        raise ValueError("scan needs an aware instant")
    rule = rules.at(at)
    # The feed count passes every open waybill (0.13 s at a million). The drivers let go of the GIL while the
    # database works, so it runs on a connection of its own (``another``) while this one reads the listed parcels.
    with ThreadPoolExecutor(max_workers=1) as counting:
        counted = counting.submit(_feeds_on_own_connection, another, rule, at)
        rows = [*_summary_rows(reader, rule, at), *_corrected_rows(reader, rule, at)]
        no_pickup = _no_pickup_rows(reader, rule, at)
        orders = _work_orders(reader, rules, at)
        unknown = tuple(
            UnknownStatus(status, int(count), last_waybill_no)
            for status, count, last_waybill_no in reader.rows(
                "SELECT status, events, last_waybill_no FROM tracking_unknown_statuses ORDER BY events DESC"
            )
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


# The queries are plain SQL that SQLite and PostgreSQL both run (``?`` for each parameter), times bound and read
# as the store keeps them (``SqlReader.bound_time``, ``utc_of_stored``).

_WAYBILL = "waybill_no, carrier, order_id, province, province_key"  # a listed parcel's registration


def _open_at(
    reader: SqlReader,
    at: datetime,
    columns: str,
    column_params: list[object],
    where: str,
    params: list[object],
    group_by: str = "",
) -> tuple[str, list[object]]:
    """``SELECT columns FROM tracking_waybills WHERE where [GROUP BY group_by]`` over waybills not closed by ``at``.

    Two sargable branches (never closed; closed only after ``at``) rather than one ``OR``, which SQLite plans
    as a row-by-row lookup of every open waybill, and which passes the closed ones too (a store's whole history).
    """
    select = f"SELECT {columns} FROM tracking_waybills"
    grouped = f" GROUP BY {group_by}" if group_by else ""
    sql = (
        f"{select} WHERE closed_at IS NULL AND {where}{grouped}"
        f" UNION ALL {select} WHERE closed_at > ? AND {where}{grouped}"
    )
    return sql, [*column_params, *params, *column_params, reader.bound_time(at), *params]


def _listable(reader: SqlReader, last: str, province_key: str, rule: RuleSet, at: datetime) -> tuple[str, list[object]]:
    """``last`` is old enough to be at least at risk (remote and normal destinations have their own cutoff).

    The plain upper bound first (the later of the two cutoffs) lets the index on ``last_event_at`` be used.
    """
    remote_cutoff, normal_cutoff = rule.listing_cutoff(at, remote=True), rule.listing_cutoff(at, remote=False)
    remote = sorted(rule.remote_provinces)
    if not remote:  # no destination is remote (``IN ()`` is no SQL)
        return f"{last} <= ?", [reader.bound_time(normal_cutoff)]
    marks = ", ".join("?" * len(remote))
    sql = (
        f"{last} <= ? AND ({province_key} IN ({marks}) AND {last} <= ?"
        f" OR {province_key} NOT IN ({marks}) AND {last} <= ?)"
    )
    bound = reader.bound_time
    return sql, [bound(max(remote_cutoff, normal_cutoff)), *remote, bound(remote_cutoff), *remote, bound(normal_cutoff)]


def _summary_rows(reader: SqlReader, rule: RuleSet, at: datetime) -> list[tuple[Any, ...]]:
    """Waybills whose summary is exact at ``at``: no event after ``at``."""
    listable, params = _listable(reader, "last_event_at", "province_key", rule, at)  # the cutoffs are before ``at``
    columns = f"{_WAYBILL}, last_event_at, last_status, last_context"
    return reader.rows(*_open_at(reader, at, columns, [], listable, params))


def _corrected_rows(reader: SqlReader, rule: RuleSet, at: datetime) -> list[tuple[Any, ...]]:
    """Waybills with events after ``at``: their latest event up to ``at`` comes from the events key.

    Only waybills whose first event is old enough to be listed are looked up (one index probe each).
    """
    latest_key = (
        "(SELECT e.event_key FROM tracking_events e WHERE e.waybill_no = tracking_waybills.waybill_no"
        " AND e.time <= ? ORDER BY e.time DESC, e.event_key DESC LIMIT 1) AS last_key"
    )
    first_listable, first_params = _listable(reader, "first_event_at", "province_key", rule, at)
    candidates, candidate_params = _open_at(
        reader,
        at,
        f"{_WAYBILL}, {latest_key}",
        [reader.bound_time(at)],
        f"last_event_at > ? AND {first_listable}",
        [reader.bound_time(at), *first_params],
    )
    listable, params = _listable(reader, "e.time", "c.province_key", rule, at)
    sql = (
        "SELECT c.waybill_no, c.carrier, c.order_id, c.province, c.province_key, e.time, e.status, e.context"
        f" FROM ({candidates}) c JOIN tracking_events e ON e.waybill_no = c.waybill_no AND e.event_key = c.last_key"
        f" WHERE {listable}"
    )
    return reader.rows(sql, [*candidate_params, *params])


def _no_pickup_rows(reader: SqlReader, rule: RuleSet, at: datetime) -> list[tuple[Any, ...]]:
    """Parcels shipped by the pick-up cutoff with no event by ``at``: those with no event at all (their own
    index), and those whose first event came after ``at`` (so did their last, and they were not closed by then:
    the open branches of the summary's index)."""
    columns = f"{_WAYBILL}, shipped_at"
    cutoff, bound = reader.bound_time(rule.pickup_cutoff(at)), reader.bound_time(at)
    later, params = _open_at(
        reader, at, columns, [], "last_event_at > ? AND first_event_at > ? AND shipped_at <= ?", [bound, bound, cutoff]
    )
    sql = f"SELECT {columns} FROM tracking_waybills WHERE first_event_at IS NULL AND shipped_at <= ? UNION ALL {later}"
    return reader.rows(sql, [cutoff, *params])


def _feeds_on_own_connection(
    another: Callable[[], AbstractContextManager[SqlReader]], rule: RuleSet, at: datetime
) -> tuple[Feed, ...]:
    with another() as reader:
        return _feeds(reader, rule, at)


def _feeds(reader: SqlReader, rule: RuleSet, at: datetime) -> tuple[Feed, ...]:
    """Per carrier with open waybills: its newest event up to ``at``, from the hourly feed table.

    Exact unless ``at`` falls inside an hour that also has later events; the hour's first event then stands
    for it (under an hour early, and only when scanning the past).
    """
    bound = reader.bound_time(at)
    # The waybills known by ``at`` (an event or shipped by then) and open then, counted in the open ranges of the
    # covering index ix_tracking_waybills_open_carrier, where each range's carriers come in order.
    counted, params = _open_at(
        reader,
        at,
        "carrier, count(*) AS open_waybills",
        [],
        "(first_event_at <= ? OR shipped_at <= ?)",
        [bound, bound],
        "carrier",
    )
    per_carrier = reader.rows(
        f"SELECT carrier, sum(open_waybills) FROM ({counted}) counted GROUP BY carrier ORDER BY carrier", params
    )
    newest = reader.rows(
        "SELECT carrier, max(CASE WHEN last_event_at <= ? THEN last_event_at ELSE first_event_at END)"
        " FROM tracking_feed_hours WHERE first_event_at <= ? GROUP BY carrier",
        [bound, bound],
    )
    latest = {carrier: utc_of_stored(last) for carrier, last in newest}
    feeds = []
    for carrier, count in per_carrier:
        last = latest.get(carrier)
        silent = None if last is None else hours_down(at - last)
        quiet = last is None or rule.feed_is_quiet(at - last)
        feeds.append(Feed(carrier, int(count), last, silent, quiet))
    return tuple(feeds)


def _work_orders(reader: SqlReader, rules: Rules, at: datetime) -> list[WorkOrderDue]:
    sql = (
        "SELECT o.subject, o.opened_at, w.carrier, w.order_id"
        " FROM tracking_work_orders o LEFT OUTER JOIN tracking_waybills w ON w.waybill_no = o.subject"
        " WHERE o.kind = 'stall' AND o.opened_at <= ? AND (o.responded_at IS NULL OR o.responded_at > ?)"
    )
    orders = []
    for waybill_no, stored_opened_at, carrier, order_id in reader.rows(sql, [reader.bound_time(at)] * 2):
        opened_at = _beijing(stored_opened_at)
        due = rules.at(opened_at).response_due(opened_at)
        orders.append(WorkOrderDue(waybill_no, carrier or "", order_id, opened_at, due, hours_down(due - at), at > due))
    orders.sort(key=lambda order: (order.due_at, order.waybill_no))
    return orders


class _Sides:
    """What ``_classify`` needs of a rule set per destination kind, worked out once per scan, not per row."""

    def __init__(self, rule: RuleSet) -> None:
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


def _beijing(stored: Any) -> datetime:
    """A stored time the query selected on (so not NULL), in Beijing time."""
    moment = utc_of_stored(stored)
    if moment is None:
        raise DatabaseError("the store holds no time where the scan selected one; it may be damaged")
    return moment.astimezone(BEIJING)


def _classify(row: Sequence[Any], rule: RuleSet, sides: _Sides, at: datetime, quiet: set[str]) -> Stall:
    waybill_no, carrier, order_id, province, province_key, stored_last, last_status, last_context = row
    last = _beijing(stored_last)
    remote = province_key in rule.remote_provinces
    threshold = sides.threshold[remote]
    silent = at - last
    stalled = silent >= threshold
    silent_hours = hours_down(silent)
    # Positional, in Stall's field order: matching 15 keywords took longer than building the object.
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
        sides.written[remote],  # threshold_hours
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


def _no_pickup(row: Sequence[Any], rule: RuleSet, at: datetime, quiet: set[str]) -> Stall:
    waybill_no, carrier, order_id, province, province_key, stored_shipped_at = row
    shipped_at = _beijing(stored_shipped_at)
    remote = province_key in rule.remote_provinces
    threshold = rule.hours(remote)
    silent = hours_down(at - shipped_at)
    return Stall(
        waybill_no=waybill_no,
        carrier=carrier,
        order_id=order_id,
        province=province,
        remote=remote,
        level="no_pickup",
        last_event_at=None,
        last_status=None,
        last_context=None,
        silent_hours=silent,
        threshold_hours=as_written(threshold),
        # No event yet: the buyer's clock runs from shipping.
        entry_opens_at=rule.entry_opens_at(shipped_at, remote),
        rule=rule.name,
        reason=_("no tracking event {silent} h after shipping (pick-up window {window} h)").format(
            silent=silent, window=as_written(rule.pickup_window_hours)
        ),
        feed_quiet=carrier in quiet,
    )

"""The stall monitor's tables in the shared store, and the registration API the printing code calls.

Tables (component ``tracking`` in ``schema_versions``):

``tracking_events``
    every distinct event once, keyed by (waybill_no, time, event_key) with ``event_key`` = hash(waybill_no,
    time, status, context), so re-sent and duplicated events are dropped by ``INSERT … ON CONFLICT DO
    NOTHING``. The key also serves "latest event of a waybill up to an instant".
``tracking_waybills``
    one row per waybill: the registration (carrier, order, destination province, ``shipped_at``) and a summary
    of its events kept up to date at ingest — first and last event (the latest *time*, ties broken by the
    event key so arrival order never matters) and ``closed_at``, the earliest delivered/return_delivered
    event. The scan reads this table; only waybills with events after the scan instant go back to the
    events table (see ``scan``).
``tracking_feed_hours``
    per carrier and hour: first and last event time, number of events — feed freshness, kept at ingest.
``tracking_unknown_statuses``
    how many stored events carry each status that is not canonical.
``tracking_work_orders``
    the buyers' work orders of every kind (``WORK_ORDER_KINDS``): kind, subject (a stall work order's waybill,
    an invoice work order's order), opened, responded. Version 2 of the schema added the kind; the step
    rebuilds a version-1 table in place, every row kept as a stall work order. Version 3 added the index the
    scan counts open waybills per carrier with; version 4 leads it by ``closed_at`` and indexes the parcels
    shipped without an event, so that a scan passes open waybills only, however long the store's history.

Times are stored in UTC: ``timestamptz`` on PostgreSQL, UTC text on SQLite; they come back timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from stall_monitor.errors import TrackingError
from stall_monitor.rules import normalise_province
from stall_monitor.store_version import COMPONENT
from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema, open_database
from waybill.errors import DatabaseError
from waybill.model import Order

__all__ = [
    "COMPONENT",
    "WORK_ORDER_KINDS",
    "Registration",
    "WorkOrderKind",
    "events",
    "feed_hours",
    "open_store",
    "prepare",
    "refresh_statistics",
    "register_waybills",
    "unknown_statuses",
    "upsert",
    "waybills",
    "work_orders",
    "writing",
]


metadata = sa.MetaData()

events = sa.Table(
    "tracking_events",
    metadata,
    # The primary key clusters a waybill's events in time order (SQLite: WITHOUT ROWID, one b-tree), and
    # de-duplicates: event_key already hashes waybill_no, time, status and context.
    sa.Column("waybill_no", sa.String(64), primary_key=True),
    sa.Column("time", UtcDateTime(), primary_key=True),
    sa.Column("event_key", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(64), nullable=False),
    sa.Column("context", sa.Text(), nullable=False, default=""),
    sa.Column("location", sa.String(200), nullable=False, default=""),
    sa.Column("carrier", sa.String(32), nullable=False, default=""),
    sqlite_with_rowid=False,
)

waybills = sa.Table(
    "tracking_waybills",
    metadata,
    sa.Column("waybill_no", sa.String(64), primary_key=True),
    sa.Column("carrier", sa.String(32), nullable=False, default=""),
    sa.Column("order_id", sa.String(64)),
    sa.Column("province", sa.String(64), nullable=False, default=""),
    sa.Column("province_key", sa.String(64), nullable=False, default=""),  # normalise_province(province)
    sa.Column("shipped_at", UtcDateTime()),
    sa.Column("first_event_at", UtcDateTime()),
    sa.Column("last_event_at", UtcDateTime()),
    sa.Column("last_key", sa.String(32)),
    sa.Column("last_status", sa.String(64)),
    sa.Column("last_context", sa.Text()),
    sa.Column("last_location", sa.String(200)),
    sa.Column("closed_at", UtcDateTime()),
    sa.Index("ix_tracking_waybills_open", "closed_at", "last_event_at"),
)

# The scan's other two readings of the summary, each led by what it selects on, so that a store's history (every
# parcel delivered since it began: retention keeps their summaries) is never passed (schema version 4):
# - the feed count of open waybills per carrier: the open range only, carrier next, so that it groups as it goes;
# - the parcels shipped that have no event yet: those alone.
_open_per_carrier = sa.Index(
    "ix_tracking_waybills_open_carrier",
    waybills.c.closed_at,
    waybills.c.carrier,
    waybills.c.first_event_at,
    waybills.c.shipped_at,
)
_no_event_yet = waybills.c.first_event_at.is_(None)
_unpicked = sa.Index(
    "ix_tracking_waybills_unpicked", waybills.c.shipped_at, sqlite_where=_no_event_yet, postgresql_where=_no_event_yet
)

# Per carrier and UTC hour: the first and last event time and the number of events (feed freshness). An index
# on events (carrier, time) would answer the same exactly, but cost a third of the ingest rate.
feed_hours = sa.Table(
    "tracking_feed_hours",
    metadata,
    sa.Column("carrier", sa.String(32), primary_key=True),
    sa.Column("hour", UtcDateTime(), primary_key=True),
    sa.Column("first_event_at", UtcDateTime(), nullable=False),
    sa.Column("last_event_at", UtcDateTime(), nullable=False),
    sa.Column("events", sa.BigInteger(), nullable=False),
)

unknown_statuses = sa.Table(
    "tracking_unknown_statuses",
    metadata,
    sa.Column("status", sa.String(64), primary_key=True),
    sa.Column("events", sa.BigInteger(), nullable=False),
    sa.Column("last_waybill_no", sa.String(64), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
)

# Every work-order kind; a new kind (延迟发货 late shipment, …) is one more name here and its own rules and scan.
WorkOrderKind = Literal["stall", "invoice"]
WORK_ORDER_KINDS: tuple[WorkOrderKind, ...] = get_args(WorkOrderKind)

work_orders = sa.Table(
    "tracking_work_orders",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(64), nullable=False),  # stall: the waybill number; invoice: the order id
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("responded_at", UtcDateTime()),
    sa.UniqueConstraint("kind", "subject", "opened_at", name="uq_tracking_work_orders_kind_opened"),
    sa.Index("ix_tracking_work_orders_kind_open", "kind", "responded_at", "opened_at"),
)

# The work-order table exactly as schema version 1 created it (a step never changes once released).
_work_orders_v1 = sa.Table(
    "tracking_work_orders",
    sa.MetaData(),
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("waybill_no", sa.String(64), nullable=False),
    sa.Column("opened_at", UtcDateTime(), nullable=False),
    sa.Column("responded_at", UtcDateTime()),
    sa.UniqueConstraint("waybill_no", "opened_at", name="uq_tracking_work_orders_opened"),
    sa.Index("ix_tracking_work_orders_open", "responded_at", "opened_at"),
)


def _create_v1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[events, waybills, feed_hours, unknown_statuses])
    _work_orders_v1.create(connection)


def _work_orders_by_kind(connection: Connection) -> None:
    """v2: work orders get a kind. SQLite cannot change a UNIQUE constraint in place, so on both stores the
    table is rebuilt: renamed aside, created anew, every row copied (ids kept) as a stall work order."""
    connection.exec_driver_sql("ALTER TABLE tracking_work_orders RENAME TO tracking_work_orders_v1")
    work_orders.create(connection)
    connection.exec_driver_sql(
        "INSERT INTO tracking_work_orders (id, kind, subject, opened_at, responded_at) "
        "SELECT id, 'stall', waybill_no, opened_at, responded_at FROM tracking_work_orders_v1"
    )
    connection.exec_driver_sql("DROP TABLE tracking_work_orders_v1")
    if connection.dialect.name == "postgresql":
        # The new id sequence starts past the copied ids.
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('tracking_work_orders', 'id'), "
            "COALESCE((SELECT MAX(id) FROM tracking_work_orders), 0) + 1, false)"
        )


def _open_per_carrier_index(connection: Connection) -> None:
    """v3, as released: the feed count's covering index, carrier first (v4 replaces it)."""
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_tracking_waybills_carrier_open"
        " ON tracking_waybills (carrier, closed_at, first_event_at, shipped_at)"
    )


def _open_waybills_first(connection: Connection) -> None:
    """v4: the feed count and the pick-up check read the indexes above (a store created with this code has them
    from v1). They replace the carrier-first index, which the count passed whole, and the index of every shipped
    time, which the pick-up check passed back to the store's first parcel: 0.34 s a scan on a store of a million
    delivered parcels."""
    connection.exec_driver_sql("DROP INDEX IF EXISTS ix_tracking_waybills_carrier_open")
    connection.exec_driver_sql("DROP INDEX IF EXISTS ix_tracking_waybills_shipped")
    _open_per_carrier.create(connection, checkfirst=True)
    _unpicked.create(connection, checkfirst=True)


SCHEMA_STEPS: Sequence[SchemaStep] = (_create_v1, _work_orders_by_kind, _open_per_carrier_index, _open_waybills_first)


def prepare(engine: Engine) -> Engine:
    """Create or upgrade the tracking tables; refuse dialects whose upsert we do not speak."""
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise DatabaseError(f"the stall monitor needs SQLite or PostgreSQL, not {engine.dialect.name}")
    ensure_schema(engine, COMPONENT, SCHEMA_STEPS)
    return engine


def open_store(option: str | None = None, *, create: bool = True) -> Engine:
    """Open the shared store (``--db`` / ``WAYBILL_DB`` / default file) with the tracking tables ready.

    ``create=False``: a store that does not exist is an error (see ``waybill.database.open_database``).
    """
    return prepare(open_database(option, create=create))


def upsert(connection: Connection, table: sa.Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` for this connection's dialect (same SQL on SQLite and PostgreSQL)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise DatabaseError(f"the stall monitor needs SQLite or PostgreSQL, not {dialect}")


@contextmanager
def writing(engine: Engine, what: str) -> Iterator[Connection]:
    """One transaction; a driver error becomes a one-line ``DatabaseError`` starting with ``what``."""
    try:
        with engine.begin() as connection:
            yield connection
    except sa.exc.SQLAlchemyError as error:
        raise DatabaseError(f"{what}: {str(error).strip().splitlines()[0]}") from error


def refresh_statistics(engine: Engine, changed_rows: int) -> None:
    """After a load that changed a tenth of the waybill summary (autovacuum's own rule), ``ANALYZE`` it on
    PostgreSQL, so that the next scan is planned on what is there.

    A summary never analyzed is planned as empty, with autovacuum off or not yet awake after a bulk load (the
    pick-up query of schema v3 then read every row: 90 ms over a million waybills instead of 0.4). ANALYZE reads
    a sample (30,000 rows at most), so its cost stays bounded. SQLite's planner does well without statistics.
    """
    if engine.dialect.name != "postgresql" or changed_rows < 50:  # below the rule's floor: not even a query
        return
    with writing(engine, "cannot refresh the planner's statistics") as connection:
        estimate = connection.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"), {"table": waybills.name}
        ).scalar_one()
        if changed_rows >= 50 + 0.1 * max(estimate, 0):  # reltuples is -1 before the first ANALYZE
            connection.exec_driver_sql(f"ANALYZE {waybills.name}")


@dataclass(frozen=True)
class Registration:
    """A waybill to monitor: what the scan needs to know about the parcel besides its events."""

    waybill_no: str
    carrier: str
    order_id: str | None = None
    province: str = ""
    shipped_at: datetime | None = None  # aware; starts the pick-up window

    @classmethod
    def from_order(cls, order: Order, shipped_at: datetime | None = None) -> Registration:
        """The registration of a printed (or imported) order; ``shipped_at`` overrides the order's own."""
        return cls(
            waybill_no=order.waybill_no,
            carrier=order.carrier.code,
            order_id=order.order_id,
            province=order.recipient.province,
            shipped_at=shipped_at or order.shipped_at,
        )


def register_waybills(engine: Engine, registrations: Iterable[Registration]) -> int:
    """Register waybills for stall monitoring; idempotent upsert keyed by waybill number.

    A later registration of the same waybill (a reprint) updates carrier, order and province; ``shipped_at``
    is kept when the new registration has none. Events already stored keep their summary. Returns the number
    of registrations written. Creates the tracking tables on first use.
    """
    rows = [_registration_row(r) for r in registrations]
    if not rows:
        return 0
    prepare(engine)
    with writing(engine, "cannot register waybills") as connection:
        for start in range(0, len(rows), 2000):
            _upsert_registrations(connection, rows[start : start + 2000])
    refresh_statistics(engine, len(rows))
    return len(rows)


def _registration_row(registration: Registration) -> dict[str, Any]:
    waybill_no = registration.waybill_no.strip().upper()
    if not waybill_no:
        raise TrackingError("a registration needs a waybill number")
    if registration.shipped_at is not None and registration.shipped_at.tzinfo is None:
        raise TrackingError(f"{waybill_no}: shipped_at must be timezone-aware")
    return {
        "waybill_no": waybill_no,
        "carrier": registration.carrier.strip().upper(),
        "order_id": registration.order_id,
        "province": registration.province.strip(),
        "province_key": normalise_province(registration.province),
        "shipped_at": registration.shipped_at,
    }


def _upsert_registrations(connection: Connection, rows: list[dict[str, Any]]) -> None:
    insert = upsert(connection, waybills)
    new = insert.excluded
    statement = insert.on_conflict_do_update(
        index_elements=[waybills.c.waybill_no],
        set_={
            "carrier": new.carrier,
            "order_id": new.order_id,
            "province": new.province,
            "province_key": new.province_key,
            "shipped_at": sa.func.coalesce(new.shipped_at, waybills.c.shipped_at),
        },
    )
    connection.execute(statement, rows)
    # Events that arrived before the registration had no carrier; give them the registered one (feed freshness).
    carriers = [{"w": row["waybill_no"], "c": row["carrier"]} for row in rows if row["carrier"]]
    if carriers:
        connection.execute(
            events.update()
            .where(events.c.waybill_no == sa.bindparam("w"), events.c.carrier == "")
            .values(carrier=sa.bindparam("c")),
            carriers,
        )

"""Schema versions 2 (work orders get a kind), 3 (the open-per-carrier index) and 4 (the scan's indexes led by
what it selects on) upgrade an older store in place, keeping every row."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from stall_monitor.rules import default_rules
from stall_monitor.scan import scan
from stall_monitor.store import COMPONENT, SCHEMA_STEPS, prepare, waybills, work_orders
from stall_monitor.workorders import open_work_order
from waybill.database import ensure_schema, open_database, schema_version
from waybill.times import parse_instant as bj

V1_ROWS = [
    {"id": 1, "waybill_no": "SF1", "opened_at": "2022-12-23 10:00:00.000000", "responded_at": None},
    {"id": 2, "waybill_no": "SF1", "opened_at": "2022-12-20 08:00:00.000000",
     "responded_at": "2022-12-20 09:00:00.000000"},
    {"id": 7, "waybill_no": "YT2", "opened_at": "2022-12-24 01:30:00.000000", "responded_at": None},
]  # fmt: skip


CURRENT_INDEXES = {"ix_tracking_waybills_open", "ix_tracking_waybills_open_carrier", "ix_tracking_waybills_unpicked"}


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return {str(index["name"]) for index in sa.inspect(connection).get_indexes("tracking_waybills")}


def _version_1_store(url: str) -> sa.Engine:
    """A store as the code before work-order kinds left it: schema version 1, with work orders in it."""
    engine = open_database(url)
    ensure_schema(engine, COMPONENT, SCHEMA_STEPS[:1])
    with engine.begin() as connection:
        # (register_waybills would upgrade the store first: write version 1's rows directly)
        connection.execute(waybills.insert().values(waybill_no="SF1", carrier="SF", order_id="o-1", province="浙江省"))
        for row in V1_ROWS:
            # Plain SQL in UTC text / timestamptz, as version 1 wrote them.
            values = {**row}
            if connection.dialect.name == "postgresql":
                values = {k: (f"{v}+00" if k.endswith("_at") and v else v) for k, v in row.items()}
            connection.execute(
                sa.text(
                    "INSERT INTO tracking_work_orders (id, waybill_no, opened_at, responded_at) "
                    "VALUES (:id, :waybill_no, :opened_at, :responded_at)"
                ),
                values,
            )
    return engine


def test_a_version_1_store_upgrades_in_place_and_keeps_every_work_order(db_url: str) -> None:
    engine = _version_1_store(db_url)
    with engine.connect() as connection:
        assert sa.inspect(connection).get_columns("tracking_work_orders")[1]["name"] == "waybill_no"
    assert schema_version(engine, COMPONENT) == 1

    prepare(engine)
    prepare(engine)  # idempotent

    assert schema_version(engine, COMPONENT) == len(SCHEMA_STEPS) == 4
    with engine.connect() as connection:
        rows = connection.execute(sa.select(work_orders).order_by(work_orders.c.id)).all()
    assert _indexes(engine) == CURRENT_INDEXES
    assert [(r.id, r.kind, r.subject, r.opened_at, r.responded_at) for r in rows] == [
        (1, "stall", "SF1", bj("2022-12-23T10:00+00:00"), None),
        (2, "stall", "SF1", bj("2022-12-20T08:00+00:00"), bj("2022-12-20T09:00+00:00")),
        (7, "stall", "YT2", bj("2022-12-24T01:30+00:00"), None),
    ]
    # The upgraded table works: the scan sees the open stall work orders, new rows get new ids, and the
    # same subject and instant may be opened once per kind.
    orders = scan(engine, default_rules(), bj("2022-12-24T02:00+00:00")).work_orders
    assert [(o.waybill_no, o.carrier, o.order_id) for o in orders] == [("SF1", "SF", "o-1"), ("YT2", "", None)]
    assert not open_work_order(engine, "sf1", bj("2022-12-23T10:00+00:00"))
    assert open_work_order(engine, "SF1", bj("2022-12-23T10:00+00:00"), kind="invoice")
    assert open_work_order(engine, "SF9", bj("2022-12-25T00:00+00:00"))
    with engine.connect() as connection:
        ids = connection.execute(sa.select(work_orders.c.id).where(work_orders.c.id > 7)).scalars().all()
        kinds = connection.execute(sa.select(work_orders.c.kind, sa.func.count()).group_by(work_orders.c.kind)).all()
    assert len(ids) == 2
    assert dict(kinds) == {"stall": 4, "invoice": 1}
    engine.dispose()


def test_a_version_3_store_as_released_gets_the_scan_indexes_of_version_4(db_url: str) -> None:
    """Version 3 as it was released: the feed count's index carrier first, and an index of every shipped time."""
    engine = open_database(db_url)
    ensure_schema(engine, COMPONENT, SCHEMA_STEPS[:3])
    with engine.begin() as connection:
        for name in ("ix_tracking_waybills_open_carrier", "ix_tracking_waybills_unpicked"):
            connection.exec_driver_sql(f"DROP INDEX {name}")  # (this code's v1 makes them: a released v1 did not)
        connection.exec_driver_sql("CREATE INDEX ix_tracking_waybills_shipped ON tracking_waybills (shipped_at)")
    assert _indexes(engine) == {
        "ix_tracking_waybills_open",
        "ix_tracking_waybills_carrier_open",
        "ix_tracking_waybills_shipped",
    }
    shipped = bj("2022-12-20T09:00+08:00")
    register_waybills_v3(engine, [("SF1", "SF", shipped), ("YT2", "YTO", shipped), ("SF3", "SF", None)])

    at = bj("2022-12-22T09:00+08:00")
    result = scan(engine, default_rules(), at)  # upgrades first

    assert schema_version(engine, COMPONENT) == 4
    assert _indexes(engine) == CURRENT_INDEXES
    assert [(s.waybill_no, s.level) for s in result.stalls] == [("SF1", "no_pickup"), ("YT2", "no_pickup")]
    assert [(f.carrier, f.open_waybills) for f in result.feeds] == [("SF", 1), ("YTO", 1)]
    engine.dispose()


def register_waybills_v3(engine: sa.Engine, rows: list[tuple[str, str, datetime | None]]) -> None:
    """Registrations written as version 3 held them (register_waybills would upgrade the store first)."""
    with engine.begin() as connection:
        connection.execute(
            waybills.insert(),
            [
                {"waybill_no": w, "carrier": c, "province": "浙江省", "province_key": "浙江", "shipped_at": t}
                for w, c, t in rows
            ],
        )

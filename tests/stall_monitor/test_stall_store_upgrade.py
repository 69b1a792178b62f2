"""Schema versions 2 (work orders get a kind) and 3 (the open-per-carrier index) upgrade a version-1 store in
place, keeping every row."""

from __future__ import annotations

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

    assert schema_version(engine, COMPONENT) == len(SCHEMA_STEPS) == 3
    with engine.connect() as connection:
        rows = connection.execute(sa.select(work_orders).order_by(work_orders.c.id)).all()
        indexes = {index["name"] for index in sa.inspect(connection).get_indexes("tracking_waybills")}
    assert "ix_tracking_waybills_carrier_open" in indexes
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

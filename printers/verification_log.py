"""What pack verification did, per order, in the shared store: who verified it where and when, every
refused scan with its reason, orders set aside unfinished and orders printed on purpose short of items.

One table (component ``pack_verification`` in ``schema_versions``), ``pack_events``, one row per event:

- ``verified``: every unit counted (``units``, of them ``by_hand`` typed ``+``); the label prints next;
- ``refused``: a scan refused, its ``code`` and ``reason`` (see ``printers.verify.REASONS``) and ``detail``;
- ``incomplete``: the order was set aside by another order's code, ``missing`` what was not counted;
- ``forced``: the supervisor's force code printed it anyway, ``missing`` what was not counted.

``job_id`` is the station's print job, whose labels the journal holds; the event is written before the
label's first byte, as the journal writes ``sent``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from printers import verification_figures
from printers.verification_figures import COMPONENT, Figures, reason_name
from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema, sql_reader

if TYPE_CHECKING:  # only annotations: `waybill jobs` reads the log without the layout stack verify imports
    from printers.verify import Check

EventKind = Literal["verified", "refused", "incomplete", "forced"]

metadata = sa.MetaData()
events = sa.Table(
    "pack_events",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("station", sa.Text, nullable=False),
    sa.Column("job_id", Id, nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("order_id", sa.String(64), index=True),  # NULL: refused while no order was open
    sa.Column("waybill_no", sa.String(32)),
    sa.Column("code", sa.Text, nullable=False, server_default=""),
    sa.Column("reason", sa.String(32), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("units", sa.Integer, nullable=False, server_default="0"),
    sa.Column("by_hand", sa.Integer, nullable=False, server_default="0"),
    sa.Column("missing", sa.Text, nullable=False, server_default="[]"),  # JSON [{sku, name, qty}]
)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create_tables,)


@dataclass(frozen=True)
class PackEvent:
    at: datetime
    station: str
    job_id: int
    kind: EventKind
    order_id: str | None
    waybill_no: str | None
    code: str
    reason: str
    detail: str
    units: int
    by_hand: int
    missing: tuple[tuple[str, str, int], ...]  # (sku, name, units not counted)


class VerificationLog:
    def __init__(self, engine: Engine, station: str, job_id: int) -> None:
        self.engine = engine
        self.station = station
        self.job_id = job_id
        ensure_schema(engine, COMPONENT, SCHEMA)

    def verified(self, check: Check, connection: Connection | None = None) -> None:
        """Record a verified order; in ``connection``'s transaction when given (with its labels)."""
        self._add("verified", check, connection=connection)

    def incomplete(self, check: Check) -> None:
        self._add("incomplete", check)

    def forced(self, check: Check, code: str) -> None:
        self._add("forced", check, code=code)

    def refused(self, code: str, reason: str, detail: str, check: Check | None) -> None:
        self._add("refused", check, code=code, reason=reason, detail=detail)

    def _add(
        self,
        kind: EventKind,
        check: Check | None,
        *,
        code: str = "",
        reason: str = "",
        detail: str = "",
        connection: Connection | None = None,
    ) -> None:
        if connection is None:
            with self.engine.begin() as own:
                self._add(kind, check, code=code, reason=reason, detail=detail, connection=own)
            return
        left = check.missing() if check and kind in ("incomplete", "forced") else []
        missing = [{"sku": line.item.sku, "name": line.item.name, "qty": n} for line, n in left]
        connection.execute(
            events.insert().values(
                at=datetime.now(UTC),
                station=self.station,
                job_id=self.job_id,
                kind=kind,
                order_id=check.order.order_id if check else None,
                waybill_no=check.order.waybill_no if check else None,
                code=code,
                reason=reason,
                detail=detail,
                units=sum(check.counted) if check else 0,
                by_hand=check.by_hand if check else 0,
                missing=json.dumps(missing, ensure_ascii=False),
            )
        )


def pack_events(engine: Engine, *, job_id: int | None = None, order_id: str | None = None) -> list[PackEvent]:
    """Events in the order they happened, of one station job or one order, or all."""
    ensure_schema(engine, COMPONENT, SCHEMA)
    query = sa.select(events).order_by(events.c.id)
    if job_id is not None:
        query = query.where(events.c.job_id == job_id)
    if order_id is not None:
        query = query.where(events.c.order_id == order_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        PackEvent(
            row.at,
            row.station,
            row.job_id,
            row.kind,
            row.order_id,
            row.waybill_no,
            row.code,
            row.reason,
            row.detail,
            row.units,
            row.by_hand,
            tuple((m["sku"], m["name"], int(m["qty"])) for m in json.loads(row.missing)),
        )
        for row in rows
    ]


def figures(engine: Engine, *, job_id: int | None = None) -> Figures:
    """Counts over every station, or one station job."""
    ensure_schema(engine, COMPONENT, SCHEMA)
    with engine.connect() as connection:
        reader = sql_reader(connection)
        return verification_figures.figures(reader, job_id=job_id)


__all__ = ["COMPONENT", "EventKind", "Figures", "PackEvent", "VerificationLog", "figures", "pack_events", "reason_name"]

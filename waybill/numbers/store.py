"""The numbers part of the store: segments, the order → number bindings, cancellations.

``waybill_no`` is unique over all bindings, cancelled ones included, so a number goes to one order ever;
at most one live binding per (carrier, order). Taking numbers from a segment advances its ``next`` and
inserts the bindings in one transaction that first locks the branch's segments (row locks on PostgreSQL,
the write lock on SQLite), so concurrent assigners on one database neither share nor skip a number.

Tables (component ``numbers`` in ``schema_versions``): ``number_segments`` and ``number_bindings``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema
from waybill.errors import NumberError, OrderError, Problem, first_line
from waybill.numbers.segments import Segment, overlapping
from waybill.numbers.source import Balance, Binding, Request

__all__ = ["COMPONENT", "Allocation", "NumberStore"]

COMPONENT = "numbers"
_RETRIES = 5  # two assigners binding the same order at once: the loser re-reads the winner's binding

metadata = sa.MetaData()
segments = sa.Table(
    "number_segments",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("carrier", sa.String(16), nullable=False),
    sa.Column("branch_code", sa.String(64), nullable=False),
    sa.Column("prefix", sa.String(32), nullable=False),
    sa.Column("first", sa.BigInteger, nullable=False),
    sa.Column("last", sa.BigInteger, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("next", sa.BigInteger, nullable=False),  # the next serial to give; last + 1 when used up
    sa.Column("imported_from", sa.Text, nullable=False),
    sa.Column("imported_at", UtcDateTime, nullable=False),
    sa.Index("number_segments_branch", "carrier", "branch_code"),
)
bindings = sa.Table(
    "number_bindings",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("waybill_no", sa.String(32), nullable=False, unique=True),
    sa.Column("carrier", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("branch_code", sa.String(64), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("object_id", sa.String(80), nullable=False),
    sa.Column("segment_id", Id, sa.ForeignKey("number_segments.id")),  # pool numbers only
    sa.Column("serial", sa.BigInteger),
    sa.Column("sort_code", sa.Text, nullable=False, server_default=""),
    sa.Column("package_center", sa.Text, nullable=False, server_default=""),
    sa.Column("bound_at", UtcDateTime, nullable=False),
    sa.Column("cancelled_at", UtcDateTime),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    sa.Index("number_bindings_order", "carrier", "order_id"),
    sa.Index(
        "number_bindings_live",
        "carrier",
        "order_id",
        unique=True,
        sqlite_where=sa.text("cancelled_at IS NULL"),
        postgresql_where=sa.text("cancelled_at IS NULL"),
    ),
)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create_tables,)


@dataclass(frozen=True)
class Allocation:
    bound: dict[str, Binding]  # order id → binding, for every request served
    unserved: list[Request]  # the pool ran dry before these
    left: int


def _now() -> datetime:
    return datetime.now(UTC)


class NumberStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_schema(engine, COMPONENT, SCHEMA)

    # segments

    def segments(self) -> list[Segment]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(segments).order_by(segments.c.id)).all()
        return [_segment(row) for row in rows]

    def import_segments(self, new: Sequence[Segment], source: str) -> int:
        """Add ``new`` (already checked against each other) unless one overlaps a stored segment."""
        now = _now()
        with self.engine.begin() as connection:
            self._lock_table(connection)
            stored = [_segment(row) for row in connection.execute(sa.select(segments)).all()]
            problems = []
            for segment in new:
                other = next((o for o in stored if overlapping(segment, o)), None)
                if other is not None:
                    problems.append(Problem(segment.where, None, "first", f"overlaps {other.where}"))
            if problems:
                raise OrderError(problems)
            connection.execute(
                segments.insert(),
                [
                    {
                        "carrier": s.carrier,
                        "branch_code": s.branch_code,
                        "prefix": s.prefix,
                        "first": s.first,
                        "last": s.last,
                        "width": s.width,
                        "next": s.first,
                        "imported_from": source,
                        "imported_at": now,
                    }
                    for s in new
                ],
            )
        return len(new)

    def _lock_table(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("LOCK TABLE number_segments IN SHARE ROW EXCLUSIVE MODE"))
        else:  # the first write takes SQLite's one write lock, before anything is read
            connection.execute(segments.update().where(sa.false()).values(next=segments.c.next))

    # bindings

    def live(self, carrier: str, order_ids: Iterable[str]) -> dict[str, Binding]:
        """The live binding of each of these orders that has one."""
        with self.engine.connect() as connection:
            return self._live(connection, carrier, list(order_ids))

    @staticmethod
    def _live(connection: Connection, carrier: str, order_ids: list[str]) -> dict[str, Binding]:
        found: dict[str, Binding] = {}
        for chunk in _chunks(order_ids, 500):
            rows = connection.execute(
                sa.select(bindings).where(
                    bindings.c.carrier == carrier, bindings.c.order_id.in_(chunk), bindings.c.cancelled_at.is_(None)
                )
            ).all()
            found.update((row.order_id, _binding(row)) for row in rows)
        return found

    def by_number(self, numbers: Iterable[str]) -> dict[str, Binding]:
        """Bindings, live or cancelled, of these numbers."""
        found: dict[str, Binding] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted({n.upper() for n in numbers}), 500):
                rows = connection.execute(sa.select(bindings).where(bindings.c.waybill_no.in_(chunk))).all()
                found.update((row.waybill_no, _binding(row)) for row in rows)
        return found

    def cancelled_count(self, carrier: str, order_ids: Iterable[str]) -> dict[str, int]:
        """How many numbers each order had cancelled: the generation in its next ``object_id``."""
        counts: dict[str, int] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(list(order_ids), 500):
                rows = connection.execute(
                    sa.select(bindings.c.order_id, sa.func.count())
                    .where(
                        bindings.c.carrier == carrier,
                        bindings.c.order_id.in_(chunk),
                        bindings.c.cancelled_at.is_not(None),
                    )
                    .group_by(bindings.c.order_id)
                ).all()
                counts.update((order_id, int(count)) for order_id, count in rows)
        return counts

    def allocate(self, carrier: str, branch_code: str, requests: Sequence[Request]) -> Allocation:
        """Pool numbers for ``requests`` from the branch's oldest segments, bound in the same transaction."""
        for attempt in range(_RETRIES):
            try:
                return self._allocate(carrier, branch_code, requests)
            except sa.exc.IntegrityError as error:  # another assigner bound one of these orders first
                if attempt == _RETRIES - 1:
                    reason = first_line(error.orig or error)
                    raise NumberError(f"{carrier}: could not bind numbers: {reason}") from error
        raise AssertionError("unreachable")

    def _allocate(self, carrier: str, branch_code: str, requests: Sequence[Request]) -> Allocation:
        now = _now()
        with self.engine.begin() as connection:
            open_segments = self._lock_branch(connection, carrier, branch_code)
            bound = self._live(connection, carrier, [r.order.order_id for r in requests])
            todo = [r for r in requests if r.order.order_id not in bound]
            rows: list[dict[str, Any]] = []
            left = 0
            for segment_id, segment, next_serial in open_segments:
                take = min(len(todo) - len(rows), segment.last - next_serial + 1)
                for offset, request in enumerate(todo[len(rows) : len(rows) + take]):
                    serial = next_serial + offset
                    rows.append(
                        {
                            "waybill_no": segment.number(serial),
                            "carrier": carrier,
                            "source": "pool",
                            "branch_code": branch_code,
                            "order_id": request.order.order_id,
                            "object_id": request.object_id,
                            "segment_id": segment_id,
                            "serial": serial,
                            "bound_at": now,
                        }
                    )
                if take:
                    connection.execute(
                        segments.update().where(segments.c.id == segment_id).values(next=next_serial + take)
                    )
                left += segment.last - next_serial + 1 - take
            if rows:
                connection.execute(bindings.insert(), rows)
        for row in rows:
            bound[row["order_id"]] = _binding_of(row)
        return Allocation(bound, todo[len(rows) :], left)

    @staticmethod
    def _lock_branch(connection: Connection, carrier: str, branch_code: str) -> list[tuple[int, Segment, int]]:
        """The branch's segments with numbers left, oldest first, locked until the transaction ends."""
        where = (segments.c.carrier == carrier, segments.c.branch_code == branch_code)
        if connection.dialect.name != "postgresql":
            # SQLite: a write first takes the database's write lock, so what is read next is current.
            connection.execute(segments.update().where(*where).values(next=segments.c.next))
        query = sa.select(segments).where(*where, segments.c.next <= segments.c.last).order_by(segments.c.id)
        rows = connection.execute(query.with_for_update()).all()
        return [(row.id, _segment(row), row.next) for row in rows]

    def bind(self, new: Sequence[Binding]) -> dict[str, Binding]:
        """Record numbers a service gave. A number the store already holds for the same object is kept
        (a retry got it again); one bound elsewhere is an error: the service gave a number twice."""
        now = _now()
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as connection:
                    held = {
                        row.waybill_no: _binding(row)
                        for row in connection.execute(
                            sa.select(bindings).where(bindings.c.waybill_no.in_([b.waybill_no for b in new]))
                        ).all()
                    }
                    fresh = []
                    for binding in new:
                        old = held.get(binding.waybill_no)
                        if old is None:
                            fresh.append(binding)
                        elif (old.carrier, old.object_id) != (binding.carrier, binding.object_id):
                            raise NumberError(
                                f"{binding.carrier}: the service gave {binding.waybill_no} to order "
                                f"{binding.order_id}, but it belongs to order {old.order_id}"
                            )
                    if fresh:
                        connection.execute(bindings.insert(), [_row_of(b, now) for b in fresh])
                return self.live(new[0].carrier, [b.order_id for b in new]) if new else {}
            except sa.exc.IntegrityError as error:
                if attempt == _RETRIES - 1:
                    raise NumberError(f"could not record numbers: {first_line(error.orig or error)}") from error
        raise AssertionError("unreachable")

    def cancel(self, waybill_no: str, reason: str) -> Binding:
        """Mark a live number cancelled; it stays bound, so it is never given or printed again."""
        waybill_no = waybill_no.strip().upper()
        with self.engine.begin() as connection:
            changed = connection.execute(
                bindings.update()
                .where(bindings.c.waybill_no == waybill_no, bindings.c.cancelled_at.is_(None))
                .values(cancelled_at=_now(), cancel_reason=reason)
            ).rowcount
            row = connection.execute(sa.select(bindings).where(bindings.c.waybill_no == waybill_no)).first()
        if row is None:
            raise NumberError(f"{waybill_no}: no such number was given out (see `waybill numbers balance`)")
        if not changed:
            raise NumberError(f"{waybill_no} was already cancelled: {row.cancel_reason or 'no reason given'}")
        return _binding(row)

    def cancellation(self, waybill_no: str) -> Binding | None:
        """The binding of ``waybill_no`` if that number was cancelled."""
        binding = self.by_number([waybill_no]).get(waybill_no.strip().upper())
        return binding if binding is not None and binding.cancelled_at is not None else None

    def pool_balances(self) -> list[Balance]:
        with self.engine.connect() as connection:
            sizes = connection.execute(
                sa.select(
                    segments.c.carrier,
                    segments.c.branch_code,
                    sa.func.sum(segments.c.last - segments.c.first + 1),
                    sa.func.sum(segments.c.last - segments.c.next + 1),
                )
                .group_by(segments.c.carrier, segments.c.branch_code)
                .order_by(segments.c.carrier, segments.c.branch_code)
            ).all()
            cancelled = dict(
                ((carrier, branch), int(count))
                for carrier, branch, count in connection.execute(
                    sa.select(bindings.c.carrier, bindings.c.branch_code, sa.func.count())
                    .where(bindings.c.source == "pool", bindings.c.cancelled_at.is_not(None))
                    .group_by(bindings.c.carrier, bindings.c.branch_code)
                ).all()
            )
        balances = []
        for carrier, branch, total, left in sizes:
            voided = cancelled.get((carrier, branch), 0)
            given = int(total) - int(left)
            balances.append(Balance(carrier, "pool", branch, int(total), given - voided, voided, int(left)))
        return balances


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _segment(row: Any) -> Segment:
    where = f"segment {row.id} (imported from {row.imported_from})"
    return Segment(row.carrier, row.branch_code, row.prefix, row.first, row.last, row.width, where)


def _binding(row: Any) -> Binding:
    return Binding(
        row.waybill_no,
        row.carrier,
        row.source,
        row.branch_code,
        row.order_id,
        row.object_id,
        row.sort_code,
        row.package_center,
        row.cancelled_at,
        row.cancel_reason,
    )


def _binding_of(row: dict[str, Any]) -> Binding:
    keys = ("waybill_no", "carrier", "source", "branch_code", "order_id", "object_id")
    return Binding(*(row[key] for key in keys))


def _row_of(binding: Binding, now: datetime) -> dict[str, Any]:
    return {
        "waybill_no": binding.waybill_no,
        "carrier": binding.carrier,
        "source": binding.source,
        "branch_code": binding.branch_code,
        "order_id": binding.order_id,
        "object_id": binding.object_id,
        "sort_code": binding.sort_code,
        "package_center": binding.package_center,
        "bound_at": now,
    }

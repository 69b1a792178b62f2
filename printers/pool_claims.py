"""Many hosts, one store: which host has each run of a pool queued, and what every host's printers look like.

Several print services (one per packing line or host) share one database as their queue. A host that queues
a run on one of its printers claims it (``pool_claims``: the run, its pool, the host, a lease it renews
while alive). A host that dies stops renewing; once its lease lapses, another host of the same pool takes
its unfinished runs (``take_lapsed``: the claims are read ``FOR UPDATE SKIP LOCKED``, so two hosts looking
at once never take the same run) and prints them, as ``Pool.resume`` would: labels it had sent but not seen
printed become uncertain and print again as recorded reprints. A host that stops gracefully drops its claims:
its stopped runs wait for an explicit resume.

Each host also writes its printers' states (``pool_hosts``) so any host's live page shows every printer.

Tables (component ``print_pool_hosts`` in ``schema_versions``): ``pool_claims``, ``pool_hosts``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from waybill.database import Id, SchemaStep, UtcDateTime, ensure_schema

__all__ = ["COMPONENT", "HostPrinters", "PoolClaims"]

COMPONENT = "print_pool_hosts"

metadata = sa.MetaData()
pool_claims = sa.Table(
    "pool_claims",
    metadata,
    sa.Column("job_id", Id, primary_key=True),  # a run (``pool_runs``; the journal's tables may come later)
    sa.Column("pool", sa.String(64), nullable=False, index=True),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("lease_expires_at", UtcDateTime, nullable=False),
)
pool_hosts = sa.Table(
    "pool_hosts",
    metadata,
    sa.Column("host", sa.String(200), primary_key=True),
    sa.Column("pool", sa.String(64), nullable=False),
    sa.Column("printers", sa.Text, nullable=False),  # JSON: the host's printers as its page shows them
    sa.Column("seen_at", UtcDateTime, nullable=False),
)


def _create_tables(connection: Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create_tables,)


@dataclass(frozen=True)
class HostPrinters:
    host: str
    pool: str
    printers: list[dict[str, Any]]
    seen_at: datetime


class PoolClaims:
    """One host's claims on the runs of ``pool`` (``host`` names it uniquely: host:pid:token)."""

    def __init__(self, engine: Engine, pool: str, host: str, *, lease_seconds: float = 30.0) -> None:
        ensure_schema(engine, COMPONENT, SCHEMA)
        self.engine, self.pool, self.host = engine, pool, host
        self.lease = timedelta(seconds=lease_seconds)

    def claim(self, job_id: int) -> None:
        """This host has run ``job_id`` queued (taking it over from whoever had it)."""
        until = datetime.now(UTC) + self.lease
        with self.engine.begin() as connection:
            connection.execute(pool_claims.delete().where(pool_claims.c.job_id == job_id))
            connection.execute(
                pool_claims.insert().values(job_id=job_id, pool=self.pool, host=self.host, lease_expires_at=until)
            )

    def release(self, job_ids: Iterable[int] | None = None) -> None:
        """Drop this host's claims on ``job_ids`` (done or moved runs), or all of them (a graceful stop)."""
        query = pool_claims.delete().where(pool_claims.c.host == self.host)
        if job_ids is not None:
            query = query.where(pool_claims.c.job_id.in_(list(job_ids)))
        with self.engine.begin() as connection:
            connection.execute(query)

    def lapse(self, job_id: int) -> None:
        """Let the claim on ``job_id`` lapse now (taken too early: look at it again later)."""
        with self.engine.begin() as connection:
            connection.execute(
                pool_claims.update().where(pool_claims.c.job_id == job_id).values(lease_expires_at=datetime.now(UTC))
            )

    def renew(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                pool_claims.update()
                .where(pool_claims.c.host == self.host)
                .values(lease_expires_at=datetime.now(UTC) + self.lease)
            )

    def take_lapsed(self, limit: int = 20) -> list[int]:
        """Claim for this host the runs of the pool whose host stopped renewing; their job ids, oldest first.

        The rows are locked ``FOR UPDATE SKIP LOCKED``: a run another host is taking right now is skipped, so
        each lapsed run goes to exactly one host (on SQLite the write lock does that)."""
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            rows = connection.execute(
                sa.select(pool_claims.c.job_id)
                .where(pool_claims.c.pool == self.pool, pool_claims.c.lease_expires_at < now)
                .order_by(pool_claims.c.job_id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            taken = [int(row.job_id) for row in rows]
            if taken:
                connection.execute(
                    pool_claims.update()
                    .where(pool_claims.c.job_id.in_(taken))
                    .values(host=self.host, lease_expires_at=now + self.lease)
                )
        return taken

    # ── every host's printers ────────────────────────────────────────────────────────────────────
    def publish(self, printers: list[dict[str, Any]]) -> None:
        """Write this host's printers for the other hosts' pages (and renew the claims with it)."""
        now = datetime.now(UTC)
        text = json.dumps(printers, ensure_ascii=False, sort_keys=True)
        with self.engine.begin() as connection:
            updated = connection.execute(
                pool_hosts.update()
                .where(pool_hosts.c.host == self.host)
                .values(pool=self.pool, printers=text, seen_at=now)
            ).rowcount
            if not updated:
                connection.execute(
                    pool_hosts.insert().values(host=self.host, pool=self.pool, printers=text, seen_at=now)
                )

    def hosts(self, within: float) -> list[HostPrinters]:
        """Every host of the pool heard from within ``within`` seconds (this one included)."""
        since = datetime.now(UTC) - timedelta(seconds=within)
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(pool_hosts)
                .where(pool_hosts.c.pool == self.pool, pool_hosts.c.seen_at >= since)
                .order_by(pool_hosts.c.host)
            ).all()
        return [HostPrinters(row.host, row.pool, json.loads(row.printers), row.seen_at) for row in rows]

    def leave(self) -> None:
        """A graceful stop: drop the claims and the host's printers."""
        self.release()
        with self.engine.begin() as connection:
            connection.execute(pool_hosts.delete().where(pool_hosts.c.host == self.host))

"""The invoice requests table (component ``invoices`` in ``schema_versions``), beside the tracking tables.

``invoice_requests``
    one row per order: when the buyer asked for an invoice, when it was issued, amount (fen) and title.
    The buyers' invoice work orders are in ``tracking_work_orders`` as kind ``invoice``, subject the order id.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stall_monitor.store import prepare as prepare_tracking
from waybill.database import SchemaStep, UtcDateTime, ensure_schema

__all__ = ["COMPONENT", "invoice_requests", "prepare"]

COMPONENT = "invoices"

metadata = sa.MetaData()

invoice_requests = sa.Table(
    "invoice_requests",
    metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("issued_at", UtcDateTime()),
    sa.Column("amount_fen", sa.BigInteger()),  # money in fen (分): exact, the same on every store
    sa.Column("title", sa.String(200)),  # 发票抬头
    # The scan reads the unissued requests and those issued in the last cap window.
    sa.Index("ix_invoice_requests_issued", "issued_at", "requested_at"),
)


def _create_v1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[invoice_requests])


SCHEMA_STEPS: Sequence[SchemaStep] = (_create_v1,)


def prepare(engine: Engine) -> Engine:
    """Create or upgrade the invoice tables and the tracking tables they share work orders with."""
    prepare_tracking(engine)
    ensure_schema(engine, COMPONENT, SCHEMA_STEPS)
    return engine

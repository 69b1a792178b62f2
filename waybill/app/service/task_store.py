"""The print-component tasks a service was given, kept in the store: after a restart a task is still known (a
client sending it again is told it was given before, not handed "printed before" failures) and
``getTaskStatus`` still answers, each document's printed state read back from the print journal.

Table (component ``print_service_tasks`` in ``schema_versions``): ``print_service_tasks``: the task id, the
printer it named, when it was given, and its documents as JSON (``documentID``, ``orderID``, ``status``
"rendered" or "failed", ``msg``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from printers.journal import Journal
from waybill.database import SchemaStep, UtcDateTime, ensure_schema

__all__ = ["StoredDoc", "StoredTask", "TaskStore", "purge_tasks"]

COMPONENT = "print_service_tasks"

metadata = sa.MetaData()
tasks = sa.Table(
    "print_service_tasks",
    metadata,
    sa.Column("task_id", sa.String(128), primary_key=True),
    sa.Column("printer", sa.Text, nullable=False),
    sa.Column("given_at", UtcDateTime, nullable=False),
    sa.Column("documents", sa.Text, nullable=False, server_default="[]"),
)


def _create(connection: sa.Connection) -> None:
    metadata.create_all(connection)


SCHEMA: Sequence[SchemaStep] = (_create,)


@dataclass(frozen=True)
class StoredDoc:
    document_id: str
    order_id: str | None
    status: str  # "rendered", "printed" or "failed"
    msg: str


@dataclass(frozen=True)
class StoredTask:
    task_id: str
    printer: str
    docs: tuple[StoredDoc, ...]


class TaskStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.journal = Journal(engine)  # where each document's printed state is read
        ensure_schema(engine, COMPONENT, SCHEMA)

    def reserve(self, task_id: str, printer: str) -> bool:
        """Record that ``task_id`` was given; False if it was given before (by any client, before a restart
        too): the one insert decides, so two clients sending one task at once cannot both print it."""
        try:
            with self.engine.begin() as connection:
                connection.execute(tasks.insert().values(task_id=task_id, printer=printer, given_at=datetime.now(UTC)))
        except sa.exc.IntegrityError:
            return False
        return True

    def save(self, task_id: str, docs: Sequence[StoredDoc]) -> None:
        """The task's documents as its answer left them."""
        documents = [
            {"documentID": d.document_id, "orderID": d.order_id, "status": d.status, "msg": d.msg} for d in docs
        ]
        with self.engine.begin() as connection:
            connection.execute(
                tasks.update()
                .where(tasks.c.task_id == task_id)
                .values(documents=json.dumps(documents, ensure_ascii=False))
            )

    def load(self, task_ids: Sequence[str]) -> list[StoredTask]:
        """The stored tasks among ``task_ids``, in that order; a document the journal shows every label of
        printed is "printed"."""
        with self.engine.connect() as connection:
            rows = {
                row.task_id: row
                for row in connection.execute(sa.select(tasks).where(tasks.c.task_id.in_(list(task_ids)))).all()
            }
        found = [rows[task_id] for task_id in task_ids if task_id in rows]
        docs = {row.task_id: json.loads(row.documents) for row in found}
        orders = {d["orderID"] for row in found for d in docs[row.task_id] if d["status"] != "failed" and d["orderID"]}
        printed = self.journal.printed_orders(orders)
        return [
            StoredTask(
                row.task_id,
                row.printer,
                tuple(
                    StoredDoc(
                        d["documentID"],
                        d["orderID"],
                        "printed" if d["orderID"] in printed and d["status"] != "failed" else d["status"],
                        d["msg"],
                    )
                    for d in docs[row.task_id]
                ),
            )
            for row in found
        ]


def purge_tasks(engine: Engine, before: datetime) -> int:
    """Forget the tasks given before ``before`` (``waybill purge``); how many. One of them sent again is then
    refused by the journal, its waybills printed before, instead of as a task given before."""
    ensure_schema(engine, COMPONENT, SCHEMA)
    with engine.begin() as connection:
        return int(connection.execute(tasks.delete().where(tasks.c.given_at < before)).rowcount)

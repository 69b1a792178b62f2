"""The one SQL store shared by print jobs and the stall monitor.

SQLite (a file, no set-up) by default; any SQLAlchemy URL, PostgreSQL in particular, with ``--db`` or
``WAYBILL_DB``. Each component owns its tables and a list of schema steps; ``ensure_schema`` applies the steps
a database has not seen yet, so an older database upgrades in place.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine

from waybill.errors import DatabaseError, first_line
from waybill.store_location import database_url, default_database_path, redacted, require_sqlite_file, sqlite_path
from waybill.store_reader import SqlReader, utc_session
from waybill.stored_times import sqlite_utc_text, utc_of_stored

__all__ = [
    "Id",
    "SchemaStep",
    "UtcDateTime",
    "database_url",
    "default_database_path",
    "ensure_schema",
    "lock_for_write",
    "open_database",
    "schema_version",
    "sql_reader",
]

SchemaStep = Callable[[Connection], None]

_versions = sa.Table(
    "schema_versions",
    sa.MetaData(),
    sa.Column("component", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


class _SqliteUtcText(sa.types.UserDefinedType[str]):
    """SQLite's side of ``UtcDateTime``: DATETIME in the DDL, fixed-width UTC text bound as it is."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "DATETIME"


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored in UTC, returned aware; a naive value is refused rather than guessed
    (Chinese systems write Beijing time without a zone).

    PostgreSQL: ``timestamptz``. SQLite: ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (SQLAlchemy's own DATETIME
    format, so the text sorts and compares as time), written and read here in one C call each — tracking
    ingest binds two of these per event, and SQLAlchemy's generic formatter was a tenth of its time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SqliteUtcText())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise DatabaseError(f"internal: naive datetime {value!r} would be ambiguous in the store")
        if dialect.name == "sqlite":
            return sqlite_utc_text(value)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return utc_of_stored(value)


# SQLite's rowid alias must be INTEGER; elsewhere ids are 64-bit.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc_session(dbapi_connection: Any, _record: object) -> None:
    utc_session(dbapi_connection)  # the pool's rollback at check-in keeps it


def _tune_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets the report read while a batch writes; FULL makes every committed label row survive power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(option: str | None = None, *, create: bool = True) -> Engine:
    """Open the store named by ``option`` / ``WAYBILL_DB`` / the default file, creating a SQLite file if needed.

    ``create=False`` is for commands that only read: a SQLite file that does not exist (a mistyped ``--db``)
    is a ``DatabaseError`` instead of a new empty store that reports "all clear". A new SQLite file and the
    folders made for it are the owner's only (0600/0700): the store holds recipients' names, phones and
    addresses. SQLite gives its -wal and -shm files the mode of the database file.
    """
    url = database_url(option)
    if url.startswith("postgresql+psycopg://"):
        try:
            import psycopg  # noqa: F401  (the driver SQLAlchemy loads for postgresql+psycopg)
        except ImportError:
            raise DatabaseError(
                f"cannot open database {redacted(url)}: PostgreSQL needs psycopg: pip install 'waybill[postgres]'"
            ) from None
    try:
        path = sqlite_path(url)
        if path is not None:
            _private_sqlite_file(path, create=create)
        engine = sa.create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _tune_sqlite)
        elif engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect", _utc_session)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except (sa.exc.SQLAlchemyError, OSError) as error:
        raise DatabaseError(f"cannot open database {redacted(url)}: {first_line(error)}") from error
    return engine


def _private_sqlite_file(path: Path, *, create: bool) -> None:
    if not create:
        require_sqlite_file(path)
        return
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # an existing store keeps the mode its owner gave it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def lock_for_write(connection: Connection, name: str) -> None:
    """Make this transaction the only one holding ``name`` until it ends: what it reads stays true until it
    commits. The first statement of a transaction. SQLite: ``BEGIN IMMEDIATE`` (the store's write lock; the
    busy timeout makes a second writer wait). PostgreSQL: a transaction advisory lock on ``name``'s hash,
    so writers of other names go on."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def sql_reader(connection: Connection) -> SqlReader:
    """The plain-SQL reader (``waybill.store_reader``) on this connection's own driver connection."""
    dialect = connection.dialect
    name = connection.engine.url.render_as_string(hide_password=True)
    return SqlReader(connection.connection.driver_connection, dialect.name, dialect.loaded_dbapi.Error, name)


def ensure_schema(engine: Engine, component: str, steps: Sequence[SchemaStep]) -> None:
    """Bring ``component``'s tables to ``len(steps)``: step i (1-based) upgrades version i-1 to i."""
    try:
        with engine.begin() as connection:
            # Two processes (or threads) starting at once must not both run the same step. (pysqlite runs DDL
            # outside any transaction: the lock also makes the check and the steps one transaction.)
            lock_for_write(connection, "schema")
            _versions.create(connection, checkfirst=True)
            current = connection.execute(
                sa.select(_versions.c.version).where(_versions.c.component == component)
            ).scalar()
            have = current or 0
            if have > len(steps):
                raise DatabaseError(
                    f"database schema for {component} is version {have}, newer than this waybill "
                    f"understands ({len(steps)}); upgrade waybill"
                )
            for step in steps[have:]:
                step(connection)
            if current is None:
                connection.execute(_versions.insert().values(component=component, version=len(steps)))
            elif have < len(steps):
                connection.execute(
                    _versions.update().where(_versions.c.component == component).values(version=len(steps))
                )
    except sa.exc.SQLAlchemyError as error:
        raise DatabaseError(f"cannot upgrade the {component} tables: {first_line(error)}") from error


def schema_version(engine: Engine, component: str) -> int:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("schema_versions"):
            return 0
        version = connection.execute(sa.select(_versions.c.version).where(_versions.c.component == component)).scalar()
    return int(version or 0)

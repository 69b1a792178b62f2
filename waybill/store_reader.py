"""Reading the store without SQLAlchemy: a DB-API connection and plain SQL that SQLite and PostgreSQL both
run. For commands that only read what the store holds (``waybill jobs``, ``waybill stall scan``), where
importing SQLAlchemy was several times the interpreter's own start. The same queries run on a SQLAlchemy
connection's driver connection (``waybill.database.sql_reader``), so each query has one copy, whichever way
the store was opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from waybill.errors import DatabaseError, first_line
from waybill.store_location import database_url, redacted, require_sqlite_file, sqlite_path
from waybill.stored_times import sqlite_utc_text

__all__ = ["SqlReader", "open_reader", "utc_session"]


class SqlReader:
    """A DB-API connection and its dialect (``sqlite`` or ``postgresql``); SQL is written with ``?``. A driver
    error (``errors``: the driver's base class) is a one-line ``DatabaseError`` naming the store (``name``)."""

    def __init__(self, connection: Any, dialect: str, errors: type[Exception], name: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.errors = errors
        self.name = name

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        try:
            cursor = self.connection.cursor()
            try:
                cursor.execute(sql, tuple(params))
                return list(cursor.fetchall())
            finally:
                cursor.close()
        # A file that is not a database, a dropped connection; or a damaged store whose text (even in the
        # driver's own message about it) is not UTF-8.
        except (self.errors, UnicodeDecodeError) as error:
            raise DatabaseError(f"cannot read database {self.name}: {first_line(error)}") from error

    def bound_time(self, moment: datetime) -> object:
        """``moment`` as a parameter the store compares with its times (``waybill.stored_times``): UTC text on
        SQLite, the aware datetime itself on PostgreSQL."""
        return sqlite_utc_text(moment) if self.dialect == "sqlite" else moment

    def version(self, component: str) -> int:
        """The schema version of ``component`` in this store; 0 when it has none."""
        if self.dialect == "sqlite":
            present = self.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'")
        else:
            present = self.rows("SELECT 1 WHERE to_regclass('schema_versions') IS NOT NULL")
        if not present:
            return 0
        found = self.rows("SELECT version FROM schema_versions WHERE component = ?", (component,))
        return int(found[0][0]) if found else 0

    def close(self) -> None:
        self.connection.close()


def utc_session(connection: Any) -> None:
    """A PostgreSQL session whose times come back in UTC whatever the server's ``TimeZone``: psycopg then gives
    ``datetime.timezone.utc``, which needs no conversion a value (a server's zone, ``Etc/UTC`` say, came back as
    a ``ZoneInfo`` to convert; a scan reads three a listed parcel). Committed, so a rollback keeps it."""
    connection.execute("SET TIME ZONE 'UTC'")
    connection.commit()


def open_reader(option: str | None = None) -> SqlReader | None:
    """A reader on the store ``option`` / ``WAYBILL_DB`` / the default file names, or None for a store this
    cannot open without SQLAlchemy (a URL of another database). A missing SQLite file is a ``DatabaseError``:
    a command that reads creates no store."""
    url = database_url(option)
    path = sqlite_path(url)
    if path is not None:
        require_sqlite_file(path)
        try:
            lite = sqlite3.connect(path, timeout=10.0)
        except sqlite3.Error as error:
            raise DatabaseError(f"cannot open database {path}: {error}") from error
        return SqlReader(lite, "sqlite", sqlite3.Error, str(path))
    if url.startswith("postgresql+psycopg://"):
        try:
            import psycopg
        except ImportError:
            return None  # SQLAlchemy's path says what to install
        try:
            server = psycopg.connect("postgresql://" + url.split("://", 1)[1])
            utc_session(server)
        except psycopg.Error as error:
            raise DatabaseError(f"cannot open database {redacted(url)}: {first_line(error)}") from error
        return SqlReader(server, "postgresql", psycopg.Error, redacted(url))
    return None

"""Where the store is: ``--db``, else ``WAYBILL_DB``, else the per-user SQLite file. No SQLAlchemy here, so a
command that only reads the store (``waybill jobs``) can find it without loading SQLAlchemy."""

from __future__ import annotations

import os
import re
from pathlib import Path

from waybill.errors import DatabaseError
from waybill.paths import data_home

__all__ = ["database_url", "default_database_path", "dialect_name", "redacted", "require_sqlite_file", "sqlite_path"]

SQLITE_PREFIX = "sqlite:///"


def default_database_path() -> Path:
    return data_home() / "waybill.db"


def database_url(option: str | None = None) -> str:
    """The URL to use: the option, else ``WAYBILL_DB``, else the per-user SQLite file.

    A value without ``://`` is a SQLite file path; ``postgresql://`` selects the psycopg 3 driver.
    """
    value = option or os.environ.get("WAYBILL_DB") or str(default_database_path())
    if "://" not in value:
        return f"{SQLITE_PREFIX}{Path(value).expanduser().resolve()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def dialect_name(url: str) -> str:
    """The SQL dialect of a ``database_url``, as SQLAlchemy names it: ``sqlite``, ``postgresql``, …"""
    return url.split("://", 1)[0].split("+", 1)[0]


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL; None for any other store."""
    return Path(url.removeprefix(SQLITE_PREFIX)) if url.startswith(SQLITE_PREFIX) else None


def require_sqlite_file(path: Path) -> None:
    """A command that reads the store and creates none: a missing file is a mistyped ``--db``."""
    if not path.is_file():
        raise DatabaseError(
            f"no database at {path} (check --db or WAYBILL_DB); this command reads a store and creates none"
        )


def redacted(url: str) -> str:
    """``url`` with its password, if any, as ``***``: safe to print in an error."""
    return re.sub(r"^([^:/]+://[^:/@]*:)[^@]*@", r"\1***@", url)

"""Fixtures of the stall-monitor tests: a prepared store on SQLite and on PostgreSQL, the default rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from stall_monitor.rules import Rules, default_rules
from stall_monitor.store import open_store


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The store with the tracking tables: a SQLite file, then a private PostgreSQL schema."""
    store = open_store(db_url)
    yield store
    store.dispose()


@pytest.fixture
def rules() -> Rules:
    return default_rules()

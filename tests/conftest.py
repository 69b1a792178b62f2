"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

# The PostgreSQL server every development and CI machine runs (trust auth, database `test`).
POSTGRES_URL = os.environ.get("WAYBILL_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# CI sets this: there a missing PostgreSQL server fails the run instead of skipping its tests.
REQUIRE_POSTGRES = os.environ.get("WAYBILL_REQUIRE_POSTGRES") == "1"


def postgres_admin() -> sa.Engine:
    """An engine on the test server; skips the test when none answers (a laptop), fails in CI."""
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"no PostgreSQL server answers at {POSTGRES_URL} ({type(error.orig).__name__})"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason}, and WAYBILL_REQUIRE_POSTGRES=1 forbids skipping")
        pytest.skip(f"{reason}; set WAYBILL_TEST_POSTGRES to test the PostgreSQL store")
    return admin


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, then a private schema on the local PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "waybill.db")
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = postgres_admin()
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_default_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real store: the default database lives in the test's tmp dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("WAYBILL_DB", raising=False)


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Caches (the font metrics) go to one folder of the session, outside every test's tmp dir and the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite the golden files under tests/golden instead of comparing"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messages in English whatever the machine's locale; a test of the Chinese asks for it."""
    from waybill.i18n import set_language

    monkeypatch.setenv("WAYBILL_LANG", "en")
    set_language("en")
    yield
    set_language("en")

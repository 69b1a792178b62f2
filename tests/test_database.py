from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from waybill.database import database_url, ensure_schema, open_database, schema_version
from waybill.errors import DatabaseError
from waybill.store_location import redacted

_meta = sa.MetaData()
_things = sa.Table("things", _meta, sa.Column("id", sa.Integer, primary_key=True))


def _create_things(connection: Connection) -> None:
    _meta.create_all(connection, tables=[_things])


def _add_name(connection: Connection) -> None:
    connection.execute(sa.text("ALTER TABLE things ADD COLUMN name VARCHAR(20)"))


def test_an_older_database_upgrades_in_place(db_url: str) -> None:
    engine = open_database(db_url)
    ensure_schema(engine, "things", [_create_things])
    with engine.begin() as connection:
        connection.execute(_things.insert().values(id=1))
    assert schema_version(engine, "things") == 1

    ensure_schema(engine, "things", [_create_things, _add_name])
    ensure_schema(engine, "things", [_create_things, _add_name])  # idempotent

    assert schema_version(engine, "things") == 2
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, name FROM things")).all()
    assert [tuple(r) for r in rows] == [(1, None)]


def test_a_newer_database_is_refused(db_url: str) -> None:
    engine = open_database(db_url)
    ensure_schema(engine, "things", [_create_things, _add_name])
    with pytest.raises(DatabaseError, match="newer than this waybill"):
        ensure_schema(engine, "things", [_create_things])


def test_paths_become_sqlite_urls_and_postgres_gets_psycopg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert database_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("WAYBILL_DB", str(tmp_path / "env.db"))
    assert database_url(None).endswith("env.db")


def test_an_unreachable_server_is_a_one_line_error() -> None:
    with pytest.raises(DatabaseError, match="cannot open database"):
        open_database("postgresql://nobody@127.0.0.1:1/none")


@pytest.mark.parametrize(("required", "outcome"), [(None, "1 passed, 1 skipped"), ("1", "1 passed, 1 error")])
def test_without_a_postgresql_server_its_tests_skip_on_a_laptop_and_fail_in_ci(
    required: str | None, outcome: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WAYBILL_REQUIRE_POSTGRES"}
    env["WAYBILL_TEST_POSTGRES"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    if required:
        env["WAYBILL_REQUIRE_POSTGRES"] = required
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_a_newer_database_is_refused",
        ],
        cwd=Path(__file__).parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in run.stdout, run.stdout


def test_postgresql_without_its_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    with pytest.raises(DatabaseError, match=r"PostgreSQL needs psycopg: pip install 'waybill\[postgres\]'"):
        open_database("postgresql://u@127.0.0.1/db")


def test_threads_creating_the_same_tables_at_once_all_succeed(tmp_path: Path) -> None:
    url = str(tmp_path / "race.db")
    engines = [open_database(url) for _ in range(6)]
    start = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def upgrade(engine: sa.Engine) -> None:
        start.wait()
        try:
            ensure_schema(engine, "things", [_create_things, _add_name])
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=upgrade, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert schema_version(engines[0], "things") == 2


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://user:s3cr:et@db.example:5432/waybill",
        "postgresql+psycopg://user@db.example/waybill?options=-csearch_path%3Dx",
        "postgresql+psycopg://:pw@/waybill",
        "sqlite:////tmp/w.db",
    ],
)
def test_an_error_shows_a_url_with_its_password_hidden_as_sqlalchemy_hides_it(url: str) -> None:
    assert redacted(url) == sa.engine.make_url(url).render_as_string(hide_password=True)


def test_postgresql_sessions_read_times_in_utc_whatever_the_servers_zone() -> None:
    from datetime import UTC, datetime

    from tests.conftest import POSTGRES_URL, postgres_admin

    postgres_admin().dispose()  # skips on a laptop without the server, fails in CI
    shanghai = f"{POSTGRES_URL}?options=-cTimeZone%3DAsia/Shanghai"  # as a server or role set to Beijing time
    engine = open_database(shanghai)
    try:
        for _ in range(2):  # the second connection comes from the pool, after its check-in rollback
            with engine.connect() as connection:
                assert connection.execute(sa.text("SHOW TimeZone")).scalar_one() == "UTC"
                moment = connection.execute(sa.text("SELECT TIMESTAMPTZ '2024-03-07 10:00:00+08'")).scalar_one()
                assert moment == datetime(2024, 3, 7, 2, 0, tzinfo=UTC) and moment.tzinfo is UTC
                connection.rollback()
    finally:
        engine.dispose()

"""Who may read the store, and what a read-only command does when there is none (issue 9)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from printers.journal import Journal
from stall_monitor.store import open_store
from waybill.app.cli import main
from waybill.database import open_database
from waybill.errors import DatabaseError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "command",
    [["stall", "scan"], ["stall", "report"], ["stall", "report", "-f", "json"], ["jobs"], ["jobs", "3"]],
)
def test_a_read_only_command_on_a_missing_store_is_an_error_and_creates_none(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo" / "waybil.db"
    assert main([*command, "--db", str(db)]) == DatabaseError.exit_code
    captured = capsys.readouterr()
    assert captured.err == (
        f"waybill: error: no database at {db} (check --db or WAYBILL_DB); this command reads a store and creates none\n"
    )
    assert captured.out == ""
    assert not (tmp_path / "typo").exists()


def test_read_only_commands_read_an_existing_store(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(db_url).dispose()
    assert main(["stall", "scan", "--db", db_url, "--json"]) == 0
    assert capsys.readouterr().out == "[]\n"
    Journal(open_database(db_url)).engine.dispose()
    assert main(["jobs", "--db", db_url]) == 0
    assert capsys.readouterr().out == "no print jobs yet\n"


def test_the_default_store_is_not_created_by_a_read_only_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stall", "scan"]) == DatabaseError.exit_code  # conftest points XDG_DATA_HOME into tmp_path
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "xdg-data").exists()


def test_a_new_sqlite_store_and_its_folders_are_the_owners_only(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "waybill.db"
    engine = open_store(str(db))
    with engine.begin() as connection:  # a write, so that SQLite makes its -wal and -shm files
        connection.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
        assert {p.name for p in db.parent.iterdir()} >= {"waybill.db", "waybill.db-wal", "waybill.db-shm"}
        modes = {p.name: _mode(p) for p in db.parent.iterdir()}
    engine.dispose()
    assert set(modes.values()) == {0o600}
    assert (_mode(tmp_path / "new"), _mode(tmp_path / "new" / "deeper")) == (0o700, 0o700)


def test_an_existing_store_and_folder_keep_the_mode_their_owner_gave(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    open_database(str(db)).dispose()
    db.chmod(0o640)
    tmp_path.chmod(0o755)
    open_database(str(db)).dispose()
    assert (_mode(db), _mode(tmp_path)) == (0o640, 0o755)

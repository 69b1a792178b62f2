"""Outputs that cannot be written (issue 9): one line naming the path, exit code 12, no partial file."""

from __future__ import annotations

import os
import re
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP
from waybill.app.cli import main
from waybill.errors import OutputError


def render(fmt: str, output: Path) -> list[str]:
    return ["render", str(SAMPLE_ORDERS), "--shop", str(SAMPLE_SHOP), "-t", "100x180", "-f", fmt, "-o", str(output)]


def tree(folder: Path) -> list[str]:
    """What a run left in ``folder``, less the store (tests/conftest.py puts it under xdg-data; render keeps
    the numbers' bindings there when the shop names a number source)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.relative_to(folder).parts[0] != "xdg-data")


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    return err.removeprefix("waybill: error: ").rstrip("\n")


@pytest.mark.parametrize("fmt", ["pdf", "tspl", "escpos"])
def test_a_folder_where_the_file_must_go(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").mkdir()
    assert main(render(fmt, tmp_path / "out")) == OutputError.exit_code
    assert _error_line(capsys) == f"{tmp_path / 'out'} is a folder; give a file name"
    assert tree(tmp_path) == ["out"]


@pytest.mark.parametrize(("fmt", "name"), [("pdf", "labels.pdf"), ("png", "png"), ("tspl", "labels.prn")])
def test_a_path_under_a_file(tmp_path: Path, fmt: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    assert main(render(fmt, blocker / "sub" / name)) == OutputError.exit_code
    assert _error_line(capsys) == f"{blocker / 'sub' / name}: cannot write: {blocker} is a file, not a folder"
    assert tree(tmp_path) == ["notes.txt"] and blocker.read_text() == "mine"


def test_png_output_onto_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "labels").write_text("mine")
    assert main(render("png", tmp_path / "labels")) == OutputError.exit_code
    assert _error_line(capsys) == f"{tmp_path / 'labels'} exists and is not a folder (PNG output needs a folder)"


def _limit_file_size() -> None:
    # A file-size limit fails writes past 4 KiB as a full disk does, mid-file (EFBIG instead of ENOSPC).
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize(("fmt", "name"), [("pdf", "labels.pdf"), ("png", "png"), ("tspl", "labels.prn")])
def test_a_disk_that_fills_up_mid_file_leaves_nothing(tmp_path: Path, fmt: str, name: str) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "labels.pdf").write_bytes(b"yesterday's labels")
    # The orders carry their numbers and this shop names no number source, so the run needs no store: the
    # only file it writes is the output (a store's first write would pass the 4 KiB limit itself).
    shop = tmp_path / "shop.toml"
    shop.write_text(re.sub(r"\[carriers\.\w+\.numbers\][^[]*", "", SAMPLE_SHOP.read_text(encoding="utf-8")), "utf-8")
    command = render(fmt, tmp_path / "out" / name)
    command[command.index("--shop") + 1] = str(shop)
    result = subprocess.run(
        [sys.executable, "-m", "waybill", *command],
        preexec_fn=_limit_file_size,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
        check=False,
    )
    assert result.returncode == OutputError.exit_code, result.stderr
    assert result.stderr.startswith(f"waybill: error: {tmp_path / 'out'}/")
    assert result.stderr.endswith(": cannot write: File too large\n") and result.stderr.count("\n") == 1
    assert tree(tmp_path / "out") == ["labels.pdf"]  # no partial file, no staging folder, no empty png folder
    assert (tmp_path / "out" / "labels.pdf").read_bytes() == b"yesterday's labels"  # the old file is intact


def test_png_labels_are_the_owners_only(tmp_path: Path) -> None:
    assert main(render("png", tmp_path / "png")) == 0
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "png").iterdir()}
    assert modes == {0o600}


@pytest.mark.parametrize("fmt", ["pdf", "tspl"])
def test_single_file_outputs_are_the_owners_only(tmp_path: Path, fmt: str) -> None:
    assert main(render(fmt, tmp_path / "labels.out")) == 0
    assert stat.S_IMODE((tmp_path / "labels.out").stat().st_mode) == 0o600


def test_demo_onto_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo").write_text("mine")
    assert main(["demo", "-o", str(tmp_path / "demo")]) == OutputError.exit_code
    assert _error_line(capsys) == f"{tmp_path / 'demo'} is a file; the demo writes a folder (give -o a folder name)"
    assert tree(tmp_path) == ["demo"]


def test_demo_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo").write_text("mine")
    assert main(["demo", "-o", str(tmp_path / "demo" / "inside")]) == OutputError.exit_code
    assert (
        _error_line(capsys)
        == f"{tmp_path / 'demo' / 'inside'}: cannot write: {tmp_path / 'demo'} is a file, not a folder"
    )


@pytest.mark.parametrize("where", ["folder", "under a file"])
def test_the_stall_report_onto_a_folder_or_under_a_file(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "waybill.db"
    (tmp_path / "e.jsonl").write_text("")
    assert main(["stall", "ingest", "--db", str(db), "--events", str(tmp_path / "e.jsonl")]) == 0
    (tmp_path / "reports").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    output = tmp_path / "reports" if where == "folder" else tmp_path / "notes.txt" / "report.html"
    capsys.readouterr()
    assert main(["stall", "report", "--db", str(db), "-o", str(output)]) == OutputError.exit_code
    expected = (
        f"{output} is a folder; give a file name"
        if where == "folder"
        else f"{output}: cannot write: {tmp_path / 'notes.txt'} is a file, not a folder"
    )
    assert _error_line(capsys) == expected
    assert list((tmp_path / "reports").iterdir()) == []

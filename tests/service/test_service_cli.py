"""``waybill serve-print`` as a user runs it: a process that serves until SIGTERM, and its one-line errors."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.printers.test_pools import pool_file, simulators
from waybill.app.cli import main


def test_serve_print_serves_the_pool_until_sigterm(tmp_path: Path) -> None:
    with simulators({}) as sims:
        pool = pool_file(tmp_path, [sim.uri for sim in sims])
        command = [sys.executable, "-m", "waybill", "serve-print", "--pool", str(pool), "--port", "0"]
        with subprocess.Popen(
            [*command, "--db", str(tmp_path / "w.db")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as process:
            try:
                assert process.stdout is not None
                ready = process.stdout.readline()
                match = re.search(r"http://127\.0\.0\.1:(\d+)/", ready)
                assert match, ready
                with urllib.request.urlopen(f"http://127.0.0.1:{match[1]}/printers", timeout=30) as answer:
                    printers = json.loads(answer.read())
                process.send_signal(signal.SIGTERM)
                assert process.wait(60) == 0
            finally:
                if process.poll() is None:  # a failed assertion: do not wait on a process still serving
                    process.kill()
    assert ready.startswith("serving pool line-a on ")
    assert printers["pool"] == "line-a" and [p["state"] for p in printers["printers"]] == ["ready"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--template", "big"], "--template 'big': expected NAME=FILE"),
        (["--template", "big=/nowhere.toml"], "--template big: no file /nowhere.toml"),
        (["--pool-name", "line-z"], "no pool 'line-z' (pools: line-a)"),
    ],
)
def test_serve_print_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    pool = pool_file(tmp_path, ["tcp://127.0.0.1:9"])
    assert main(["serve-print", "--pool", str(pool), "--db", str(tmp_path / "w.db"), *extra]) != 0
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err

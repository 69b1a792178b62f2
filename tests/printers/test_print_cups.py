"""Printing to a CUPS queue (raw, through `lp`): the job only counts once lp has accepted it."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers.decode import decode
from printers.journal import Journal
from printers.profiles import get_profile
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, decoded_code128, labels_of, sample_orders
from waybill.app.cli import main
from waybill.database import open_database


def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """An `lp` on PATH: the outermost edge of the test, where CUPS would be."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    lp = folder / "lp"
    lp.write_text("#!/bin/sh\n" + body)
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")


def print_to_cups(db: str, *extra: str, profile: str = "tspl-203") -> int:
    return main(
        [
            "print",
            str(SAMPLE_ORDERS),
            "--shop",
            str(SAMPLE_SHOP),
            "-t",
            "100x180",
            "--printer",
            "cups://XP",
            "--profile",
            profile,
            "--db",
            db,
            *extra,
        ]
    )


@pytest.mark.parametrize("profile", ["tspl-203", "zpl-203"])
def test_a_cups_job_sends_every_label_and_marks_them_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    job = tmp_path / "job.prn"
    fake_lp(tmp_path, monkeypatch, f'cat > {job}\necho "request id is XP-1 (1 file(s))"\n')
    db = str(tmp_path / "w.db")

    assert print_to_cups(db, profile=profile) == 0

    total = sum(len(labels_of(order, "100x180")) for order in sample_orders())
    summary = Journal(open_database(db)).job(1)
    assert (summary.status, summary.counts["sent"], summary.counts["printed"]) == ("done", total, 0)
    decoded = decode(job.read_bytes(), profile=get_profile(profile)).labels
    assert len(decoded) == total
    assert decoded_code128(decoded[0].image)[0] == sample_orders()[0].waybill_no


def test_a_queue_that_refuses_the_job_leaves_every_label_uncertain_for_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_lp(tmp_path, monkeypatch, 'cat > /dev/null\necho "lp: Destination XP is not accepting jobs." >&2\nexit 1\n')
    db = str(tmp_path / "w.db")

    assert print_to_cups(db) == 6

    assert "not accepting jobs" in capsys.readouterr().err
    summary = Journal(open_database(db)).job(1)
    assert summary.status == "stopped"
    assert summary.counts["uncertain"] == summary.total and summary.counts["sent"] == 0

    fake_lp(tmp_path, monkeypatch, f"cat > {tmp_path / 'again.prn'}\n")
    assert main(["print", "--resume", "1", "--db", db]) == 0
    summary = Journal(open_database(db)).job(1)
    assert summary.counts["sent"] == summary.total
    assert summary.reprints == summary.total

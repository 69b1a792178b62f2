"""An error message never echoes a full phone number from the input (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stall_monitor.samples import write_jsonl as write_events
from tests.waybill.test_orders import RECIPIENT, order, write_jsonl
from waybill.app.cli import main
from waybill.errors import Problem
from waybill.privacy import mask_phones

FULL_MOBILE = re.compile(r"1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812341234", "138****1234"),
        ("call +86 138 1234 1234 now", "call 138****1234 now"),
        ("0571-86001234 or 010 12345678", "****-****1234 or *** ****5678"),
        ("SF1000731000000 1100731942561 78000731418916", "SF1000731000000 1100731942561 78000731418916"),
        ("2026-11-29 14:00:00+08:00", "2026-11-29 14:00:00+08:00"),
    ],
)
def test_mask_phones_masks_phone_numbers_and_leaves_waybill_numbers_and_times(text: str, masked: str) -> None:
    assert mask_phones(text) == masked


def test_a_bad_phone_is_named_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = order(recipient={**RECIPIENT, "phone": "13812341234 ext. 5"})
    typo = order("TB2", "SF1000000002", **{"13998765432": "a phone pasted as a key"})
    path = write_jsonl(tmp_path / "orders.jsonl", [bad, typo])
    assert main(["render", str(path), "-t", "100x180", "-f", "pdf", "-o", str(tmp_path / "l.pdf")]) == 3
    err = capsys.readouterr().err
    assert "recipient.phone: '********234 ext. 5' is not a phone number" in err  # all but its last 4 digits
    assert "139****5432: unknown field" in err
    assert not FULL_MOBILE.search(err), err


def test_a_tracking_problem_echoing_a_phone_shows_it_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A CSV exported with shifted columns puts a buyer's phone where the time goes.
    path = write_events(tmp_path / "e.jsonl", [{"waybill_no": "SF1", "time": "13812341234", "status": "delivered"}])
    assert main(["stall", "ingest", "--db", str(tmp_path / "w.db"), "--events", str(path)]) == 10
    err = capsys.readouterr().err
    assert f"rejected: {path}:1: time: '138****1234' is not an ISO 8601 time" in err
    assert not FULL_MOBILE.search(err), err


def test_every_problem_masks_what_it_echoes() -> None:
    problem = Problem("orders.csv", 3, "remark", "'请打13812341234' is too long")
    assert str(problem) == "orders.csv:3: remark: '请打138****1234' is too long"
    assert problem.message == "'请打13812341234' is too long"  # the value itself is kept for code that needs it

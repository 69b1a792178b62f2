"""`waybill station --verify` against the simulator: the label prints once, right after the last unit;
refusals, set-aside and forced orders are recorded; the station reads a pipe exactly as a scanner types."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from printers.journal import Journal
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from printers.verification_log import figures, pack_events
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, decoded_code128, sample_orders
from waybill.app.cli import main
from waybill.database import open_database
from waybill.samples import sample_path

CATALOG = sample_path("catalog.csv")
FIRST = sample_orders()[0]  # MUG-350-WH ×1 (A-2-03), TOWEL-70 ×3 (B-10-01, no barcode), BOX-L ×2 (D-3-02)
SECOND = sample_orders()[1]  # SHEET-15 ×2
MUG, BOX, BOX_CARTON, SHEET = "6923450000076", "6923450000014", "BOXL-CARTON-6", "6923450000090"
FIRST_COMPLETE = [FIRST.order_id, MUG, BOX, "+", "+", BOX_CARTON, "+"]


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator("escpos", get_profile("escpos-4inch"), speed_mm_s=5000) as simulator:
        yield simulator


class Scanner:
    """Standard input as a scanner fills it, one code a line; ``before_last`` runs before the last line."""

    def __init__(self, lines: list[str], before_last: Callable[[], None] = lambda: None) -> None:
        self.lines = lines
        self.before_last = before_last

    def __iter__(self) -> Iterator[str]:
        for index, line in enumerate(self.lines):
            if index == len(self.lines) - 1:
                self.before_last()
            yield line + "\n"

    def isatty(self) -> bool:
        return False


def station_args(sim: PrinterSimulator, db: str, *extra: str) -> list[str]:
    return [
        "station",
        "--verify",
        "--orders",
        str(SAMPLE_ORDERS),
        "--catalog",
        str(CATALOG),
        "--printer",
        sim.uri,
        "--profile",
        "escpos-4inch",
        "--shop",
        str(SAMPLE_SHOP),
        "--db",
        db,
        "--station-name",
        "bench-3",
        *extra,
    ]


def printed(sim: PrinterSimulator) -> list[str]:
    assert sim.wait_idle(timeout=20)
    return [decoded_code128(label.image)[0] for label in sim.labels]


def test_a_complete_order_prints_exactly_once_right_after_its_last_unit(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.db")

    def nothing_printed_yet() -> None:
        assert printed(sim) == []
        assert Journal(open_database(db)).labels_of_waybill(FIRST.waybill_no) == []

    monkeypatch.setattr("sys.stdin", Scanner(FIRST_COMPLETE, before_last=nothing_printed_yet))
    assert main(station_args(sim, db)) == 0

    assert printed(sim) == [FIRST.waybill_no]
    journal = Journal(open_database(db))
    [label] = journal.labels_of_waybill(FIRST.waybill_no)
    assert (label.state, label.attempts) == ("printed", 1)
    [verified] = pack_events(journal.engine)
    assert (verified.kind, verified.order_id, verified.station, verified.units, verified.by_hand) == (
        "verified",
        FIRST.order_id,
        "bench-3",
        6,
        3,
    )
    assert verified.job_id == label.job_id
    out = capsys.readouterr().out
    assert "6 of 6 unit(s) to scan" in out
    assert f"all 6 unit(s) verified → {FIRST.waybill_no}: printed 1 label(s)" in out
    assert "verification: 1 verified, 0 forced, 0 set aside incomplete, 0 refused" in out


def test_wrong_product_misread_over_scan_switching_and_forcing_are_all_recorded(
    sim: PrinterSimulator, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_url
    lines = [
        FIRST.waybill_no,
        SHEET,  # another product: not in this order
        "6923450000077",  # MUG with a wrong check digit: a misread
        MUG,
        MUG,  # one more than ordered
        SECOND.order_id,  # sets FIRST aside, incomplete
        SHEET,
        "SUPERVISOR-OK",  # prints SECOND one sheet short, on purpose
        FIRST.order_id,  # resumes FIRST with its mug counted
        BOX,
        BOX_CARTON,
        "+",
        "+",
        "+",
        "+",  # FIRST is complete and printed: no order is open now
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))

    assert main(station_args(sim, db, "--force-code", "SUPERVISOR-OK")) == 0

    assert printed(sim) == [SECOND.waybill_no, FIRST.waybill_no]
    engine = open_database(db)
    events = [(e.kind, e.order_id, e.code, e.reason, e.missing) for e in pack_events(engine)]
    assert events == [
        ("refused", FIRST.order_id, SHEET, "not in this order", ()),
        ("refused", FIRST.order_id, "6923450000077", "misread", ()),
        ("refused", FIRST.order_id, MUG, "more than ordered", ()),
        ("incomplete", FIRST.order_id, "", "", (("TOWEL-70", "纯棉浴巾", 3), ("BOX-L", "收纳箱", 2))),
        ("forced", SECOND.order_id, "SUPERVISOR-OK", "", (("SHEET-15", "全棉四件套", 1),)),
        ("verified", FIRST.order_id, "", "", ()),
        ("refused", None, "+", "no order open", ()),
    ]
    assert figures(engine) == figures(engine, job_id=1)
    assert figures(engine).refusals == {
        "misread": 1,
        "more than ordered": 1,
        "no order open": 1,
        "not in this order": 1,
    }
    out = capsys.readouterr().out
    assert (
        f"\aREFUSED '{SHEET}': not in this order (order {FIRST.order_id}) — the catalog has it as SKU SHEET-15" in out
    )
    assert "\aREFUSED '6923450000077': misread" in out and "check digit should be 6, not 7" in out
    assert "\033[" not in out  # no colour when stdout is not a terminal
    assert f"{FIRST.order_id} set aside incomplete, 5 unit(s) missing: TOWEL-70 ×3 (+), BOX-L ×2" in out
    assert "FORCED by the supervisor with 1 unit(s) missing: SHEET-15 ×1 (recorded)" in out

    assert main(["jobs", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "pack verification: 1 order(s) verified, 1 set aside incomplete, 1 forced" in listing
    assert main(["jobs", "1", "--db", db]) == 0
    detail = capsys.readouterr().out
    assert "(station bench-3)" in detail
    assert f"{SECOND.order_id}   forced by the supervisor, missing SHEET-15 ×1" in detail
    assert f"refused '{MUG}': more than ordered — MUG-350-WH: 1 ordered, all counted" in detail


def test_a_verified_order_scanned_again_asks_before_a_recorded_reprint(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*FIRST_COMPLETE, FIRST.waybill_no, "y"]) + "\n"))

    assert main(station_args(sim, db)) == 0

    assert printed(sim) == [FIRST.waybill_no, FIRST.waybill_no]
    assert "was already printed" in capsys.readouterr().err
    attempts = Journal(open_database(db)).attempts_of(1)
    assert [(reprint, reason) for _, reprint, reason in attempts] == [(False, "station"), (True, "station")]


def test_an_order_left_open_at_the_end_is_not_printed_and_recorded_incomplete(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "w.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(FIRST_COMPLETE[:-1]) + "\n"))

    assert main(station_args(sim, db)) == 0

    assert printed(sim) == []
    [event] = pack_events(open_database(db))
    assert (event.kind, event.missing) == ("incomplete", (("TOWEL-70", "纯棉浴巾", 1),))


def test_the_station_reads_a_pipe_as_a_scanner_types(sim: PrinterSimulator, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    process = subprocess.Popen(
        [sys.executable, "-m", "waybill", *station_args(sim, db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert process.stdin is not None
    # A scanner in keyboard mode: each code's characters, then its suffix (here CR LF), one code at a time.
    for code in [*FIRST_COMPLETE[:3], "6923450000015", *FIRST_COMPLETE[3:]]:
        process.stdin.write(code.encode() + b"\r\n")
        process.stdin.flush()
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err.decode()
    assert printed(sim) == [FIRST.waybill_no]
    text = out.decode()
    assert "\aREFUSED '6923450000015': misread" in text and "\033[" not in text
    kinds = [(e.kind, e.reason) for e in pack_events(open_database(db))]
    assert kinds == [("refused", "misread"), ("verified", "")]


def test_refusals_are_red_when_stdout_is_a_terminal(sim: PrinterSimulator, tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "waybill", *station_args(sim, str(tmp_path / "w.db"))],
        stdin=subprocess.PIPE,
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    os.close(terminal)
    process.communicate(f"{FIRST.order_id}\n6923450000090\n".encode(), timeout=60)
    output = b""
    while select.select([controller], [], [], 0)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other end is closed: everything was read
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.returncode == 0
    assert b"\a\x1b[1;31mREFUSED '6923450000090': not in this order" in output


def test_station_option_mistakes_are_one_line_errors(
    sim: PrinterSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.db")
    plain = [a for a in station_args(sim, db) if a != "--verify"]
    assert main([*plain, "--force-code", "X"]) == 2
    assert "--force-code is for --verify stations" in capsys.readouterr().err
    assert main(station_args(sim, db, "--force-code", FIRST.order_id)) == 2
    assert "is an order's code" in capsys.readouterr().err
    bad = tmp_path / "catalog.csv"
    bad.write_text("sku,barcode\nMUG,6923450000077\n", encoding="utf-8")
    args = station_args(sim, db)
    args[args.index(str(CATALOG))] = str(bad)
    assert main(args) == 3
    assert f"{bad}:2: barcode: '6923450000077': EAN-13 check digit should be 6, not 7" in capsys.readouterr().err

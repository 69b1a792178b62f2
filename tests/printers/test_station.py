"""The print station and `waybill reprint` / `waybill jobs` against the simulator."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.journal import Journal
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, decoded_code128, labels_of, long_order, sample_orders
from waybill.app.cli import main
from waybill.database import open_database


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator("escpos", get_profile("escpos-4inch"), speed_mm_s=5000) as simulator:
        yield simulator


def station(sim: PrinterSimulator, db: str, lines: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    return main(
        ["station", "--printer", sim.uri, "--profile", "escpos-4inch", "--shop", str(SAMPLE_SHOP), "--db", db, *extra]
    )


def scanned(sim: PrinterSimulator) -> list[str]:
    assert sim.wait_idle(timeout=20)
    return [decoded_code128(label.image)[0] for label in sim.labels]


def test_each_scan_prints_that_order_at_once_and_unknown_codes_do_not_stop_the_station(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, long = sample_orders()[0], sample_orders()[3], long_order()
    lines = f"{first.order_id}\nNO-SUCH-CODE\n{second.waybill_no.lower()}\n{long.waybill_no}\n"

    assert station(sim, str(tmp_path / "w.db"), lines, monkeypatch, "--orders", str(SAMPLE_ORDERS)) == 0

    out = capsys.readouterr().out
    assert "unknown code 'NO-SUCH-CODE'" in out
    assert scanned(sim) == [first.waybill_no, second.waybill_no, long.waybill_no, long.waybill_no]
    assert "4 printed, 0 reprinted, 1 unknown" in out


def test_a_second_scan_asks_before_reprinting_and_records_the_reprint(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    order = sample_orders()[0]
    db = str(tmp_path / "w.db")
    lines = f"{order.order_id}\n{order.order_id}\nn\n{order.waybill_no}\ny\n"

    assert station(sim, db, lines, monkeypatch, "--orders", str(SAMPLE_ORDERS)) == 0

    assert scanned(sim) == [order.waybill_no, order.waybill_no]
    assert "was already printed" in capsys.readouterr().err
    attempts = Journal(open_database(db)).attempts_of(1)
    assert [(reprint, reason) for _, reprint, reason in attempts] == [(False, "station"), (True, "station")]


def test_without_an_orders_file_codes_are_found_in_earlier_jobs(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "w.db")
    assert (
        main(
            [
                "print",
                str(SAMPLE_ORDERS),
                "--shop",
                str(SAMPLE_SHOP),
                "--printer",
                sim.uri,
                "--profile",
                "escpos-4inch",
                "--db",
                db,
            ]
        )
        == 0
    )
    printed_before = len(scanned(sim))
    order = sample_orders()[5]

    assert station(sim, db, f"{order.order_id}\ny\n", monkeypatch) == 0

    assert scanned(sim)[printed_before:] == [order.waybill_no]
    journal = Journal(open_database(db))
    assert journal.job(1).reprints == 1  # the batch job's label, printed again from the station


def test_reprint_prints_one_waybill_again_and_jobs_lists_it(
    sim: PrinterSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.db")
    assert (
        main(
            [
                "print",
                str(SAMPLE_ORDERS),
                "--shop",
                str(SAMPLE_SHOP),
                "--printer",
                sim.uri,
                "--profile",
                "escpos-4inch",
                "--db",
                db,
            ]
        )
        == 0
    )
    before = len(scanned(sim))
    long = long_order()

    assert main(["reprint", long.waybill_no, "--db", db]) == 0

    assert scanned(sim)[before:] == [long.waybill_no, long.waybill_no]
    assert main(["jobs", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "reprinted 2 label(s)" in out
    job_line = next(line for line in out.splitlines() if line.strip().startswith("1 "))
    total = str(sum(len(labels_of(order, "100x180")) for order in sample_orders()))
    assert job_line.split()[5:11] == [total, total, "0", "0", "0", "2"]

    assert main(["jobs", "1", "--db", db]) == 0
    detail = capsys.readouterr().out
    assert "job 1 (batch, done)" in detail and f"{total} printed" in detail
    assert "reprints (补打), 2:" in detail
    assert f"{long.waybill_no} label 2/2: waybill reprint" in detail


def test_reprint_of_an_unknown_waybill_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.db"
    assert main(["reprint", "SF0000000000", "--db", str(db)]) == 9  # no store: nothing was ever printed there
    assert "no database at" in capsys.readouterr().err and not db.exists()
    open_database(str(db)).dispose()
    assert main(["reprint", "SF0000000000", "--db", str(db)]) == 8
    assert "was never printed" in capsys.readouterr().err


def test_a_scan_where_the_reprint_answer_belongs_is_the_next_parcel_not_a_no(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = sample_orders()[0], sample_orders()[1]
    lines = f"{first.order_id}\n{first.order_id}\n{second.order_id}\n{first.waybill_no}\n是\n"

    assert station(sim, str(tmp_path / "w.db"), lines, monkeypatch, "--orders", str(SAMPLE_ORDERS)) == 0

    out = capsys.readouterr().out
    assert f"{first.waybill_no}: not reprinted" in out
    assert f"{second.waybill_no}: printed 1 label(s)" in out
    assert scanned(sim) == [first.waybill_no, second.waybill_no, first.waybill_no]
    assert "2 printed, 1 reprinted, 0 unknown" in out


def test_a_station_reprint_of_another_jobs_label_leaves_that_job_as_it_was(
    sim: PrinterSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "w.db")
    order = sample_orders()[2]
    assert station(sim, db, f"{order.order_id}\n", monkeypatch, "--orders", str(SAMPLE_ORDERS)) == 0
    assert Journal(open_database(db)).job(1).status == "done"

    assert station(sim, db, f"{order.waybill_no}\ny\n", monkeypatch) == 0

    journal = Journal(open_database(db))
    assert journal.job(1).status == "done" and journal.job(1).owner is None
    assert [(reprint, reason) for _, reprint, reason in journal.attempts_of(1)] == [
        (False, "station"),
        (True, "station"),
    ]
    assert scanned(sim) == [order.waybill_no, order.waybill_no]

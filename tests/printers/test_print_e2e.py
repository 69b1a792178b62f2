"""`waybill print` end to end against the printer simulator, over loopback TCP and a pseudo-terminal.

In every case the labels the simulator printed cover every waybill, and the only duplicates are labels the
journal records as reprints (补打).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Unpack

import pytest

from printers.decode import decode
from printers.journal import Journal
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from tests.printers.faults import Faults
from tests.waybill.labels import SAMPLE_ORDERS, SAMPLE_SHOP, decoded_code128, labels_of, sample_orders
from waybill.app.cli import main
from waybill.database import open_database

FAST = 3000.0  # mm/s: a 100 x 180 label in 0.06 s, so the tests stay quick
PROFILE = {"escpos": "escpos-4inch", "tspl": "tspl-203", "zpl": "zpl-203"}


def expected_pages() -> Counter[str]:
    return Counter({order.waybill_no: len(labels_of(order, "100x180")) for order in sample_orders()})


def printed_waybills(sim: PrinterSimulator) -> Counter[str]:
    counts: Counter[str] = Counter()
    for label in sim.labels:
        codes = set(decoded_code128(label.image))
        assert len(codes) == 1, f"label {label.index} does not scan to one waybill: {codes}"
        counts[codes.pop()] += 1
    return counts


def reprints_by_waybill(db: str, job_id: int = 1) -> Counter[str]:
    journal = Journal(open_database(db))
    return Counter(label.waybill_no for label, reprint, _ in journal.attempts_of(job_id) if reprint)


def assert_complete_with_only_recorded_duplicates(sim: PrinterSimulator, db: str) -> None:
    assert sim.wait_idle(timeout=30)
    printed, expected, reprints = printed_waybills(sim), expected_pages(), reprints_by_waybill(db)
    for waybill, pages in expected.items():
        assert printed[waybill] >= pages, f"{waybill} printed {printed[waybill]} of {pages} label(s)"
        assert printed[waybill] - pages <= reprints[waybill], f"{waybill}: a duplicate not recorded as reprint"
    assert set(printed) == set(expected)
    summary = Journal(open_database(db)).job(1)
    assert summary.status == "done"
    assert summary.counts["printed"] == sum(expected.values())


def print_args(uri: str, db: str, language: str, *extra: str) -> list[str]:
    return [
        "print",
        str(SAMPLE_ORDERS),
        "--shop",
        str(SAMPLE_SHOP),
        "-t",
        "100x180",
        "--printer",
        uri,
        "--profile",
        PROFILE[language],
        "--db",
        db,
        *extra,
    ]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "waybill.db")


@pytest.fixture(params=["tcp", "serial"])
def link(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def simulator(language: str, link: str, **faults: Unpack[Faults]) -> PrinterSimulator:
    return PrinterSimulator(
        language, get_profile(PROFILE[language]), speed_mm_s=FAST, serial=link == "serial", **faults
    )


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_a_clean_batch(language: str, link: str, db: str) -> None:
    with simulator(language, link) as sim:
        assert main(print_args(sim.uri, db, language)) == 0
        assert_complete_with_only_recorded_duplicates(sim, db)
        assert reprints_by_waybill(db) == Counter()
        assert len(sim.labels) == sum(expected_pages().values())


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_paper_out_then_wait(language: str, link: str, db: str) -> None:
    with simulator(language, link, paper_out_after=5, paper_out_seconds=0.8) as sim:
        assert main(print_args(sim.uri, db, language, "--on-fault", "wait")) == 0
        assert_complete_with_only_recorded_duplicates(sim, db)
        assert any(event.kind == "paper-out" for event in sim.events)


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_paper_out_then_stop_then_resume(language: str, link: str, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with simulator(language, link, paper_out_after=5, paper_out_seconds=0.5) as sim:
        assert main(print_args(sim.uri, db, language, "--on-fault", "stop")) == 7
        err = capsys.readouterr().err
        assert "paper out" in err and "waybill print --resume 1" in err
        assert Journal(open_database(db)).job(1).status == "stopped"
        assert sim.wait_event("paper-back", timeout=10)  # the roll is changed
        assert main(["print", "--resume", "1", "--db", db, "--on-fault", "stop"]) == 0
        assert_complete_with_only_recorded_duplicates(sim, db)


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_a_dropped_connection_then_resume(language: str, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with simulator(language, "tcp", drop_after=7) as sim:
        assert main(print_args(sim.uri, db, language)) == 6
        assert "closed the connection" in capsys.readouterr().err
        assert main(["print", "--resume", "1", "--db", db]) == 0
        assert_complete_with_only_recorded_duplicates(sim, db)


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_sigkill_of_the_printing_process_then_resume(language: str, link: str, db: str) -> None:
    with simulator(language, link) as sim:
        sim.speed_mm_s = 400.0  # slow enough to kill mid-batch: ~0.46 s a label
        command = [sys.executable, "-m", "waybill", *print_args(sim.uri, db, language, "--on-fault", "stop")]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert sim.wait_printed(4, timeout=60)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        sim.speed_mm_s = FAST
        assert main(["print", "--resume", "1", "--db", db]) == 0
        assert_complete_with_only_recorded_duplicates(sim, db)


@pytest.mark.parametrize("language", ["escpos", "tspl", "zpl"])
def test_something_that_is_not_a_printer_is_refused_before_a_job_exists(
    language: str, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong address often reaches a web server or a proxy; it must not be fed labels."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    answered = threading.Event()

    def answer_like_a_web_server() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(1024)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
            answered.wait(timeout=10)  # keep the connection open until waybill has judged the answer

    thread = threading.Thread(target=answer_like_a_web_server, daemon=True)
    thread.start()
    try:
        code = main(print_args(f"tcp://127.0.0.1:{port}", db, language))
    finally:
        answered.set()
        thread.join(timeout=5)
        server.close()
    assert code == 6
    name = {"escpos": "ESC/POS", "tspl": "TSPL", "zpl": "ZPL II"}[language]
    assert f"does not answer like a {name} printer: it sent b'HTTP/1.1 400" in capsys.readouterr().err
    assert Journal(open_database(db)).jobs() == []


def test_resume_of_a_job_still_printing_is_refused_with_its_holder(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with simulator("tspl", "tcp") as sim:
        sim.speed_mm_s = 400.0  # ~0.46 s a label: the first process is still printing when the second asks
        command = [sys.executable, "-m", "waybill", *print_args(sim.uri, db, "tspl", "--on-fault", "stop")]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert sim.wait_printed(2, timeout=60)
            assert main(["print", "--resume", "1", "--db", db]) == 8
            error = capsys.readouterr().err
            assert f"job 1 is being printed by {socket.gethostname()}:{process.pid}:" in error
            assert Journal(open_database(db)).job(1).status == "running"
            sim.speed_mm_s = FAST
        finally:
            process.wait(timeout=120)
        assert process.returncode == 0
        assert_complete_with_only_recorded_duplicates(sim, db)
        assert reprints_by_waybill(db) == Counter()
        assert len(sim.labels) == sum(expected_pages().values())


def test_the_same_orders_again_stop_before_a_byte_unless_told(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with simulator("escpos", "tcp") as sim:
        assert main(print_args(sim.uri, db, "escpos")) == 0
        assert sim.wait_idle(timeout=30)
        first_run = len(sim.labels)
        capsys.readouterr()

        assert main(print_args(sim.uri, db, "escpos")) == 8
        error = capsys.readouterr().err
        assert f"{len(expected_pages())} waybill(s) were printed before" in error and "nothing was sent" in error
        assert "(job 1)" in error
        assert sim.wait_idle(timeout=30) and len(sim.labels) == first_run
        assert [job.id for job in Journal(open_database(db)).jobs()] == [1]

        assert main(print_args(sim.uri, db, "escpos", "--skip-printed")) == 0
        assert "nothing to print: every waybill was printed before" in capsys.readouterr().out
        assert sim.wait_idle(timeout=30) and len(sim.labels) == first_run

        assert main(print_args(sim.uri, db, "escpos", "--reprint")) == 0
        assert sim.wait_idle(timeout=30) and len(sim.labels) == 2 * first_run
        journal = Journal(open_database(db))
        second = journal.jobs()[0]
        attempts = journal.attempts_of(second.id)
        assert len(attempts) == first_run
        assert {(reprint, reason) for _, reprint, reason in attempts} == {(True, "manual")}
        assert second.reprints == first_run


def test_skip_printed_prints_only_the_new_orders(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE_ORDERS.read_text(encoding="utf-8").splitlines()
    head = tmp_path / "head.jsonl"
    head.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    with simulator("escpos", "tcp") as sim:
        head_args = print_args(sim.uri, db, "escpos")
        head_args[1] = str(head)
        assert main(head_args) == 0
        assert sim.wait_idle(timeout=30)
        printed_first = Counter(printed_waybills(sim))

        assert main(print_args(sim.uri, db, "escpos", "--skip-printed")) == 0
        assert "3 waybill(s) printed before, left out" in capsys.readouterr().err
        assert sim.wait_idle(timeout=30)
        assert printed_waybills(sim) == expected_pages()  # each waybill exactly once over both runs
        assert set(printed_first) <= set(expected_pages())


def test_zpl_to_a_file_sends_every_label(tmp_path: Path, db: str) -> None:
    """A device file (file:///dev/usb/lp0) reads nothing back: the labels are sent, and decode."""
    target = tmp_path / "lp0"
    target.touch()
    assert main(print_args(f"file://{target}", db, "zpl")) == 0
    summary = Journal(open_database(db)).job(1)
    assert (summary.status, summary.counts["sent"]) == ("done", sum(expected_pages().values()))
    labels = decode(target.read_bytes(), profile=get_profile("zpl-203")).labels
    assert Counter(code for label in labels for code in set(decoded_code128(label.image))) == expected_pages()

"""Printer pools end to end, against printer simulators over loopback TCP.

What each printer printed is read back from the simulator: the waybill by decoding the barcode (zxing), the
batch serial by matching the printed label dot for dot against the label rendered with that serial.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from printers.decode import crop_label
from printers.encode import encode_for_session
from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.pool_file import load_pool_file
from printers.pool_store import PoolStore
from printers.pools import Pool, PoolJob
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from tests.printers.faults import Faults
from tests.printers.test_print_e2e import printed_waybills
from tests.waybill.labels import SAMPLE_SHOP, decoded_code128, labels_of, sample_orders
from waybill.app.cli import main
from waybill.database import open_database
from waybill.layout.label import Label
from waybill.render.raster import rasterize

FAST = 3000.0  # mm/s: a 100 x 180 label in 0.06 s
PROFILE = get_profile("tspl-203")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(str(tmp_path / "waybill.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def any_engine(db_url: str) -> Iterator[sa.Engine]:
    """The store on SQLite, then on PostgreSQL: three printers' threads write to it at once."""
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@contextmanager
def simulators(*faults: Faults, language: str = "tspl") -> Iterator[list[PrinterSimulator]]:
    """TSPL printers by default (their labels are compared dot for dot); one fault dict each."""
    with ExitStack() as stack:
        yield [stack.enter_context(PrinterSimulator(language, speed_mm_s=FAST, **fault)) for fault in faults]


def pool_file(tmp_path: Path, uris: list[str], profiles: list[str] | None = None) -> Path:
    lines = []
    for n, (uri, profile) in enumerate(zip(uris, profiles or ["tspl-203"] * len(uris), strict=True), start=1):
        line = "AB"[n % 2]
        lines += [f"[printers.p{n}]", f'uri = "{uri}"', f'profile = "{profile}"', f'line = "{line}"']
    names = ", ".join(f'"p{n}"' for n in range(1, len(uris) + 1))
    lines += ["[pools]", f"line-a = [{names}]"]
    path = tmp_path / "pool.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_pages() -> Counter[str]:
    return Counter({order.waybill_no: len(labels_of(order, "100x180")) for order in sample_orders()})


def serials_printed(sim: PrinterSimulator, engine: sa.Engine, job: PoolJob) -> list[int]:
    """The sequence numbers (SSS) of the batch serials on the labels ``sim`` printed, in print order: each
    printed label scans to its waybill and equals, dot for dot, one label of it rendered with its serial."""
    journal, store = Journal(engine), PoolStore(engine)
    runs = store.runs(job.id)
    label_job = JobSettings.from_json(journal.settings(runs[0].job_id)).label_job()
    rows = [row for run in runs for row in journal.labels_of_job(run.job_id)]
    serials = store.serials([row.id for row in rows])
    by_page = {(row.order_id, row.page): serials[row.id] for row in rows}
    label_job = replace(label_job, options=replace(label_job.options, batch_serials=by_page))
    rendered: dict[str, list[tuple[str, Label]]] = {}
    for order in sample_orders():
        for label in label_job.layout(order).labels:
            assert encode_for_session(rasterize(label), PROFILE).altered_dots == ()  # TSPL prints it as it is
            rendered.setdefault(order.waybill_no, []).append((by_page[order.order_id, label.page], label))
    found = []
    for printed in sim.labels:
        (waybill,) = set(decoded_code128(printed.image))
        matches = [
            serial
            for serial, label in rendered[waybill]
            if crop_label(printed, PROFILE, (label.width, label.height)).tobytes() == rasterize(label).tobytes()
        ]
        assert len(matches) == 1, f"label {printed.index} ({waybill}) matches {len(matches)} rendered labels"
        day, job_no, seq = matches[0].split("-")
        assert (day, int(job_no)) == (job.record.day, job.record.day_no)
        found.append(int(seq))
    return found


def reprints(engine: sa.Engine, job: PoolJob) -> Counter[str]:
    journal = Journal(engine)
    counts: Counter[str] = Counter()
    for run in PoolStore(engine).runs(job.id):
        counts.update(label.waybill_no for label, reprint, _ in journal.attempts_of(run.job_id) if reprint)
    return counts


def ascending_runs(values: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs


def test_a_job_splits_in_contiguous_runs_and_every_label_prints_once(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({}, {}, {}) as sims:
        spec = load_pool_file(pool_file(tmp_path, [sim.uri for sim in sims]))
        with Pool.from_file(spec, "line-a", engine, grace=5.0, poll=0.05) as pool:
            assert [view.state for view in pool.status()] == ["ready"] * 3
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert job.wait(timeout=120)
            status = job.status()
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    assert status.status == "done" and status.reprints == 0
    assert status.labels == status.printed == sum(expected_pages().values())
    assert [run.printer for run in status.runs] == ["p1", "p2", "p3"]
    assert all(run.from_job is None and run.counts["printed"] > 0 for run in status.runs)
    total = Counter[str]()
    sequences = []
    for sim in sims:
        total.update(printed_waybills(sim))
        sequences.append(serials_printed(sim, engine, job))
    assert total == expected_pages()  # every label once, nothing else
    assert [ascending_runs(sequence) for sequence in sequences] == [[sequence] for sequence in sequences]
    assert [n for sequence in sequences for n in sequence] == list(range(1, status.labels + 1))
    assert [status.printers[f"p{n}"]["printed"] for n in (1, 2, 3)] == [len(s) for s in sequences]


def test_a_printer_out_of_paper_past_the_grace_hands_its_share_to_the_others(
    tmp_path: Path, any_engine: sa.Engine
) -> None:
    engine = any_engine
    with simulators({"paper_out_after": 5, "paper_out_seconds": 4.0}, {}, {}) as sims:
        spec = load_pool_file(pool_file(tmp_path, [sim.uri for sim in sims]))
        with Pool.from_file(spec, "line-a", engine, grace=0.5, poll=0.05) as pool:
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert job.wait(timeout=120)
            status = job.status()
            views = {view.name: view for view in pool.status()}
            assert sims[0].wait_event("paper-back", timeout=30)  # the roll is changed: it prints what it held
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    assert views["p1"].faults == 1 and views["p2"].faults == views["p3"].faults == 0
    first, *rest = status.runs
    moved = [run for run in rest if run.from_job is not None]
    assert moved and {run.from_job for run in moved} == {status.runs[0].job}
    assert {run.printer for run in moved} <= {"p2", "p3"}
    assert first.counts["queued"] == first.counts["uncertain"] == 0  # what p1 had not printed left it
    assert status.status == "done" and status.printed == status.labels == sum(expected_pages().values())

    printed = Counter[str]()
    for sim in sims:
        printed.update(printed_waybills(sim))
    recorded = reprints(engine, job)
    for waybill, pages in expected_pages().items():
        assert printed[waybill] >= pages, f"{waybill} printed {printed[waybill]} of {pages} label(s)"
        assert printed[waybill] - pages <= recorded[waybill], f"{waybill}: a duplicate not recorded as reprint"
    assert set(printed) == set(expected_pages())
    assert sum(recorded.values()) == status.reprints

    for n, sim in enumerate(sims):
        runs_here = [run for run in status.runs if run.printer == f"p{n + 1}"]
        pile = ascending_runs(serials_printed(sim, engine, job))
        assert len(pile) <= len(runs_here), f"p{n + 1}: serials out of order within a run: {pile}"


def test_a_dropped_link_that_comes_back_within_the_grace_carries_on_on_the_same_printer(
    tmp_path: Path, engine: sa.Engine
) -> None:
    with simulators({}, {"drop_after": 4}, {}) as sims:
        spec = load_pool_file(pool_file(tmp_path, [sim.uri for sim in sims]))
        with Pool.from_file(spec, "line-a", engine, grace=30.0, poll=0.05) as pool:
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert job.wait(timeout=120)
            status = job.status()
            views = {view.name: view for view in pool.status()}
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    assert any(event.kind == "drop" for event in sims[1].events)
    assert views["p2"].faults == 1 and views["p2"].state == "ready"
    assert [run.printer for run in status.runs] == ["p1", "p2", "p3"]  # nothing moved
    assert status.status == "done" and status.printed == status.labels
    printed = Counter[str]()
    for sim in sims:
        printed.update(printed_waybills(sim))
    recorded = reprints(engine, job)
    for waybill, pages in expected_pages().items():
        assert pages <= printed[waybill] <= pages + recorded[waybill]


def test_an_unreachable_printer_takes_no_share_and_is_a_line_in_the_status(tmp_path: Path, engine: sa.Engine) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    dead = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    with simulators({}, {}, language="escpos") as sims:  # ESC/POS: labels confirmed by acknowledgements
        uris, profiles = [sims[0].uri, dead, sims[1].uri], ["escpos-4inch"] * 3
        spec = load_pool_file(pool_file(tmp_path, uris, profiles))
        with Pool.from_file(spec, "line-a", engine, grace=0.5, poll=0.05) as pool:
            views = {view.name: view for view in pool.status()}
            assert views["p2"].state == "down" and dead in views["p2"].detail
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert job.wait(timeout=120)
            status = job.status()
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    assert [run.printer for run in status.runs] == ["p1", "p3"]
    assert status.status == "done" and status.reprints == 0
    assert printed_waybills(sims[0]) + printed_waybills(sims[1]) == expected_pages()


def test_a_job_stopped_with_no_printer_to_take_it_resumes_on_another_pool(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({"paper_out_after": 3, "paper_out_seconds": 3600.0}, {}) as (empty, spare):
        first = load_pool_file(pool_file(tmp_path, [empty.uri]))
        with Pool.from_file(first, "line-a", engine, grace=0.2, poll=0.05) as pool:
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert empty.wait_event("paper-out", timeout=30)
            assert not job.wait(timeout=0.5)  # nowhere to move its labels: they wait
        assert job.status().status == "stopped"

        (tmp_path / "spare").mkdir()
        second = load_pool_file(pool_file(tmp_path / "spare", [spare.uri]))  # p1 is now the spare printer
        with Pool.from_file(second, "line-a", engine, grace=0.2, poll=0.05) as pool:
            resumed = pool.resume(job.id)
            assert resumed.wait(timeout=120)
            status = resumed.status()
        assert spare.wait_idle(timeout=30)
        printed = printed_waybills(empty) + printed_waybills(spare)  # the empty printer's buffer never prints
    assert status.status == "done" and status.printed == status.labels == sum(expected_pages().values())
    recorded = reprints(engine, job)
    for waybill, pages in expected_pages().items():
        assert pages <= printed[waybill] <= pages + recorded[waybill]
    assert recorded  # the labels in flight when the paper ran out printed again, recorded


def test_waybill_print_resume_of_a_pool_run_prints_its_batch_serials(tmp_path: Path, engine: sa.Engine) -> None:
    with simulators({"paper_out_after": 2, "paper_out_seconds": 3600.0}, {}) as (empty, spare):
        with Pool.from_file(load_pool_file(pool_file(tmp_path, [empty.uri])), "line-a", engine, poll=0.05) as pool:
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert empty.wait_event("paper-out", timeout=30)
        (run,) = PoolStore(engine).runs(job.id)
        db = str(tmp_path / "waybill.db")
        assert main(["print", "--resume", str(run.job_id), "--printer", spare.uri, "--db", db]) == 0
        assert spare.wait_idle(timeout=30)
        sequence = serials_printed(spare, engine, job)  # every label matches its render with its serial
    assert len(sequence) == len(spare.labels) > 0
    assert ascending_runs(sequence) == [sequence] and sequence[-1] == job.status().labels


def test_a_printer_whose_thread_dies_of_a_bug_hands_its_runs_over_at_once(
    tmp_path: Path, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with simulators({}, {}, {}) as sims:
        spec = load_pool_file(pool_file(tmp_path, [sim.uri for sim in sims]))
        with Pool.from_file(spec, "line-a", engine, grace=60.0, poll=0.05) as pool:
            broken = next(printer for printer in pool.printers if printer.name == "p1")

            def a_bug(job_id: int) -> None:
                raise RuntimeError(f"a bug while printing job {job_id}")

            monkeypatch.setattr(broken, "_print", a_bug)
            job = pool.submit(list(sample_orders()), "100x180", shop=SAMPLE_SHOP)
            assert job.wait(timeout=120)  # long before the 60 s grace: the dead thread does not wait for it
            status = job.status()
            views = {view.name: view for view in pool.status()}
        for sim in sims:
            assert sim.wait_idle(timeout=30)
    assert views["p1"].state == "down" and "stopped by an internal error" in views["p1"].detail
    assert "a bug while printing job" in views["p1"].detail
    assert status.status == "done" and status.printed == status.labels == sum(expected_pages().values())
    first, *rest = status.runs
    assert first.printer == "p1" and first.counts["printed"] == 0
    assert {run.from_job for run in rest if run.from_job is not None} == {first.job}
    total = Counter[str]()
    for sim in sims:
        total.update(printed_waybills(sim))
    assert total == expected_pages() and printed_waybills(sims[0]) == Counter()

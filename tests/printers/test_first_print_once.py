"""Two stations (or a station and a batch) that reach one new parcel at the same time print it once: the
first print of a waybill's page is checked and marked in one transaction, serialised per waybill."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from printers.errors import PrintedMeanwhileError
from printers.jobspec import JobSettings
from printers.journal import Journal, LabelRow, PlannedLabel
from printers.printing import check_printed_before, open_session, plan, start_batch
from printers.profiles import get_profile
from printers.simulator import PrinterSimulator
from printers.station import Station
from tests.printers.jobs import create_job, label_job
from tests.waybill.labels import SAMPLE_SHOP, decoded_code128, long_order, sample_orders
from waybill.database import open_database
from waybill.model import Order

PROFILE = get_profile("escpos-4inch")


@pytest.fixture
def printers() -> Iterator[tuple[PrinterSimulator, PrinterSimulator]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(PrinterSimulator("escpos", PROFILE, speed_mm_s=5000)),
            stack.enter_context(PrinterSimulator("escpos", PROFILE, speed_mm_s=5000)),
        )


def _station(db: str, sim: PrinterSimulator, stack: ExitStack) -> Station:
    job = label_job(PROFILE)
    settings = JobSettings.capture("100x180", Path(SAMPLE_SHOP), None, job.options, job.now)
    session = stack.enter_context(open_session(sim.uri, PROFILE))
    station = Station(Journal(open_database(db)), session, job, settings, {})
    stack.callback(station.close)
    return station


def _printed(sim: PrinterSimulator) -> list[str]:
    assert sim.wait_idle(timeout=20)
    return [decoded_code128(label.image)[0] for label in sim.labels]


def _appended(station: Station, order: Order) -> list[LabelRow]:
    """What ``print_order`` records before its first byte: the order's labels queued in the station's job."""
    station.orders[order.order_id] = order
    labels = station.label_job.layout(order).labels
    planned = [PlannedLabel(order.order_id, order.waybill_no, label.page, label.pages) for label in labels]
    return station.journal.append_labels(station.job_id, order, planned)


@pytest.mark.parametrize("order", [sample_orders()[0], long_order()], ids=["one page", "two pages"])
def test_the_station_that_comes_second_withdraws_its_labels_and_says_who_printed_it(
    db_url: str, printers: tuple[PrinterSimulator, PrinterSimulator], order: Order
) -> None:
    first_sim, second_sim = printers
    with ExitStack() as stack:
        first, second = _station(db_url, first_sim, stack), _station(db_url, second_sim, stack)
        # Both stations scanned the parcel: the second one's labels are queued when the first one prints.
        late = _appended(second, order)
        assert first.scan(order.waybill_no, lambda *_: False).startswith(f"{order.waybill_no}: printed")
        result = second.runner.run(late)

        assert result.withdrawn == {order.waybill_no: first.job_id} and result.sent == 0
        pages = len(first.label_job.layout(order).labels)
        assert _printed(first_sim) == [order.waybill_no] * pages and _printed(second_sim) == []
        # Nothing of the parcel is left queued in the second station's job, and a later scan there is a reprint.
        assert second.journal.pending(second.job_id) == []
        asked: list[list[LabelRow]] = []

        def decline(_order: Order, earlier: list[LabelRow]) -> bool:
            asked.append(earlier)
            return False

        assert second.scan(order.waybill_no, decline) == f"{order.waybill_no}: not reprinted"
        assert [row.job_id for row in asked[0]] == [first.job_id] * pages


def test_a_scan_that_loses_the_race_tells_the_packer(
    db_url: str, printers: tuple[PrinterSimulator, PrinterSimulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = sample_orders()[1]
    first_sim, second_sim = printers
    with ExitStack() as stack:
        first, second = _station(db_url, first_sim, stack), _station(db_url, second_sim, stack)
        real_append = second.journal.append_labels

        def append_then_the_other_station_prints(*args: object, **kwargs: object) -> list[LabelRow]:
            rows = real_append(*args, **kwargs)  # type: ignore[arg-type]
            first.scan(order.waybill_no, lambda *_: False)
            return rows

        monkeypatch.setattr(second.journal, "append_labels", append_then_the_other_station_prints)
        second.orders[order.order_id] = order
        line = second.print_order(order)

        said = (
            f"{order.waybill_no}: printed meanwhile by job {first.job_id} (another station); scan it again to reprint"
        )
        assert line == said
        assert second.stats.printed == 0 and second.stats.declined == 1
        assert _printed(first_sim) == [order.waybill_no] and _printed(second_sim) == []


def test_first_prints_racing_in_threads_mark_one_label_sent(db_url: str) -> None:
    """The check and the mark are atomic: of many jobs' first prints of one page released at once, one wins."""
    order = sample_orders()[2]
    contenders = 4
    journals = [Journal(open_database(db_url)) for _ in range(contenders)]
    rows = []
    for journal in journals:
        job_id = create_job(journal, PROFILE, [order])
        rows.append(journal.pending(job_id)[0])
    gate = threading.Barrier(contenders)
    outcomes: list[str] = []

    def send(journal: Journal, row: LabelRow) -> None:
        gate.wait()
        try:
            journal.mark_sent(row, "memory://")
            outcomes.append("sent")
        except PrintedMeanwhileError:
            outcomes.append("refused")

    threads = [threading.Thread(target=send, args=pair) for pair in zip(journals, rows, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * (contenders - 1) + ["sent"]
    assert journals[0].printed_before([order.waybill_no]).keys() == {order.waybill_no}


def test_a_deliberate_reprint_and_a_page_never_printed_elsewhere_still_go_out(db_url: str) -> None:
    order = long_order()
    journal = Journal(open_database(db_url))
    first = create_job(journal, PROFILE, [order])
    page_one, page_two = journal.pending(first)
    journal.mark_sent(page_one, "memory://")
    # A pool's failover moves the unprinted page to another job: it is that page's first print anywhere.
    second = create_job(journal, PROFILE, [sample_orders()[0]])
    (moved,) = journal.move_labels([page_two.id], second)
    journal.mark_sent(moved, "memory://")
    # A new job's first print of a page another job sent is refused; planned as a reprint, it goes out as one.
    job = label_job(PROFILE)
    again = create_job(journal, PROFILE, [order])
    with pytest.raises(PrintedMeanwhileError, match=f"{order.waybill_no} was printed meanwhile by job {first}"):
        journal.mark_sent(journal.pending(again)[0], "memory://")
    planned = check_printed_before(journal, plan([order], job, PROFILE, skip_invalid=False), "reprint")
    settings = JobSettings.capture("100x180", Path(SAMPLE_SHOP), None, job.options, job.now)
    reprint = start_batch(journal, planned, settings, "memory://", PROFILE)
    for row in reprint.rows:
        journal.mark_sent(row, "memory://")
    attempts = journal.attempts_of(reprint.job_id)
    assert len(attempts) == 2 and all(is_reprint for _row, is_reprint, _reason in attempts)

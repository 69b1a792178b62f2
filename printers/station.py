"""The print station: a packer scans an order id or waybill number and that order's label(s) print at once.

The link to the printer stays open and everything is warmed up before the first scan, so the time from a
scan to the first byte on the wire is layout + raster + encode + one journal write: milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Connection

from printers.batch import BatchRunner, OnPrinted, RunResult
from printers.confirm_policy import BatchPolicy, OnFault
from printers.encode import encode_label_for_session
from printers.errors import PrinterStatusError, TransportError
from printers.jobspec import JobSettings
from printers.journal import Journal, LabelRow, PlannedLabel
from printers.printing import refuse_cancelled
from printers.session import PrinterSession
from waybill.errors import WaybillError
from waybill.i18n import _
from waybill.model import Order
from waybill.pipeline import LabelJob

__all__ = [
    "NO",
    "YES",
    "Numbering",
    "Station",
    "StationStats",
]

# Gives an order without a waybill number its number (from the shop's source for its carrier), exactly once.
Numbering = Callable[[Order], Order]

YES = frozenset({"y", "yes", "是", "是的", "对", "好"})
NO = frozenset({"n", "no", "否", "不", "不是", "不要"})


@dataclass
class StationStats:
    printed: int = 0
    reprinted: int = 0
    unknown: int = 0
    declined: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds from scan to first label byte


class Station:
    def __init__(
        self,
        journal: Journal,
        session: PrinterSession,
        label_job: LabelJob,
        settings: JobSettings,
        orders: Mapping[str, Order],
        *,
        on_fault: OnFault = "wait",
        on_printed: OnPrinted | None = None,
        numbering: Numbering | None = None,
    ) -> None:
        self.journal = journal
        self.numbering = numbering
        self.session = session
        self.on_fault: OnFault = on_fault
        self.on_printed = on_printed
        self.label_job = label_job
        self.orders = dict(orders)
        self.by_waybill = {order.waybill_no: order for order in orders.values()}
        self.stats = StationStats()
        self.job_id = journal.create_job(
            kind="station",
            printer=session.uri,
            profile=session.profile.name,
            settings=settings.to_json(),
            job_orders=[],
            planned=[],
        )
        self.runner = BatchRunner(
            journal,
            self.job_id,
            session,
            label_job,
            self.orders,
            policy=BatchPolicy(on_fault=on_fault),
            reason="station",
            on_printed=on_printed,
            first_byte=self._first_byte,
        )
        self._scanned_at = 0.0
        self._lease = journal.holding(self.job_id)
        self._lease.__enter__()  # the station's own job is ours until close()

    def warm_up(self) -> None:
        """Lay out, rasterise and encode one label without printing it: fonts, glyphs and caches load now."""
        for order in list(self.orders.values())[:1]:
            if not order.waybill_no:  # numbered when scanned: a stand-in number lays it out the same
                order = replace(order, waybill_no="0" * 12)
            label = self.label_job.layout(order).labels[0]
            self.session.profile.check_fits(label.width)
            encode_label_for_session(label, self.session.profile)

    def find(self, code: str) -> Order | None:
        """The order a scanned code names (its id or waybill number), numbered now if it has no number yet:
        only parcels that are packed take a number (``NumberError`` when its source has none)."""
        code = code.strip()
        order = self.orders.get(code) or self.by_waybill.get(code.upper()) or self.journal.find_order(code)
        if order is None or order.waybill_no or self.numbering is None:
            return order
        numbered = self.numbering(order)
        self.orders[numbered.order_id] = numbered
        self.by_waybill[numbered.waybill_no] = numbered
        return numbered

    def scan(self, code: str, confirm_reprint: Callable[[Order, list[LabelRow]], bool]) -> str:
        """Handle one scanned code; returns the line to show the packer."""
        self._scanned_at = time.perf_counter()
        order = self.find(code)
        if order is None:
            self.stats.unknown += 1
            return _("unknown code {code!r}: no such order id or waybill number").format(code=code.strip())
        earlier = self.printed_labels(order)
        if earlier:
            refuse_cancelled(self.journal, order.waybill_no)
            if not confirm_reprint(order, earlier):
                self.stats.declined += 1
                return _("{waybill}: not reprinted").format(waybill=order.waybill_no)
            return self.reprint(order, earlier)
        return self.print_order(order)

    def printed_labels(self, order: Order) -> list[LabelRow]:
        """The labels of this order's waybill that went out before (by any job)."""
        return [row for row in self.journal.labels_of_waybill(order.waybill_no) if row.state != "queued"]

    def reprint(self, order: Order, earlier: list[LabelRow]) -> str:
        """Print the latest job's labels of ``earlier`` again, recorded as reprints."""
        self._scanned_at = time.perf_counter()
        rows = [row for row in earlier if row.job_id == earlier[-1].job_id]
        self._print(order, rows)
        self.stats.reprinted += len(rows)
        return _("{waybill}: reprinted {n} label(s), recorded as 补打").format(waybill=order.waybill_no, n=len(rows))

    def print_order(self, order: Order, also: Callable[[Connection], None] | None = None) -> str:
        """Lay out and print a first time every label of ``order``, as labels of the station's job; ``also``
        records what must be stored with those labels, in their transaction."""
        self.orders[order.order_id] = order
        laid_out = self.label_job.layout(order).labels
        planned = [PlannedLabel(order.order_id, order.waybill_no, label.page, label.pages) for label in laid_out]
        rows = self.journal.append_labels(self.job_id, order, planned, also=also)
        result = self._print(order, rows)
        if order.waybill_no in result.withdrawn:  # another station printed this parcel since the scan began
            self.stats.declined += 1
            return _("{waybill}: printed meanwhile by job {job} (another station); scan it again to reprint").format(
                waybill=order.waybill_no, job=result.withdrawn[order.waybill_no]
            )
        self.stats.printed += len(rows)
        return _("{waybill}: printed {n} label(s) for order {order}").format(
            waybill=order.waybill_no, n=len(rows), order=order.order_id
        )

    def _print(self, order: Order, rows: list[LabelRow]) -> RunResult:
        if rows[0].job_id == self.job_id:
            return self.runner.run(rows)
        # A label first printed by another job is reprinted exactly as that job rendered it, under that job's
        # lease: refused (and said) while another process prints that job.
        self.journal.claim(rows[0].job_id)
        other = JobSettings.from_json(self.journal.settings(rows[0].job_id)).label_job()
        runner = BatchRunner(
            self.journal,
            rows[0].job_id,
            self.session,
            other,
            {order.order_id: order},
            policy=BatchPolicy(on_fault=self.on_fault),
            reason="station",
            on_printed=self.on_printed,
            first_byte=self._first_byte,
        )
        try:
            return runner.run(rows)
        finally:
            self.journal.release(rows[0].job_id)

    def _first_byte(self) -> None:
        if self._scanned_at:
            self.stats.latencies.append(time.perf_counter() - self._scanned_at)
            self._scanned_at = 0.0

    def close(self) -> None:
        self.journal.finish(self.job_id, "done")
        self._lease.__exit__(None, None, None)

    def serve(self, lines: Iterable[str], say: Callable[[str], None], ask: Callable[[str], None]) -> None:
        """Scan every code of ``lines`` (a scanner types one a line) until they end; ``say`` shows each outcome.

        A code printed before asks ``reprint? [y/N]`` through ``ask`` and the next line answers it. Only a
        yes or a no answers: anything else is the packer's next scan, so the reprint is declined and that
        code is scanned in turn (a scanner does not wait for the question).
        """
        source = iter(lines)
        ahead: list[str] = []

        def confirm(order: Order, earlier: list[LabelRow]) -> bool:
            ask(
                _("{waybill} was already printed ({n} label(s)); reprint? [y/N] ").format(
                    waybill=order.waybill_no, n=len(earlier)
                )
            )
            answer = next(source, "")
            word = answer.strip().lower()
            if word in YES:
                return True
            if word and word not in NO:
                ahead.append(answer)
            return False

        while True:
            line = ahead.pop() if ahead else next(source, None)
            if line is None:
                return
            if not line.strip():
                continue
            try:
                say(self.scan(line, confirm))
            except (PrinterStatusError, TransportError):
                raise
            except WaybillError as error:  # a bad order or template problem: say so and keep scanning
                say(f"{line.strip()}: {error}")

"""The packing-verification station (``waybill station --verify``): the label prints when the last unit of
an order is scanned, not when the order is.

``PackingStation`` is the print station with ``printers.verify.Verifier`` deciding what each scan means:
it shows the pick list with the units to scan, counts each product, refuses the wrong ones loudly, and
prints through the station's own job (so every label is in the journal before its first byte) once the
order is complete or forced. Each verification, refusal, set-aside and forced print is recorded in
``printers.verification_log`` before anything is printed for it.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from printers.batch import OnPrinted
from printers.confirm_policy import OnFault
from printers.jobspec import JobSettings
from printers.journal import Journal, LabelRow
from printers.session import PrinterSession
from printers.station import Numbering, Station
from printers.verification_log import VerificationLog, reason_name
from printers.verify import BY_HAND, Check, Counted, Forced, Line, Opened, PrintedBefore, Refused, Verifier
from waybill.catalog import Catalog
from waybill.i18n import _
from waybill.model import Order
from waybill.pipeline import LabelJob

__all__ = ["Alert", "PackStats", "PackingStation", "pick_list_text"]


class Alert(str):
    """A line the packer must not miss: the terminal rings its bell and shows it in colour."""

    __slots__ = ()


@dataclass
class PackStats:
    verified: int = 0
    forced: int = 0
    set_aside: int = 0
    refused: int = 0


class PackingStation(Station):
    def __init__(
        self,
        journal: Journal,
        session: PrinterSession,
        label_job: LabelJob,
        settings: JobSettings,
        orders: Mapping[str, Order],
        *,
        station_name: str,
        catalog: Catalog | None = None,
        force_code: str | None = None,
        on_fault: OnFault = "wait",
        on_printed: OnPrinted | None = None,
        numbering: Numbering | None = None,
    ) -> None:
        super().__init__(
            journal,
            session,
            label_job,
            settings,
            orders,
            on_fault=on_fault,
            on_printed=on_printed,
            numbering=numbering,
        )
        self.catalog = catalog or Catalog()
        self.log = VerificationLog(journal.engine, station_name, self.job_id)
        self.verifier = Verifier(
            self.find, lambda order: bool(self.printed_labels(order)), self.catalog, force_code=force_code
        )
        self.pack = PackStats()

    def find(self, code: str) -> Order | None:
        order = super().find(code)  # an order from an earlier job may predate the catalog: fill it too
        return self.catalog.fill(order) if order is not None else None

    def warm_up(self) -> None:
        super().warm_up()
        for order in list(self.orders.values())[:1]:
            pick_list_text(Check(order, self.verifier.lines(order)))

    def scan(self, code: str, confirm_reprint: Callable[[Order, list[LabelRow]], bool]) -> str:
        self._scanned_at = 0.0  # only a scan that prints starts the scan → first byte clock
        started = time.perf_counter()
        outcome = self.verifier.scan(code)
        if isinstance(outcome, Refused):
            return self._refused(outcome)
        aside = ""
        if isinstance(outcome, Opened | PrintedBefore) and outcome.set_aside is not None:
            self.log.incomplete(outcome.set_aside)
            self.pack.set_aside += 1
            aside = _("{order} set aside incomplete, {missing}").format(
                order=outcome.set_aside.order.order_id, missing=_missing(outcome.set_aside)
            )
            aside += "\n"
        if isinstance(outcome, PrintedBefore):
            return aside + self._printed_before(outcome.order, confirm_reprint)
        if isinstance(outcome, Opened):
            return aside + (_("still open: ") if outcome.resumed else "") + pick_list_text(outcome.check)
        if isinstance(outcome, Forced):
            self.log.forced(outcome.check, outcome.code)
            self.pack.forced += 1
            self._scanned_at = started
            printed = self.print_order(outcome.check.order)
            return _("FORCED by the supervisor with {missing} (recorded): {printed}").format(
                missing=_missing(outcome.check), printed=printed
            )
        counted = _counted_text(outcome)
        if not outcome.check.complete:
            return f"{counted}; {_missing(outcome.check, left=True)}"
        self.pack.verified += 1
        self._scanned_at = started
        verified = _("all {n} unit(s) verified").format(n=sum(outcome.check.counted))
        # The verification is recorded with the order's labels, in their transaction: before the first byte.
        check = outcome.check
        printed = self.print_order(check.order, also=lambda connection: self.log.verified(check, connection))
        return f"{counted}; {verified} → {printed}"

    def _refused(self, outcome: Refused) -> Alert:
        self.log.refused(outcome.code, outcome.reason, outcome.detail, outcome.check)
        self.pack.refused += 1
        detail = f" — {outcome.detail}" if outcome.detail else ""
        where = _(" (order {order})").format(order=outcome.check.order.order_id) if outcome.check else ""
        reason = reason_name(outcome.reason)
        return Alert(_("REFUSED {code!r}: {reason}").format(code=outcome.code, reason=reason) + where + detail)

    def _printed_before(self, order: Order, confirm_reprint: Callable[[Order, list[LabelRow]], bool]) -> str:
        """A packed and printed parcel needs no second verification: a reprint is asked for, as without --verify."""
        earlier = self.printed_labels(order)
        if not confirm_reprint(order, earlier):
            self.stats.declined += 1
            return _("{waybill}: printed before, not reprinted").format(waybill=order.waybill_no)
        return self.reprint(order, earlier)

    def close(self) -> None:
        """End of input with an order half-packed: it was not printed, and is recorded incomplete."""
        if self.verifier.current is not None:
            self.log.incomplete(self.verifier.current)
            self.pack.set_aside += 1
            self.verifier.current = None
        super().close()


def pick_list_text(check: Check) -> str:
    """The open order's pick list as the packer's terminal shows it: every line by location, what is left."""
    order = check.order
    head = _("{waybill}  order {order}: {items} item(s), {left} of {units} unit(s) to scan").format(
        waybill=order.waybill_no,
        order=order.order_id,
        items=len(check.lines),
        left=check.units_left,
        units=sum(line.item.qty for line in check.lines),
    )
    rows = [("#", _("location"), "sku", _("item"), _("barcode"), _("scanned"))]
    for line in check.lines:
        item = line.item
        scan_with = item.barcode or next(iter(sorted(line.codes)), "") or _("type {key}").format(key=BY_HAND)
        more = f" +{len(line.codes) - 1}" if len(line.codes) > 1 else ""
        done = f"{check.counted[line.number - 1]}/{item.qty}"
        rows.append(
            (str(line.number), item.location, item.sku, f"{item.name} {item.spec}".strip(), scan_with + more, done)
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = ["  " + "  ".join(_pad(cell, widths[i], right=i in (0, 5)) for i, cell in enumerate(row)) for row in rows]
    return "\n".join([head, *(line.rstrip() for line in table)])


def _counted_text(outcome: Counted) -> str:
    line, check = outcome.line, outcome.check
    how = _(" by hand") if outcome.by_hand else ""
    return (
        f"+1{how} #{line.number} {line.item.sku} {line.item.name} [{line.item.location or '-'}] "
        f"{check.counted[line.number - 1]}/{line.item.qty}"
    )


def _missing(check: Check, *, left: bool = False) -> str:
    """``3 unit(s) missing: BOX-L ×2, GIFT ×1 (+)`` (or ``left``, while the order is still being packed)"""
    parts = _(", ").join(f"{line.item.sku} ×{n}{_hand(line)}" for line, n in check.missing())
    text = _("{n} unit(s) left: {items}") if left else _("{n} unit(s) missing: {items}")
    return text.format(n=check.units_left, items=parts)


def _hand(line: Line) -> str:
    return f" ({BY_HAND})" if line.by_hand else ""


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill

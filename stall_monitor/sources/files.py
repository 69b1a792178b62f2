"""Event, work-order and invoice-request files: JSON Lines (one object a line) or CSV (a header row), read as a
stream."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

from stall_monitor.errors import TrackingError
from stall_monitor.events import MAX_LENGTHS, Event, canonical_status
from stall_monitor.invoices.clocks import InvoiceFacts
from waybill.errors import Problem
from waybill.i18n import N_, _
from waybill.records import is_csv, json_lines
from waybill.times import parse_instant

__all__ = [
    "Columns",
    "WorkOrderRecord",
    "not_text",
    "open_text",
    "read_events",
    "read_invoice_requests",
    "read_records",
    "read_work_orders",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Columns:
    """The fields a kind of record has, and those it cannot do without: a CSV header is checked against them."""

    known: frozenset[str]
    required: tuple[str, ...]


EVENT_COLUMNS = Columns(
    frozenset(("waybill_no", "time", "status", "context", "location", "carrier")), ("waybill_no", "time", "status")
)
WORK_ORDER_COLUMNS = Columns(frozenset(("waybill_no", "opened_at", "responded_at")), ("waybill_no", "opened_at"))
INVOICE_COLUMNS = Columns(
    frozenset(("order_id", "requested_at", "issued_at", "work_order_opened_at", "amount", "title")),
    ("order_id", "requested_at"),
)
MAX_AMOUNT = Decimal("99999999.99")  # yuan; a bigger invoice is a typo


@dataclass(frozen=True)
class WorkOrderRecord:
    waybill_no: str
    opened_at: datetime
    responded_at: datetime | None = None


def open_text(path: Path) -> IO[str]:
    """Open a text file as UTF-8 (with or without BOM), or GB18030 when its first 64 KiB are not UTF-8."""
    try:
        with path.open("rb") as raw:
            head = raw.read(65536)
        encoding = "utf-8-sig"
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"  # spreadsheets exported on Chinese Windows
        return path.open(encoding=encoding, newline="")
    except OSError as error:
        raise TrackingError(_("{path}: cannot read: {reason}").format(path=path, reason=error.strerror)) from error


def not_text(source: str, error: UnicodeDecodeError) -> TrackingError:
    """The error for bytes met while reading that are neither UTF-8 nor GB18030."""
    return TrackingError(
        _("{source}: not UTF-8 or GB18030 text after the start: {reason}").format(source=source, reason=error.reason)
    )


def read_records(
    path: Path, columns: Columns | None = None, each: str = N_("an event")
) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """(line, record) for each JSON Lines object or CSV row, or a ``Problem`` for a line that is not one;
    ``each`` names what a line holds, for the message.

    A CSV header naming a column twice (or, given ``columns``, an unknown column or none of a required one)
    refuses the whole file with a ``TrackingError`` naming the column, before any row is read.
    """
    source = str(path)
    with open_text(path) as stream:
        try:
            first = stream.read(1)
            while first.isspace():
                first = stream.read(1)
            stream.seek(0)
            if is_csv(path, first):
                yield from _csv_rows(stream, source, columns)
            else:
                yield from json_lines(stream, source, each)
        except UnicodeDecodeError as error:
            raise not_text(source, error) from error


def _csv_rows(stream: IO[str], source: str, columns: Columns | None) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    reader = csv.reader(stream)
    try:
        yield from _csv_cells(reader, source, columns)
    except csv.Error as error:  # a cell over the field size limit (128 KiB)
        yield Problem(
            source,
            reader.line_num,
            None,
            _("not valid CSV ({reason}); the rest of the file was not read").format(reason=error),
        )


def _csv_cells(reader: Any, source: str, columns: Columns | None) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    header: list[str] | None = None
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            _check_header(header, f"{source}:{reader.line_num}", columns)
            continue
        if len(cells) > len(header):
            extra = _("{n} more cells than the header").format(n=len(cells) - len(header))
            yield Problem(source, reader.line_num, None, extra)
            continue
        yield reader.line_num, {name: cell for name, cell in zip(header, cells, strict=False) if cell.strip()}


def _check_header(header: list[str], where: str, columns: Columns | None) -> None:
    # A column given twice would let one cell silently override the other (a second status closing a parcel).
    for name in header:
        if name and header.count(name) > 1:
            raise TrackingError(
                _("{where}: column {name!r} is given twice in the header; nothing was read").format(
                    where=where, name=name
                )
            )
    if columns is None:
        return
    for name in header:
        if name and name not in columns.known:  # a nameless column (a trailing comma) may stay empty
            known = ", ".join(sorted(columns.known))
            raise TrackingError(
                _("{where}: unknown column {name!r} in the header (columns: {known}); nothing was read").format(
                    where=where, name=name, known=known
                )
            )
    for name in columns.required:
        if name not in header:
            raise TrackingError(
                _("{where}: the header has no {name!r} column; nothing was read").format(where=where, name=name)
            )


def read_events(path: Path) -> Iterator[Event | Problem]:
    """Events of a JSON Lines or CSV file: ``waybill_no``, ``time``, ``status``, ``context``, ``location``,
    optional ``carrier``. A time without a zone is Beijing time; an unknown status is kept as it came."""
    return _read(path, EVENT_COLUMNS, event_from_record)


def read_work_orders(path: Path) -> Iterator[WorkOrderRecord | Problem]:
    """Work orders of a JSON Lines or CSV file: ``waybill_no``, ``opened_at``, optional ``responded_at``."""
    return _read(path, WORK_ORDER_COLUMNS, work_order_from_record)


def read_invoice_requests(path: Path) -> Iterator[InvoiceFacts | Problem]:
    """Invoice requests of a JSON Lines or CSV file: ``order_id``, ``requested_at``, optional ``issued_at``,
    ``work_order_opened_at``, ``amount`` (yuan), ``title``. A time without a zone is Beijing time."""
    return _read(path, INVOICE_COLUMNS, invoice_from_record, N_("an invoice request"))


def _read(
    path: Path,
    columns: Columns,
    build: Callable[[Mapping[str, Any], str, int], T],  # a record, its file and line
    each: str = N_("an event"),
) -> Iterator[T | Problem]:
    source = str(path)
    known = columns.known
    for item in read_records(path, columns, each):
        if isinstance(item, Problem):
            yield item
            continue
        number, data = item
        if not known.issuperset(data):
            unknown = next(key for key in data if key not in known)
            yield Problem(source, number, unknown, "unknown field (a typo would silently drop its value)")
            continue
        try:
            yield build(data, source, number)
        except _Bad as bad:
            yield bad.problem


class _Bad(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Where(NamedTuple):  # where a record came from, for its problems
    source: str
    line: int

    def problem(self, field: str | None, message: str) -> Problem:
        return Problem(self.source, self.line, field, message)

    def text(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _Bad(self.problem(key, _("is required")))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _Bad(self.problem(key, _("must be a string, not {type}").format(type=type(value).__name__)))
        text = str(value).strip()
        if len(text) > MAX_LENGTHS.get(key, len(text)):
            raise _Bad(self.problem(key, _("is longer than {n} characters").format(n=MAX_LENGTHS[key])))
        return text

    def time(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> datetime | None:
        text = self.text(data, key, required=required)
        if not text:
            return None
        try:
            return parse_instant(text)
        except ValueError as error:
            raise _Bad(self.problem(key, _("{value!r} is not an ISO 8601 time").format(value=text))) from error


_LONGEST = tuple(MAX_LENGTHS[key] for key in ("waybill_no", "status", "location", "carrier"))


def event_from_record(data: Mapping[str, Any], source: str, line: int) -> Event:
    # Fast path for the common, well-formed record (this runs once per event of a large file); anything else
    # takes the careful path, which says what is wrong. Lengths are of the stripped text, as there.
    get = data.get
    waybill_no, text, status = get("waybill_no"), get("time"), get("status")
    context, location, carrier = get("context", ""), get("location", ""), get("carrier", "")
    if type(waybill_no) is type(text) is type(status) is type(context) is type(location) is type(carrier) is str:
        waybill_no, status, location, carrier = waybill_no.strip(), status.strip(), location.strip(), carrier.strip()
        longest_waybill, longest_status, longest_location, longest_carrier = _LONGEST
        if (
            waybill_no
            and status
            and len(waybill_no) <= longest_waybill
            and len(status) <= longest_status
            and len(location) <= longest_location
            and len(carrier) <= longest_carrier
        ):
            try:
                time = parse_instant(text)
            except ValueError:
                pass
            else:
                return Event(
                    waybill_no.upper(), time, canonical_status(status), context.strip(), location, carrier.upper()
                )
    return _careful_event(data, _Where(source, line))


def _careful_event(data: Mapping[str, Any], where: _Where) -> Event:
    time = where.time(data, "time", required=True)
    assert time is not None
    return Event(
        waybill_no=where.text(data, "waybill_no", required=True).upper(),
        time=time,
        status=canonical_status(where.text(data, "status", required=True)),
        context=where.text(data, "context"),
        location=where.text(data, "location"),
        carrier=where.text(data, "carrier").upper(),
    )


def work_order_from_record(data: Mapping[str, Any], source: str, line: int) -> WorkOrderRecord:
    where = _Where(source, line)
    opened_at = where.time(data, "opened_at", required=True)
    assert opened_at is not None
    responded_at = where.time(data, "responded_at")
    if responded_at is not None and responded_at < opened_at:
        raise _Bad(where.problem("responded_at", "is before opened_at"))
    return WorkOrderRecord(where.text(data, "waybill_no", required=True).upper(), opened_at, responded_at)


def invoice_from_record(data: Mapping[str, Any], source: str, line: int) -> InvoiceFacts:
    where = _Where(source, line)
    requested_at = where.time(data, "requested_at", required=True)
    assert requested_at is not None
    later = {key: where.time(data, key) for key in ("issued_at", "work_order_opened_at")}
    for key, moment in later.items():
        if moment is not None and moment < requested_at:
            raise _Bad(where.problem(key, "is before requested_at"))
    title = where.text(data, "title")
    if len(title) > 200:
        raise _Bad(where.problem("title", "is longer than 200 characters"))
    return InvoiceFacts(
        order_id=_order_id(where, data),
        requested_at=requested_at,
        issued_at=later["issued_at"],
        work_order_opened_at=later["work_order_opened_at"],
        amount=_amount(where, data),
        title=title or None,
    )


def _order_id(where: _Where, data: Mapping[str, Any]) -> str:
    order_id = where.text(data, "order_id", required=True)
    if len(order_id) > 64:
        raise _Bad(where.problem("order_id", "is longer than 64 characters"))
    return order_id


def _amount(where: _Where, data: Mapping[str, Any]) -> str | None:
    value = data.get("amount")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Bad(where.problem("amount", _("must be a number of yuan, not {type}").format(type=type(value).__name__)))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise _Bad(where.problem("amount", _("{value!r} is not a number of yuan").format(value=value))) from error
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise _Bad(
            where.problem(
                "amount",
                _("{value!r} is not an amount of yuan (0 to {max}, to the fen)").format(value=value, max=MAX_AMOUNT),
            )
        )
    return str(amount.quantize(Decimal("0.01")))

"""The one exception tree of waybill, printers and stall_monitor; each package defines its own branch.

::

    WaybillError                    exit 1   anything the tool reports without a traceback (waybill.errors)
    ├── UsageError                  exit 2   a bad option or argument on the command line
    ├── OrderError                  exit 3   bad orders or shop profile: file, line, field for each problem
    ├── TemplateError               exit 4   a template that cannot be parsed or does not fit its stock
    │   └── LayoutError             exit 4   an order that cannot be laid out on its template
    ├── FontError                   exit 4   a font that cannot be loaded
    ├── DatabaseError               exit 9   the store cannot be opened or upgraded
    ├── NumberError                 exit 11  no waybill number: an empty pool, a refusing or unreachable service
    ├── OutputError                 exit 12  an output file or folder that cannot be written (names the path)
    ├── PrinterError                exit 5   anything between us and a printer (printers.errors)
    │   ├── ProfileError            exit 5   unknown or invalid printer profile, label too wide for the head
    │   ├── TransportError          exit 6   a refused, unreachable or dropped link (names the URI)
    │   │   └── TransportTimeout    exit 6   the printer took no data for the write timeout
    │   └── PrinterStatusError      exit 7   the printer reports a fault (carries the parsed status)
    ├── JobError                    exit 8   an unknown job or one that cannot be resumed (printers.errors)
    └── TrackingError               exit 10  bad tracking events, rules or work orders (stall_monitor.errors)

The CLI prints ``str(error)`` on one line and exits with ``error.exit_code``; ``--debug`` shows the traceback.
Wrapping code chains with ``raise ... from e`` so the cause is kept for ``--debug``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from waybill.i18n import ngettext
from waybill.privacy import mask_phones

__all__ = [
    "DatabaseError",
    "FontError",
    "LayoutError",
    "NumberError",
    "OrderError",
    "OutputError",
    "Problem",
    "TemplateError",
    "UsageError",
    "WaybillError",
    "first_line",
]


class WaybillError(Exception):
    exit_code = 1


class UsageError(WaybillError):
    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input record: where it is and what is wrong."""

    source: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        # The message and field may echo input: a phone number in them is shown masked, as on a label.
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {mask_phones(what)}"


class OrderError(WaybillError):
    """Bad orders; carries every problem found, so the user fixes them all in one pass."""

    exit_code = 3

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = ngettext(
            "{n} problem in the input; nothing was written", "{n} problems in the input; nothing was written", count
        ).format(n=count)
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class TemplateError(WaybillError):
    exit_code = 4


class LayoutError(TemplateError):
    pass


class FontError(WaybillError):
    exit_code = 4


class DatabaseError(WaybillError):
    exit_code = 9


def first_line(error: BaseException) -> str:
    """A driver's error in one line (psycopg's and SQLite's run on with hints and SQL), else its type."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class NumberError(WaybillError):
    """A number source could not serve: names the carrier and the reason (and the order, if one)."""

    exit_code = 11


class OutputError(WaybillError):
    """An output that cannot be written: a folder where a file must go, a path under a file, a full disk."""

    exit_code = 12

"""Number segments (号段) from a CSV file: ``carrier,branch_code,prefix,first,last``, one segment a row.

A segment's numbers are ``prefix`` + the serial zero-padded to the width of ``last`` as written. Two
segments overlap when any number string is in both, whatever their prefixes (``73`` + ``100…`` and ``731``
+ ``00…`` can meet); overlapping or malformed rows are refused with file, line and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from waybill.errors import OrderError, Problem
from waybill.model import CARRIERS
from waybill.orders import WAYBILL_NO

__all__ = ["COLUMNS", "Segment", "overlapping", "parse_segments"]

COLUMNS = ("carrier", "branch_code", "prefix", "first", "last")
_PREFIX = re.compile(r"[A-Z0-9-]*")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Segment:
    carrier: str
    branch_code: str
    prefix: str
    first: int
    last: int
    width: int
    where: str = ""  # file:line, or "segment N in the store", for messages

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def number(self, serial: int) -> str:
        return f"{self.prefix}{serial:0{self.width}d}"

    def _span(self, prefix_length: int) -> tuple[int, int] | None:
        """This segment's numbers as serials after the first ``prefix_length`` characters (None: not digits)."""
        rest = self.prefix[prefix_length:]
        if rest and not rest.isdigit():
            return None
        pad = self.width
        return int(rest + f"{self.first:0{pad}d}"), int(rest + f"{self.last:0{pad}d}")


def overlapping(a: Segment, b: Segment) -> bool:
    """Whether some number is in both segments (carriers aside: the journal keys labels by number alone)."""
    if len(a.prefix) + a.width != len(b.prefix) + b.width:
        return False
    short, long = (a, b) if len(a.prefix) <= len(b.prefix) else (b, a)
    if not long.prefix.startswith(short.prefix):
        return False
    span = long._span(len(short.prefix))
    return span is not None and span[0] <= short.last and short.first <= span[1]


def parse_segments(text: str, source: str, existing: Sequence[Segment] = ()) -> list[Segment]:
    """Every segment of a CSV text, or ``OrderError`` listing every problem (then nothing is imported)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if header != list(COLUMNS):
        raise OrderError(
            [Problem(source, 1, None, f"the header must be {','.join(COLUMNS)}, not {','.join(header)!r}")]
        )
    problems: list[Problem] = []
    segments: list[Segment] = []
    end = 1
    for row in reader:
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        segment = _segment(row, source, line, problems)
        if segment is None:
            continue
        for other in _clashes(segment, [*existing, *segments]):
            problems.append(Problem(source, line, "first", f"overlaps {other.where}"))
            break
        else:
            segments.append(segment)
    if not segments and not problems:
        problems.append(Problem(source, None, None, "no segments in the file"))
    if problems:
        raise OrderError(problems)
    return segments


def _clashes(segment: Segment, others: Iterable[Segment]) -> Iterable[Segment]:
    return (other for other in others if overlapping(segment, other))


def _segment(row: list[str], source: str, line: int, problems: list[Problem]) -> Segment | None:
    before = len(problems)

    def problem(field: str, message: str) -> None:
        problems.append(Problem(source, line, field, message))

    if len(row) != len(COLUMNS):
        problem("row", f"has {len(row)} cells; the header has {len(COLUMNS)}")
        return None
    carrier, branch_code, prefix, first_text, last_text = (cell.strip() for cell in row)
    if carrier.upper() not in CARRIERS:
        problem("carrier", f"unknown carrier {carrier!r}; known: {', '.join(CARRIERS)}")
    if not branch_code:
        problem("branch_code", "is required (the branch 网点 code, or a direct carrier's monthly account)")
    if not _PREFIX.fullmatch(prefix.upper()):
        problem("prefix", f"{prefix!r} may hold only A-Z, 0-9 and -")
    for field, value in (("first", first_text), ("last", last_text)):
        if not _DIGITS.fullmatch(value):
            problem(field, f"{value!r} must be a serial of digits 0-9")
    if len(problems) > before:
        return None
    first, last = int(first_text), int(last_text)
    if first > last:
        problem("last", f"{last_text} is below first ({first_text})")
    elif len(first_text) > len(last_text):
        problem("first", f"{first_text!r} is wider than last ({last_text!r}), which sets the width")
    segment = Segment(carrier.upper(), branch_code, prefix.upper(), first, last, len(last_text), f"{source}:{line}")
    sample = segment.number(last)
    if len(problems) == before and not WAYBILL_NO.fullmatch(sample):
        problem("prefix", f"numbers like {sample!r} must be 8-32 characters of A-Z, 0-9 and -")
    return segment if len(problems) == before else None

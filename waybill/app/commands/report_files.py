"""Where ``waybill stall report`` puts the report: standard output, a file, or — CSV — a file a section.

Each file is written whole or not at all (``waybill.atomic``), so a reader never opens half a report.
CSV: ``-o report.csv`` writes ``report-summary.csv``, ``report-urgent.csv`` … (one section a file, as a
spreadsheet wants one table); ``--section urgent`` writes that one to ``-o`` or to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from stall_monitor.export import SECTIONS, csv_bytes, xlsx_bytes
from waybill.atomic import write_file
from waybill.errors import UsageError
from waybill.i18n import _

__all__ = ["FORMATS", "report_format", "write_report"]

FORMATS = ("html", "csv", "xlsx", "json")


def report_format(fmt: str | None, output: Path | None, section: str | None) -> str:
    """The format asked for, else the output file's suffix, else HTML; refuses what cannot be written."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in FORMATS else "html"
    if section is not None and fmt != "csv":
        raise UsageError(_("--section applies to CSV only (the workbook has a sheet for every section)"))
    if fmt == "xlsx" and output is None:
        raise UsageError(_("an Excel workbook needs a file: give -o report.xlsx"))
    if fmt == "csv" and output is None and section is None:
        raise UsageError(
            _("CSV to standard output is one section: give --section ({sections}) or -o report.csv").format(
                sections=", ".join(SECTIONS)
            )
        )
    return fmt


def write_report(fmt: str, output: Path | None, section: str | None, data: dict[str, Any], page: str) -> list[Path]:
    """Write the report; returns the files written (none for standard output). ``page``: HTML or JSON text."""
    if fmt == "csv":
        if section is not None:
            if output is None:
                sys.stdout.write(csv_bytes(data, section).decode("utf-8-sig"))
                return []
            return [write_file(output, csv_bytes(data, section))]
        assert output is not None  # report_format saw to it
        return [write_file(output.with_name(f"{output.stem}-{name}.csv"), csv_bytes(data, name)) for name in SECTIONS]
    content = xlsx_bytes(data) if fmt == "xlsx" else page.encode("utf-8")
    if output is None:
        sys.stdout.write(page)
        return []
    return [write_file(output, content)]

"""The stall report for spreadsheets: one table a section, as an Excel workbook (a sheet each) or as CSV
files (one each, UTF-8 with a BOM so Excel on Chinese Windows reads it as UTF-8, not as GBK).

Headers are the report's stable English keys (the same as the JSON's), whatever the language of the page:
scripts and lookups keep working. Pure: takes ``report_data``'s dict, returns bytes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime
from typing import Any

__all__ = ["SECTIONS", "csv_bytes", "section_rows", "xlsx_bytes"]

SECTIONS = (
    "summary",
    "urgent",
    "work_orders",
    "invoices",
    "by_carrier",
    "by_province",
    "feeds",
    "unknown_statuses",
)
_MAX_WIDTH = 60  # characters; longer cells (tracking context, reasons) wrap in the sheet instead


def section_rows(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The rows of one section, flat: nested objects become dotted keys, lists ``a|b``."""
    if section == "summary":
        summary = {"at": data["at"], "rule_set": data["rule_set"], "open_waybills": data["open_waybills"]}
        summary["counts"] = data["counts"]
        if "invoices" in data:
            summary["invoices"] = {"rule_set": data["invoices"]["rule_set"], "points": data["invoices"]["points"]}
        return [{"key": key, "value": value} for key, value in _flat(summary).items()]
    if section == "urgent":
        return [_flat(item) for item in data["stalls"]]
    if section == "invoices":
        return [_flat(item) for item in data.get("invoices", {}).get("issue_first", [])]
    return [_flat(item) for item in data[section]]


def csv_bytes(data: dict[str, Any], section: str) -> bytes:
    rows = section_rows(data, section)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(rows), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(data: dict[str, Any]) -> bytes:
    """A workbook with a sheet a section: bold frozen header, widths that fit, times as Excel times."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for section in SECTIONS:
        sheet = book.create_sheet(section)
        rows = section_rows(data, section)
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(key, row.get(key)) for key in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, key in enumerate(columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            cells = [key, *(_text(row.get(key)) for row in rows)]
            sheet.column_dimensions[letter].width = min(max(_width(c) for c in cells) + 2, _MAX_WIDTH)
            if any(_width(c) > _MAX_WIDTH for c in cells):
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        _time_format(sheet, columns, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _time_format(sheet: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
    for index, key in enumerate(columns, start=1):
        if any(isinstance(_cell(key, row.get(key)), datetime) for row in rows):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd hh:mm"


def _cell(key: str, value: Any) -> Any:
    """Times (Beijing ISO strings) become Excel times in Beijing time: Excel has no time zones."""
    if isinstance(value, str) and _is_time_key(key):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.replace(tzinfo=None) if moment.tzinfo else moment
    return value


def _is_time_key(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last in ("at", "from", "due_at") or last.endswith(("_at", "_deadline"))


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _flat(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = "|".join(map(str, value))
        elif value is None and key == "work_order":
            continue  # its columns (work_order.due_at …) stay empty
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)

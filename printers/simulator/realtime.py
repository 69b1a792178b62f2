"""The status queries a printer answers the moment their bytes arrive, before the data ahead of them is
executed: ESC/POS ``DLE EOT n`` (n = 1–4) and TSPL ``ESC ! ?``. A printer scans every received byte for
them, even inside image data (which is why the ESC/POS encoder defuses look-alikes in rasters), so this
scanner does too, and finds a query split across two reads."""

from __future__ import annotations

import re

from printers.profiles import Language
from printers.status import DLE_EOT, TSPL_STATUS_QUERY, PrinterStatus, escpos_reply, tspl_status_byte

__all__ = ["QUERY_BYTES", "RealtimeScanner", "answer"]

_PATTERNS = {
    "escpos": re.compile(re.escape(DLE_EOT) + rb"([\x01-\x04])"),
    "tspl": re.compile(re.escape(TSPL_STATUS_QUERY)),
}
QUERY_BYTES = 3  # both queries are 3 bytes long
_LONGEST = QUERY_BYTES


class RealtimeScanner:
    """``feed(chunk)`` → the queries completed by ``chunk``, as ``(query, end)``: ``query`` is ``n`` of a
    ``DLE EOT n`` or 0 for ``ESC ! ?``; ``end`` is the offset in ``chunk`` just after the query's last byte."""

    def __init__(self, language: Language) -> None:
        self._pattern = _PATTERNS[language]
        self._tail = b""

    def feed(self, data: bytes) -> list[tuple[int, int]]:
        window = self._tail + data
        queries: list[tuple[int, int]] = []
        keep_from = max(0, len(window) - (_LONGEST - 1))
        for match in self._pattern.finditer(window):
            queries.append((match.group(1)[0] if match.groups() else 0, match.end() - len(self._tail)))
            keep_from = max(keep_from, match.end())
        self._tail = window[keep_from:]
        return queries


def answer(language: Language, query: int, status: PrinterStatus) -> bytes:
    """The reply byte to one query, built by the same functions the host parses with."""
    if language == "tspl":
        return bytes((tspl_status_byte(status),))
    return bytes((escpos_reply(status, query),))

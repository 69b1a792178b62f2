"""The status queries a printer answers the moment their bytes arrive, before the data ahead of them is
executed (ESC/POS ``DLE EOT n``, TSPL ``ESC ! ?``, ZPL ``~HS``: each driver's ``query_pattern``). A printer
scans every received byte for them, even inside image data (which is why the ESC/POS encoder defuses
look-alikes in rasters), so this scanner does too, and finds a query split across two reads."""

from __future__ import annotations

from printers.languages import driver_for

__all__ = ["RealtimeScanner"]


class RealtimeScanner:
    """``feed(chunk)`` → the queries completed by ``chunk``, as ``(query, end)``: ``query`` is ``n`` of a
    ``DLE EOT n`` or 0 for a query without a number; ``end`` is the offset in ``chunk`` just after the
    query's last byte."""

    def __init__(self, language: str) -> None:
        driver = driver_for(language)
        self._pattern = driver.query_pattern
        self._longest = driver.query_bytes
        self._tail = b""

    def feed(self, data: bytes) -> list[tuple[int, int]]:
        window = self._tail + data
        queries: list[tuple[int, int]] = []
        keep_from = max(0, len(window) - (self._longest - 1))
        for match in self._pattern.finditer(window):
            queries.append((match.group(1)[0] if match.groups() else 0, match.end() - len(self._tail)))
            keep_from = max(keep_from, match.end())
        self._tail = window[keep_from:]
        return queries

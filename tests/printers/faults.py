"""The printer simulator's fault options, typed for the tests that pass them on as keyword arguments."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["Faults"]


class Faults(TypedDict, total=False):
    """Keyword arguments of ``PrinterSimulator`` that inject a fault (see ``printers.simulator``)."""

    paper_out_after: int
    paper_out_seconds: float
    drop_after: int

"""The printers package's branch of the exception tree (drawn in ``waybill.errors``)."""

from __future__ import annotations

from typing import Any

from waybill.errors import WaybillError

__all__ = [
    "JobError",
    "PrinterError",
    "PrinterStatusError",
    "ProfileError",
    "TransportError",
    "TransportTimeout",
]


class PrinterError(WaybillError):
    exit_code = 5


class ProfileError(PrinterError):
    pass


class TransportError(PrinterError):
    exit_code = 6


class PrinterStatusError(PrinterError):
    """The printer reports a fault; ``status`` is the parsed status object."""

    exit_code = 7

    def __init__(self, message: str, status: Any) -> None:
        super().__init__(message)
        self.status = status


class JobError(WaybillError):
    exit_code = 8


class TransportTimeout(TransportError):
    """The printer took no data for the write timeout: busy, out of paper, or gone. ``written`` bytes of
    the write were accepted before it stalled, so the caller can carry on from there."""

    def __init__(self, message: str, written: int) -> None:
        super().__init__(message)
        self.written = written

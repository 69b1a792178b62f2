"""The stall monitor's branch of the exception tree (drawn in ``waybill.errors``)."""

from __future__ import annotations

from waybill.errors import WaybillError

__all__ = ["TrackingError"]


class TrackingError(WaybillError):
    """Bad tracking events, rules or work orders."""

    exit_code = 10

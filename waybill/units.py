"""Printer resolutions: dots per mm of a head, the one conversion every layer shares."""

from __future__ import annotations

__all__ = ["DEFAULT_DPI", "DPI_CHOICES", "dots_per_mm"]

DPI_CHOICES = (203, 300)
DEFAULT_DPI = 203


def dots_per_mm(dpi: float) -> float:
    """Dots per mm of a head sold as ``dpi``: a "203 dpi" head is exactly 8 dots/mm (203.2 dpi); others are
    taken at their nominal dpi."""
    return 8.0 if round(dpi) == 203 else dpi / 25.4

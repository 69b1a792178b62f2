"""Fixtures for the printer tests; helpers live in printers.testing."""

from __future__ import annotations

import pytest

from printers.profiles import PrinterProfile
from printers.testing import variant


@pytest.fixture
def escpos_300() -> PrinterProfile:
    """A 300 dpi ESC/POS label printer (no such built-in), for the 1181×2126 round trip."""
    return variant("escpos-4inch", dots_per_mm=300 / 25.4, head_width_dots=1248)

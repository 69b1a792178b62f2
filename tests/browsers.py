"""Finding the headless Chromium the browser tests drive."""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["REQUIRE_BROWSER", "require_chromium"]

# CI sets this: there a missing browser fails the run instead of skipping its tests.
REQUIRE_BROWSER = os.environ.get("WAYBILL_REQUIRE_BROWSER") == "1"


def require_chromium() -> str:
    """The headless Chromium the browser tests drive; they skip with the reason on a machine without one (a
    laptop), and fail in CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    reason = "no chromium on this machine (apt-get install chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}, and WAYBILL_REQUIRE_BROWSER=1 forbids skipping")
    pytest.skip(reason)

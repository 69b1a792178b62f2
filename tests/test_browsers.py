"""Browser tests skip on a machine without Chromium (a laptop) and fail in CI, like the PostgreSQL ones."""

from __future__ import annotations

import pytest

import tests.browsers as browsers


def test_without_chromium_a_browser_test_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.browsers.shutil.which", lambda name: None)
    monkeypatch.setattr(browsers, "REQUIRE_BROWSER", False)
    with pytest.raises(pytest.skip.Exception, match="no chromium on this machine"):
        browsers.require_chromium()


def test_without_chromium_in_ci_a_browser_test_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.browsers.shutil.which", lambda name: None)
    monkeypatch.setattr(browsers, "REQUIRE_BROWSER", True)
    with pytest.raises(pytest.fail.Exception, match="WAYBILL_REQUIRE_BROWSER=1 forbids skipping"):
        browsers.require_chromium()


def test_chromium_is_found_where_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.browsers.shutil.which", lambda name: f"/usr/bin/{name}" if name == "chromium" else None)
    assert browsers.require_chromium() == "/usr/bin/chromium"

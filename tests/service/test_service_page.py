"""The live page of serve-print in headless Chromium: it loads with no network and shows a printer's fault
within 2 s of the simulator raising it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.printers.faults import Faults
from tests.printers.test_pools import simulators
from tests.service.browser import chromium
from tests.service.helpers import order_objects, running_service, shop_object
from waybill.database import open_database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_database(str(tmp_path / "waybill.db"))
    yield engine
    engine.dispose()


def test_the_live_page_shows_a_fault_within_two_seconds(tmp_path: Path, engine: sa.Engine) -> None:
    faulty: Faults = {"paper_out_after": 3, "paper_out_seconds": 3600.0}
    with simulators(faulty, {}) as sims, running_service(tmp_path, sims, engine, token="pagetoken") as service:

        async def watch() -> tuple[float, str, str, list[str]]:
            async with chromium(tmp_path / "chromium") as page:
                await page.send("Page.navigate", url=f"{service.base}/?token=pagetoken")
                await page.wait_for("document.querySelectorAll('#printers tr').length === 2", 15)
                assert await page.evaluate("document.querySelector('#faults').textContent") == ""
                posted = asyncio.create_task(
                    asyncio.to_thread(service.call, "POST", "/jobs", {"orders": order_objects(), "shop": shop_object()})
                )
                shown = await page.wait_for("document.querySelector('#faults').textContent.includes('p1')", 60)
                status, answer = await posted
                assert status == 201, answer
                await page.wait_for(
                    "document.querySelector('#jobs').textContent.includes('" + str(answer["job"]) + "')", 10
                )
                await page.wait_for("Number(document.querySelector('#figure').textContent) > 0", 30)
                printers = await page.evaluate("document.querySelector('#printers').innerText")
                faults = await page.evaluate("document.querySelector('#faults').innerText")
                shot = Path(os.environ.get("WAYBILL_SCREENSHOT", tmp_path / "page.png"))
                await page.screenshot(shot)
                assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
                return shown, printers, faults, page.requests

        shown, printers, faults, requests = asyncio.run(watch())
    (raised,) = [event.at for event in sims[0].events if event.kind == "paper-out"]
    assert 0 <= shown - raised < 2.0, f"the fault showed {shown - raised:.2f} s after the printer raised it"
    assert "p1" in faults and "paper" in faults.lower()
    assert "p1" in printers and "p2" in printers
    assert requests and all(url.startswith(service.base) for url in requests), requests  # nothing from outside

"""Headless Chromium driven over the DevTools protocol (aiohttp's WebSocket client), on a machine whose
only fonts are the ones a test gives it: fontconfig (FONTCONFIG_FILE) sees one directory and nothing else.

``open_page`` loads a file, waits for its fonts (``document.fonts.ready``), and reports which font
rendered the text of every element (``CSS.getPlatformFontsForNode``) and a screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.browsers import require_chromium

__all__ = ["PageFonts", "open_page"]


_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@dataclass(frozen=True)
class PageFonts:
    fonts: dict[str, int]  # font family → glyphs it rendered, over every element of the page
    custom: dict[str, bool]  # font family → loaded by the page (@font-face), not from the system
    elements: int  # elements with text whose fonts were asked for
    loaded: list[str]  # the page's FontFace objects and their status once document.fonts is ready
    text: str  # the text the page shows (HTML and SVG)
    screenshot: bytes


class _Cdp:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.socket.send_str(json.dumps(message))
        while True:
            reply = json.loads((await self.socket.receive(timeout=30)).data)
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply["result"])
            self.events.append(reply)

    async def lifecycle(self, name: str, loader: str) -> None:
        """Wait for the page's lifecycle event ``name`` of the navigation ``loader`` (not of about:blank)."""

        def wanted(message: dict[str, Any]) -> bool:
            params = message.get("params", {})
            return message.get("method") == "Page.lifecycleEvent" and (params.get("name"), params.get("loaderId")) == (
                name,
                loader,
            )

        if any(wanted(seen) for seen in self.events):
            return
        while True:
            message = json.loads((await self.socket.receive(timeout=30)).data)
            if wanted(message):
                return
            self.events.append(message)


def _text_elements(node: dict[str, Any]) -> list[int]:
    """Node ids of the elements that hold text directly (the nodes fonts are reported for)."""
    found = []
    children = node.get("children", [])
    holds_text = any(c.get("nodeType") == 3 and c.get("nodeValue", "").strip() for c in children)
    if holds_text and node.get("nodeType") == 1 and node.get("nodeName") not in ("STYLE", "SCRIPT", "TITLE", "HEAD"):
        found.append(node["nodeId"])
    for child in children:
        found.extend(_text_elements(child))
    return found


async def _inspect(ws_url: str, page: Path, width: int) -> PageFonts:
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as socket:
        cdp = _Cdp(socket)
        target = (await cdp.call("Target.createTarget", url="about:blank"))["targetId"]
        session = (await cdp.call("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        await cdp.call("Page.enable", session)
        await cdp.call("Page.setLifecycleEventsEnabled", session, enabled=True)
        await cdp.call("Emulation.setDeviceMetricsOverride", session, width=width, height=900, deviceScaleFactor=1,
                       mobile=False)  # fmt: skip
        navigation = await cdp.call("Page.navigate", session, url=page.resolve().as_uri())
        await cdp.lifecycle("load", navigation["loaderId"])
        loaded = await cdp.call(
            "Runtime.evaluate",
            session,
            expression="document.fonts.ready.then(() => [...document.fonts].map(f => f.family + ' ' + f.status))",
            awaitPromise=True,
            returnByValue=True,
        )
        shown = await cdp.call(
            "Runtime.evaluate",
            session,
            expression="document.body.innerText + [...document.querySelectorAll('svg text')].map(t => t.textContent)"
            ".join('')",
            returnByValue=True,
        )
        for domain in ("DOM", "CSS"):  # after the fonts settled: the CSS agent restyles the page as it starts
            await cdp.call(f"{domain}.enable", session)
        root = (await cdp.call("DOM.getDocument", session, depth=-1, pierce=True))["root"]
        fonts: dict[str, int] = {}
        custom: dict[str, bool] = {}
        elements = _text_elements(root)
        for node_id in elements:
            for font in (await cdp.call("CSS.getPlatformFontsForNode", session, nodeId=node_id))["fonts"]:
                fonts[font["familyName"]] = fonts.get(font["familyName"], 0) + font["glyphCount"]
                custom[font["familyName"]] = font["isCustomFont"]
        shot = await cdp.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
        return PageFonts(
            fonts,
            custom,
            len(elements),
            list(loaded["result"]["value"]),
            str(shown["result"]["value"]),
            base64.b64decode(shot["data"]),
        )


def open_page(page: Path, fonts: Path, *, width: int = 1280) -> PageFonts:
    """Load ``page`` in headless Chromium on a machine whose only system fonts are those in ``fonts``; what
    rendered its text, a screenshot."""
    chromium = require_chromium()
    # Chromium's helper processes (renderer, crash handler) may still be writing the profile for a moment
    # after the group is killed: a leftover temporary folder is no reason to fail the test.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as work:
        root = Path(work)
        conf = root / "fonts.conf"
        conf.write_text(_FONTS_CONF.format(fonts=fonts, cache=root / "cache"), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(root)}
        process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--hide-scrollbars", "--remote-debugging-port=0", f"--user-data-dir={root / 'profile'}", "about:blank"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        endpoint: queue.Queue[str] = queue.Queue()
        # Chromium names its DevTools endpoint on stderr once it listens; the rest of stderr is drained so
        # a full pipe never blocks the browser.
        threading.Thread(target=_read_endpoint, args=(process, endpoint), daemon=True).start()
        try:
            url = endpoint.get(timeout=60)
            if not url:
                raise RuntimeError(f"chromium exited ({process.wait()}) without a DevTools endpoint")
            return asyncio.run(_inspect(url, page, width))
        finally:  # the browser and every helper it started (its own session): none outlives the test
            for sig in (signal.SIGTERM, signal.SIGKILL):  # politely, then whatever is left of the group
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)


def _read_endpoint(process: subprocess.Popen[str], endpoint: queue.Queue[str]) -> None:
    assert process.stderr is not None
    told = False
    with process.stderr:
        for line in process.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found and not told:
                endpoint.put(found.group(1))
                told = True
    if not told:
        endpoint.put("")


if __name__ == "__main__":  # python tests/chromium.py report.html FONT_DIR shot.png [height]: README screenshots
    import io
    import sys

    from PIL import Image

    shot = Image.open(io.BytesIO(open_page(Path(sys.argv[1]), Path(sys.argv[2])).screenshot))
    height = int(sys.argv[4]) if len(sys.argv) > 4 else shot.height
    shot.crop((0, 0, shot.width, min(height, shot.height))).save(sys.argv[3], optimize=True)

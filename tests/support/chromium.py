"""Headless Debian Chromium driven over the DevTools protocol with aiohttp's websocket
client (already a dependency): no Selenium, no browser download."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

STARTUP_SECONDS = 30
CALL_SECONDS = 20


def chromium_binary() -> str:
    """Debian's chromium; its absence fails the test (CI installs it in .ci/run)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "chromium is not installed: apt-get install -y chromium chromium-driver "
            "(.ci/run does this)",
            pytrace=False,
        )
    return found


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class Page:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.socket.send_json({"id": call_id, "method": method, "params": params})
        async with asyncio.timeout(CALL_SECONDS):
            async for message in self.socket:
                answer = json.loads(message.data)
                if answer.get("id") == call_id:
                    if "error" in answer:
                        raise AssertionError(f"{method}: {answer['error']}")
                    return answer["result"]
        raise AssertionError(f"{method}: the browser went away")

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")

    async def wait_for(self, condition: str) -> None:
        """Until the JS condition holds, checked on every animation frame (no fixed sleep)."""
        await self.evaluate(
            "new Promise(done => { const check = () => (" + condition + ") ? done(true) "
            ": requestAnimationFrame(check); check(); })"
        )

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        await asyncio.to_thread(_write, path, base64.b64decode(shot["data"]))


@asynccontextmanager
async def headless_page(width: int, height: int) -> AsyncIterator[Page]:
    profile = tempfile.mkdtemp(prefix="miniapp-chromium-")
    arguments = [
        "--headless=new",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        # Offline: only the local server; Telegram's script fails at once, as off Telegram.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "about:blank",
    ]
    if os.geteuid() == 0:
        arguments.insert(0, "--no-sandbox")  # CI runs as root; Chromium refuses otherwise
    process = await asyncio.create_subprocess_exec(
        chromium_binary(),
        *arguments,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        async with asyncio.timeout(STARTUP_SECONDS):
            while True:
                line = (await process.stderr.readline()).decode(errors="replace")
                if not line:
                    raise AssertionError("chromium exited before DevTools started")
                if line.startswith("DevTools listening on "):
                    browser_url = line.split(" on ", 1)[1].strip()
                    break
        drain = asyncio.create_task(process.stderr.read())
        port = browser_url.split(":")[2].split("/")[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with http.ws_connect(page_url, max_msg_size=64 * 1024 * 1024) as socket:
                page = Page(socket)
                await page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=1,
                    mobile=True,
                )
                await page.call("Page.enable")
                yield page
        drain.cancel()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        shutil.rmtree(profile, ignore_errors=True)

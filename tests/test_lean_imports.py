"""The running bot does not carry libraries it only needs for files and pictures (issue 15).

matplotlib (~40 MB, and ~2 MB of heap a chart) is imported only by the drawing process
(bot/reports/chart.py); openpyxl (~28 MB with the numpy and Pillow it pulls in) only when an
XLSX is read or built; aiohttp's server (`aiohttp.web`) only when the bot serves HTTP (webhook,
Mini App, /healthz). aiohttp's client is the bot's way to Telegram (bot/telegram_http.py):
a few MiB, for a quarter of httpx's CPU per request (bench/RESULTS.md).
A cheap guard instead of an RSS measurement: a fresh interpreter imports what `python -m bot
run` imports for polling and reports which of those libraries came with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "openpyxl", "PIL", "numpy", "aiohttp.web")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


TOKEN = "123456789:" + "A" * 35


def test_the_polling_bot_imports_no_chart_spreadsheet_or_http_server() -> None:
    code = (
        "import bot.cli, bot.app, bot.scheduler, bot.scheduler.sweeps, bot.reports.chart\n"
        "from bot.cli import _http_server\n"
        "from bot.config import load_settings\n"
        f"settings = load_settings(telegram_bot_token={TOKEN!r},"
        " database_url='sqlite+aiosqlite://', webhook_url=None, health_port=0,"
        " miniapp_url=None, miniapp_port=0)\n"
        "assert _http_server(settings, None) is None  # polling without an HTTP port\n"
    )
    assert _loaded_after(code) == []

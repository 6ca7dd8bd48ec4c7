"""`python -m bot run` as a real process against the fake Bot API: it starts, answers, stops."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.fake_bot_api import FakeTelegram

TOKEN = "555000:RUN-PROCESS-TEST-TOKEN"


async def test_run_polls_answers_and_binds_the_configured_admin(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="run_test_bot") as fake:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))},
            "PYTHONPATH": str(PROJECT_ROOT),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "ADMIN_TELEGRAM_IDS": "4242",
            "LOG_LEVEL": "INFO",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            admin = fake.user(4242, first_name="Админ")
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            fake.send_text(admin, "/start")
            await fake.wait_for(lambda: bool(fake.messages_to(admin.id)), limit=30)
            assert "администратором" in fake.messages_to(admin.id)[-1].plain_text
            assert fake.commands({"type": "default"})  # menu published at start
        finally:
            process.send_signal(signal.SIGINT)
            _out, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, err.decode()
        log = err.decode()
        assert TOKEN not in log and TOKEN.split(":")[1] not in log  # the token is never logged
        assert "scheduler started" in log

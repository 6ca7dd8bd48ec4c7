"""`python -m bot run` as a real process against the fake Bot API: it starts, answers, stops."""

from __future__ import annotations

from pathlib import Path

from bot.fake_bot_api import FakeTelegram
from tests.support.bot_process import BotProcess, bot_env
from tests.support.databases import sqlite_url

TOKEN = "555000:RUN-PROCESS-TEST-TOKEN"


async def test_run_polls_answers_and_binds_the_configured_admin(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="run_test_bot") as fake:
        env = bot_env(fake, sqlite_url(tmp_path / "bot.db"), ADMIN_TELEGRAM_IDS="4242")
        process = await BotProcess.start(env, tmp_path)
        try:
            admin = fake.user(4242, first_name="Админ")
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            fake.send_text(admin, "/start")
            await fake.wait_for(lambda: bool(fake.messages_to(admin.id)), limit=30)
            assert "администратором" in fake.messages_to(admin.id)[-1].plain_text
            assert fake.commands({"type": "default"})  # menu published at start
        finally:
            code = await process.interrupt()
        log = process.log()
        assert code == 0, log[-2000:]
        assert TOKEN not in log and TOKEN.split(":")[1] not in log  # the token is never logged
        assert "scheduler started" in log

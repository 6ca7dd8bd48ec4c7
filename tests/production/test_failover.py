"""Two processes on one database: one leads, the other waits; kill the leader mid-form."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.db import make_engine
from bot.fake_bot_api import FakeTelegram
from bot.handlers import visit_flow
from bot.models import BotStateEntry

TOKEN = "666000:FAILOVER-TEST-TOKEN"


def _env(fake: FakeTelegram, database_url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    return {
        **clean,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "BOT_USERNAME": "failover_bot",
        "LOG_LEVEL": "INFO",
    }


async def _wait_for_state(database_url: str, state: int) -> None:
    engine = make_engine(database_url)
    try:
        for _ in range(100):
            async with engine.connect() as connection:
                stored = (
                    (
                        await connection.execute(
                            select(BotStateEntry.data).where(
                                BotStateEntry.namespace == "conversation:visit_new"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            if state in stored:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"conversation state never reached {state}: {stored}")
    finally:
        await engine.dispose()


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_standby_takes_over_and_finishes_the_conversation(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="failover_bot") as fake:
        env = _env(fake, database_url)
        seeded = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "seed-demo",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await seeded.communicate()
        assert seeded.returncode == 0, err.decode()
        token = re.search(r"Смирнова Светлана Анатольевна .*start=([\w-]+)", out.decode()).group(1)

        leader = await _start(env, tmp_path)
        await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
        standby = await _start(env, tmp_path)
        try:
            await asyncio.sleep(4)
            assert fake.stats["conflicts"] == 0  # the standby does not poll
            curator = fake.user(8_000_001, first_name="Светлана", last_name="Смирнова")

            async def say(text: str, expect: str, limit: float = 30) -> None:
                before = len(fake.messages_to(curator.id))
                fake.send_text(curator, text)
                await fake.wait_for(
                    lambda: any(
                        expect in m.plain_text for m in fake.messages_to(curator.id)[before:]
                    ),
                    limit=limit,
                )

            await say(f"/start {token}", "Добро пожаловать")
            await say("/visit", "Выберите школу")
            before = len(fake.messages_to(curator.id))
            fake.press_button(curator, "Лицей № 9")
            await fake.wait_for(
                lambda: any(
                    "Когда было посещение" in m.plain_text
                    for m in fake.messages_to(curator.id)[before:]
                ),
                limit=30,
            )

            # The state is written right after the reply; a kill inside that instant would
            # replay the step (documented in README). Kill once it is on disk.
            await _wait_for_state(database_url, visit_flow.DATE)
            leader.kill()  # SIGKILL: no goodbye, no flush
            await leader.wait()
            before = len(fake.messages_to(curator.id))
            fake.press_button(curator, "Сегодня")
            await fake.wait_for(
                lambda: any(
                    "Формат" in m.plain_text for m in fake.messages_to(curator.id)[before:]
                ),
                limit=40,
            )
        finally:
            if leader.returncode is None:
                leader.kill()
            standby.send_signal(signal.SIGINT)
            _out, standby_err = await asyncio.wait_for(standby.communicate(), 30)
        assert standby.returncode == 0, standby_err.decode()
        assert "standby" in standby_err.decode()
        assert fake.errors == []

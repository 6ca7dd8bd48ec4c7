"""Stopping the real process while a job is in flight: it exits, and leaves the outbox clean."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.config import PROJECT_ROOT
from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.models import Notification, NotificationState, Role, TelegramAccount, utcnow
from bot.services import outbox
from tests.support.factories import make_municipality, make_person

TOKEN = "666111:SHUTDOWN-TEST-TOKEN"


def _a_zone_where_it_is_midday() -> str:
    """The sender holds reminders during the recipient's quiet hours (21:00-08:00 local);
    the test must not depend on the hour CI happens to run."""
    hour = utcnow().hour
    offset = (12 - hour + 12) % 24 - 12  # -12..11 hours from UTC to local noon
    # POSIX-style names invert the sign: Etc/GMT-5 is UTC+5.
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


async def _queue_reminders(factory: SessionFactory, fake: FakeTelegram, count: int) -> None:
    async with factory() as session:
        city = await make_municipality(session, timezone=_a_zone_where_it_is_midday())
        for n in range(count):
            person = await make_person(session, Role.CURATOR, municipality=city)
            await outbox.enqueue(
                session,
                dedupe_key=f"shutdown:{n}",
                recipient_person_id=person.id,
                kind="test",
                text=f"Напоминание {n}",
                # Yesterday: due, whatever the hour.
                due_at=utcnow() - timedelta(days=1),
            )
        await session.commit()
        for chat_id in (await session.scalars(select(TelegramAccount.chat_id))).all():
            fake.user(chat_id)


async def _states(factory: SessionFactory) -> dict[NotificationState, int]:
    async with factory() as session:
        rows = await session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        )
        return {state: count for state, count in rows}


async def test_sigint_while_the_sender_waits_on_telegram_exits_cleanly(
    tmp_path: Path, database_url: str, session_factory: SessionFactory
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="shutdown_bot") as fake:
        await _queue_reminders(session_factory, fake, 5)
        fake.inject_delay("sendMessage", 3.0)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env={
                **clean,
                "PYTHONPATH": str(PROJECT_ROOT),
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "DATABASE_URL": database_url,
                "BOT_USERNAME": "shutdown_bot",
            },
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for(lambda: fake.stats["sendMessage"] >= 1, limit=60)
            process.send_signal(signal.SIGINT)  # the first reminder is still in flight
            _out, err = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, err.decode()[-2000:]
        states = await _states(session_factory)
        # The start-up sweep queues reminders of its own; whichever was in flight, it was
        # finished and recorded, the rest handed back, and nothing left `sending`.
        assert NotificationState.SENDING not in states, states
        assert states.get(NotificationState.SENT) == len(fake.sent) == 1, states
        assert sum(states.values()) >= 5

"""Stopping the real process while a job is in flight: it exits, and leaves the outbox clean."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.models import Notification, NotificationState
from tests.support.bot_process import BotProcess, a_zone_where_it_is_midday, bot_env
from tests.support.outbox_ledger import queue_reminders

TOKEN = "666111:SHUTDOWN-TEST-TOKEN"


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
        await queue_reminders(session_factory, fake, "shutdown", 5, a_zone_where_it_is_midday())
        fake.inject_delay("sendMessage", 3.0)
        process = await BotProcess.start(bot_env(fake, database_url), tmp_path)
        try:
            await fake.wait_for(lambda: fake.stats["sendMessage"] >= 1, limit=60)
            code = await process.interrupt()  # the first reminder is still in flight
        finally:
            await process.kill()
        assert code == 0, process.log()[-2000:]
        states = await _states(session_factory)
        # The start-up sweep queues reminders of its own; whichever was in flight, it was
        # finished and recorded, the rest handed back, and nothing left `sending`.
        assert NotificationState.SENDING not in states, states
        assert states.get(NotificationState.SENT) == len(fake.sent) == 1, states
        assert sum(states.values()) >= 5

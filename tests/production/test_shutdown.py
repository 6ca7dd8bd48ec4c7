"""Stopping the real process while a job is in flight: it exits, and leaves the outbox clean."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.models import Notification, NotificationState, Role, TelegramAccount, utcnow
from bot.services import outbox
from tests.support.bot_process import BotProcess, a_zone_where_it_is_midday, bot_env
from tests.support.factories import make_municipality, make_person

TOKEN = "666111:SHUTDOWN-TEST-TOKEN"


async def _queue_reminders(factory: SessionFactory, fake: FakeTelegram, count: int) -> None:
    async with factory() as session:
        city = await make_municipality(session, timezone=a_zone_where_it_is_midday())
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

"""An update in hand when the process is killed is answered after the restart, without the
person sending it again (python-telegram-bot had already confirmed it to Telegram)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram, FakeUser
from bot.models import BotStateEntry
from bot.persistence import INBOX
from tests.support.bot_process import BotProcess, bot_env, invite_token, seed_demo
from tests.support.patient_users import XLSX, roadmap_file
from tests.support.personas import CURATOR, DIRECTOR

TOKEN = "666222:INBOX-TEST-TOKEN"


async def _say(fake: FakeTelegram, user: FakeUser, text: str, expect: str) -> None:
    before = len(fake.messages_to(user.id))
    fake.send_text(user, text)
    await fake.wait_for(
        lambda: any(expect in m.plain_text for m in fake.messages_to(user.id)[before:]), limit=30
    )


async def test_a_file_in_hand_at_a_kill_is_handled_after_the_restart(
    tmp_path: Path, database_url: str, session_factory: SessionFactory
) -> None:
    async with FakeTelegram(token=TOKEN, bot_username="inbox_bot") as fake:
        env = bot_env(fake, database_url)
        token = invite_token(await seed_demo(env, tmp_path), DIRECTOR)
        bot = await BotProcess.start(env, tmp_path, log_name="first")
        try:
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            director = fake.user(8_000_101, first_name="Людмила", last_name="Гареева")
            await _say(fake, director, f"/start {token}", "Добро пожаловать")
            await _say(fake, director, "/import", "Пришлите файл дорожной карты")

            # The bot fetches the file while handling the upload, before anything is
            # committed: held there, the update is in hand.
            fake.inject_delay("getFile", 5)
            asked = fake.stats["getFile"]
            fake.send_document(director, "plan1.xlsx", roadmap_file(1), XLSX)
            await fake.wait_for(lambda: fake.stats["getFile"] > asked, limit=30)
            await bot.kill()
            shown = len(fake.messages_to(director.id))

            bot = await BotProcess.start(env, tmp_path, log_name="second")
            await fake.wait_for(
                lambda: any(
                    "Мероприятий прочитано" in m.plain_text
                    for m in fake.messages_to(director.id)[shown:]
                ),
                limit=60,
            )
            assert await bot.interrupt() == 0, bot.log()
        finally:
            await bot.kill()
        assert "queued again" in bot.log()
        async with session_factory() as session:
            left = await session.scalar(
                select(func.count()).where(BotStateEntry.namespace == INBOX)
            )
        assert left == 0  # handled, and taken out with the state it led to
        assert fake.errors == []


async def test_a_reply_committed_and_not_sent_at_a_kill_is_sent_by_the_next_process(
    tmp_path: Path, database_url: str, session_factory: SessionFactory
) -> None:
    """One unit of work per update: the state and the reply about it are committed together
    (the reply written down in the update's inbox row); the next process sends it."""
    async with FakeTelegram(token=TOKEN, bot_username="inbox_bot") as fake:
        env = bot_env(fake, database_url)
        token = invite_token(await seed_demo(env, tmp_path), CURATOR)
        bot = await BotProcess.start(env, tmp_path, log_name="first")
        try:
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            curator = fake.user(8_000_102, first_name="Светлана", last_name="Смирнова")
            await _say(fake, curator, f"/start {token}", "Добро пожаловать")

            # The reply to /visit meets a 429: the bot waits 4 s before sending it again,
            # the step already committed. Killed while it waits.
            fake.inject_fault("sendMessage", 429, "Too Many Requests: retry after 4", 4)
            tried = fake.stats["sendMessage"]
            shown = len(fake.messages_to(curator.id))
            fake.send_text(curator, "/visit")
            await fake.wait_for(lambda: fake.stats["sendMessage"] > tried, limit=30)
            await bot.kill()
            assert len(fake.messages_to(curator.id)) == shown  # the reply never reached Telegram

            bot = await BotProcess.start(env, tmp_path, log_name="second")
            await fake.wait_for(
                lambda: any(
                    "Выберите школу" in m.plain_text for m in fake.messages_to(curator.id)[shown:]
                ),
                limit=60,
            )
            # The step was not handled again (one answer), and the conversation is where
            # the reply says it is.
            fake.press_button(curator, "Лицей № 9")
            await fake.wait_for(
                lambda: any(
                    "Когда было посещение" in m.plain_text
                    for m in fake.messages_to(curator.id)[shown:]
                ),
                limit=30,
            )
            asked = [
                m for m in fake.messages_to(curator.id)[shown:] if "Выберите школу" in m.plain_text
            ]
            assert len(asked) == 1, [m.plain_text for m in fake.messages_to(curator.id)[shown:]]
            assert await bot.interrupt() == 0, bot.log()
        finally:
            await bot.kill()
        assert "held before a restart sent" in bot.log()
        async with session_factory() as session:
            left = await session.scalar(
                select(func.count()).where(BotStateEntry.namespace == INBOX)
            )
        assert left == 0

"""`python -m bot sandbox`: chat with the real bot in the terminal, no token, no network.

The bot runs in-process against the fake Bot API on 127.0.0.1, on its own SQLite file
(data/sandbox.sqlite3) filled with the Kamensk-Uralsky 2022 demo data. You pick a demo
person and type as them; buttons are pressed by number (`!2`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import timedelta

from pydantic import SecretStr
from sqlalchemy import select

from bot.config import PROJECT_ROOT, Settings
from bot.db import SessionFactory, make_engine, make_session_factory, unit_of_work
from bot.fake_bot_api import FakeTelegram, FakeUser, SentMessage
from bot.models import Person, TelegramAccount, utcnow
from bot.schema import upgrade_to_head
from bot.seed.loader import load_demo

SANDBOX_DATABASE = os.environ.get(
    "SANDBOX_DATABASE_URL", f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'sandbox.sqlite3'}"
)
SANDBOX_TOKEN = "100000001:SANDBOX-TOKEN-NOT-FOR-TELEGRAM"
SANDBOX_ID_BASE = 900_000_000  # Telegram ids of sandbox users: base + person id

HELP = (
    "Пишите сообщения как в Telegram (например /help). Кнопки: !1, !2, … — нажать кнопку "
    "последнего сообщения с кнопками. !who — сменить пользователя, !quit — выход."
)


async def run_sandbox(settings: Settings, as_person: str | None) -> int:
    for noisy in ("telegram", "apscheduler", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    await asyncio.to_thread(upgrade_to_head, SANDBOX_DATABASE)
    engine = make_engine(SANDBOX_DATABASE)
    factory = make_session_factory(engine)
    async with unit_of_work(factory) as session:
        await load_demo(session, ttl=timedelta(days=7))
        people = list(await session.scalars(select(Person).order_by(Person.id)))

    from bot.app import build_application

    fake = FakeTelegram(token=SANDBOX_TOKEN, bot_username="shnor500_sandbox_bot")
    await fake.start()
    sandbox_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_base_url": fake.base_url,
            "telegram_api_base_file_url": fake.base_file_url,
            "database_url": SANDBOX_DATABASE,
        }
    )
    application = build_application(sandbox_settings, factory, rate_limiter=False)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await _chat(fake, factory, people, as_person)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await fake.stop()
        await engine.dispose()
    return 0


async def _choose_person(people: list[Person], as_person: str | None) -> Person:
    if as_person:
        for person in people:
            if as_person.lower() in person.full_name.lower():
                return person
        print(f"Нет демо-пользователя «{as_person}».")
    for number, person in enumerate(people, start=1):
        print(f"{number:2}. {person.full_name} — {person.position or ''}")
    while True:
        answer = (await asyncio.to_thread(input, "Номер пользователя: ")).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(people):
            return people[int(answer) - 1]


async def _bind(factory: SessionFactory, person: Person) -> int:
    """Give the demo person a sandbox Telegram account, once."""
    telegram_id = SANDBOX_ID_BASE + person.id
    async with unit_of_work(factory) as session:
        bound = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.person_id == person.id)
        )
        if bound is None:
            session.add(
                TelegramAccount(
                    person_id=person.id,
                    telegram_user_id=telegram_id,
                    chat_id=telegram_id,
                    bound_at=utcnow(),
                )
            )
            return telegram_id
        return bound.telegram_user_id


def _show(message: SentMessage) -> None:
    marker = "✎ " if message.edited else ""
    print(f"\n🤖 {marker}{message.plain_text}")
    if message.document_name:
        print(f"   📎 файл: {message.document_name}")
    number = 0
    for row in message.buttons:
        labels = []
        for text, _data in row:
            number += 1
            labels.append(f"[{number}] {text}")
        print("   " + "  ".join(labels))


async def _chat(
    fake: FakeTelegram, factory: SessionFactory, people: list[Person], as_person: str | None
) -> None:
    print(HELP)
    person = await _choose_person(people, as_person)
    user: FakeUser = fake.user(await _bind(factory, person), first_name=person.full_name)
    print(f"Вы — {person.full_name}. Начните с /start или /help.")
    shown = len(fake.sent)
    printer = asyncio.create_task(_print_new(fake, lambda: user.id, lambda: shown))
    try:
        while True:
            line = (await asyncio.to_thread(input, "> ")).strip()
            if line in {"!quit", "!q"}:
                return
            if line == "!who":
                person = await _choose_person(people, None)
                user = fake.user(await _bind(factory, person), first_name=person.full_name)
                continue
            answered = _answers_to(fake, user.id)
            if line.startswith("!") and line[1:].isdigit():
                if not _press(fake, user, int(line[1:])):
                    continue
            elif line:
                fake.send_text(user, line)
            else:
                continue
            await _await_answer(fake, user.id, answered)
    finally:
        printer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer


def _answers_to(fake: FakeTelegram, chat_id: int) -> int:
    return sum(1 for message in fake.sent if message.chat_id == chat_id)


async def _await_answer(fake: FakeTelegram, chat_id: int, before: int) -> None:
    """Until the bot has said something back (however busy the machine), then a moment
    more for the rest of a multi-message answer; a step that answers nothing waits 10 s."""
    with contextlib.suppress(TimeoutError):
        await fake.wait_for(lambda: _answers_to(fake, chat_id) > before, limit=10)
    await asyncio.sleep(0.3)


def _press(fake: FakeTelegram, user: FakeUser, number: int) -> bool:
    """Press button `number` of the last message with buttons; False if there is none."""
    for message in reversed(fake.messages_to(user.id)):
        flat = [(text, data) for row in message.buttons for text, data in row]
        if flat:
            if 1 <= number <= len(flat):
                fake.press(user, message.message_id, flat[number - 1][1])
                return True
            print("Нет кнопки с таким номером.")
            return False
    print("Нет сообщений с кнопками.")
    return False


async def _print_new(
    fake: FakeTelegram, user_id: Callable[[], int], start: Callable[[], int]
) -> None:
    seen = start()
    while True:
        await asyncio.sleep(0.1)
        new = fake.sent[seen:]
        seen += len(new)
        for message in new:
            if message.chat_id == user_id():
                _show(message)

"""Telegram failing under the bot: replies retried, nothing stored twice, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.models import Visit
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def _to_summary(bot: BotHarness) -> object:
    curator = await bot.login("Телятников Александр Юрьевич")
    await bot.send(curator, "/visit")
    await bot.press(curator, "СШ № 35")
    await bot.press(curator, texts.BUTTON_TODAY)
    await bot.press(curator, "Консультация по телефону")
    await bot.send(curator, "Подготовка к ГИА")
    await bot.press(curator, "Педагоги")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.send(curator, "Выявлено")
    await bot.send(curator, "Рекомендовано")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.press(curator, texts.BUTTON_DONE)
    return curator


async def _visits(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(Visit.id))) or 0)


async def test_a_failing_reply_is_retried_and_the_visit_saved_once(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    curator = await _to_summary(bot)
    bot.fake.inject_fault("editMessageText", 502, "Bad Gateway")
    reply = await bot.press(curator, texts.BUTTON_SAVE)
    assert texts.VISIT_SAVED in reply.text  # the second attempt got through
    assert await _visits(session_factory) == 1


async def test_telegram_down_for_the_reply_loses_the_message_not_the_visit(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    curator = await _to_summary(bot)
    bot.fake.inject_fault("editMessageText", 500, "Internal Server Error", times=2)
    reply = await bot.press(curator, texts.BUTTON_SAVE)
    assert texts.INTERNAL_ERROR not in reply.text  # no false «не сохранено»
    assert await _visits(session_factory) == 1
    again = await bot.press(curator, texts.BUTTON_SAVE)  # the user taps again, unsure
    assert texts.VISIT_SAVED not in again.everything
    assert await _visits(session_factory) == 1
    assert "всего 1" in (await bot.send(curator, "/visits")).text


async def test_a_duplicated_update_is_handled_once(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    curator = await _to_summary(bot)
    message = bot.fake.last_message(curator.id)
    assert message is not None
    update = {
        "update_id": 9_999_001,
        "callback_query": {
            "id": "dup-1",
            "from": curator.as_json(),
            "chat_instance": "c",
            "data": "vis:save",
            "message": {
                "message_id": message.message_id,
                "date": 0,
                "chat": curator.chat_json(),
                "text": "x",
            },
        },
    }
    await bot.send_raw(curator, dict(update))
    await bot.send_raw(
        curator, dict(update, callback_query={**update["callback_query"], "id": "dup-2"})
    )
    assert await _visits(session_factory) == 1

"""Telegram failing under the bot: replies retried, nothing stored twice, nothing lost."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.models import Visit
from tests.support.flows import visit_card
from tests.support.harness import BotHarness


async def _visits(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(Visit.id))) or 0)


async def test_a_failing_reply_is_retried_and_the_visit_saved_once(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await visit_card(bot)  # the demo data loaded, the clock set
    bot.fake.inject_fault("editMessageText", 502, "Bad Gateway")
    reply = await bot.press(curator, texts.BUTTON_SAVE)
    assert texts.VISIT_SAVED in reply.text  # the second attempt got through
    assert await _visits(session_factory) == 1


async def test_telegram_down_for_the_reply_loses_the_message_not_the_visit(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await visit_card(bot)  # the demo data loaded, the clock set
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
    curator = await visit_card(bot)  # the demo data loaded, the clock set
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

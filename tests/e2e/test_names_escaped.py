"""Names the bot did not write itself (a school's, from the registry) shown as they are."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import texts
from bot.db import SessionFactory
from bot.services.reporting.report_data import school_year_start
from tests.support.factories import load_demo_data, school_named
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, assert_answered_safely
from tests.support.personas import PLOTNIKOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
NAME = "СШ № 17 «Наука & <Жизнь>»"


async def test_the_half_year_report_caption_shows_a_school_name_with_markup_as_it_is(
    bot: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        (await school_named(session, "СШ № 17")).short_name = NAME
        await session.commit()
    bot.clock.set(NOW)
    coordinator = await bot.login(PLOTNIKOVA)
    await bot.send(coordinator, "/report")
    await bot.press(coordinator, texts.half_button(1, school_year_start(NOW.date())))
    reply = await bot.press(coordinator, NAME)
    assert_answered_safely(reply, bot.fake, logged_errors)
    document = reply.last
    assert document.document_bytes
    assert NAME in document.plain_text, document.text

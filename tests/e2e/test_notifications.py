"""Reminders as a person meets them: delivered with buttons, snoozed, muted; /digest."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import Notification, Person
from bot.scheduler.sender import OutboxSender
from bot.services.roadmaps import reminders as roadmap_reminders
from bot.services.roadmaps.roadmap_import import HEADERS
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, TELYATNIKOV
from tests.support.roadmap_files import table_to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_reminder_snooze_mute_and_digest(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))  # Tuesday 10:00 in Yekaterinburg
    director = await bot.login(GAREEVA)
    await bot.send(director, "/import")
    rows = [HEADERS, ["1", "Р", "", "Педсовет по итогам ВПР", "31.05.2020", "", ""]]
    await bot.send_document(director, "plan.xlsx", table_to_xlsx(rows), XLSX)
    await bot.press(director, texts.BUTTON_UPLOAD)

    async with session_factory() as session:
        await roadmap_reminders.deadline_sweep(session, datetime(2020, 5, 31, 5, tzinfo=UTC))
        await session.commit()
    assert bot.application is not None
    sender = OutboxSender(bot.application.bot, session_factory, bot.clock)
    report = await sender.drain()
    assert report.sent == 2  # on the day and, caught up, the day before: the one bound director
    message = bot.fake.last_message(director.id)
    assert message is not None and "Срок мероприятия" in message.plain_text
    assert message.button_texts[:2] == [texts.BUTTON_REPORT, texts.BUTTON_SNOOZE_1]

    reply = await bot.press(director, texts.BUTTON_SNOOZE_1)
    assert reply.alerts == [texts.snoozed_until(date(2026, 11, 25))]
    async with session_factory() as session:
        snoozed = (
            await session.scalars(
                select(Notification).where(Notification.dedupe_key.like("%snoozed%"))
            )
        ).one()
    assert snoozed.due_at == datetime(2026, 11, 25, 4, 0, tzinfo=UTC)

    reply = await bot.send(director, "/settings")
    reply = await bot.press(director, texts.settings_button("digest", False))
    assert texts.settings_button("digest", True) in reply.last.button_texts
    async with session_factory() as session:
        person = (await session.scalars(select(Person).where(Person.full_name == GAREEVA))).one()
    assert person.muted_kinds == ["digest"]

    reply = await bot.send(director, "/digest")
    assert "Дайджест недели" in reply.text
    assert "СШ № 17" in reply.text and "просрочено 1" in reply.text

    curator = await bot.login(TELYATNIKOV)
    forged = await bot.press_data(curator, message.message_id, f"ntf:sz:{snoozed.id}:1")
    assert forged.alerts == [texts.ERRORS["snooze_unknown"]]


async def test_digest_week_is_the_local_week(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    # Monday 00:30 in Yekaterinburg, still Sunday in UTC: the new week has begun there.
    bot.clock.set(datetime(2026, 11, 29, 19, 30, tzinfo=UTC))
    coordinator = await bot.login(PLOTNIKOVA)
    reply = await bot.send(coordinator, "/digest")
    assert "(с 30.11.2026)" in reply.text

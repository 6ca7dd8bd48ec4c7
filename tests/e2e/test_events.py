"""An event's whole life through the chat: create, announce, sign up, edit, remind, results."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import Event, EventRegistration, Notification
from bot.scheduler.sender import OutboxSender
from bot.services.events import event_reminders
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 Yekaterinburg


async def _deliver(bot: BotHarness, session_factory: SessionFactory) -> int:
    assert bot.application is not None
    return (await OutboxSender(bot.application.bot, session_factory, bot.clock).drain()).sent


async def test_create_announce_sign_up_edit_remind_results_feedback(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    coordinator = await bot.login(PLOTNIKOVA)
    director = await bot.login(GAREEVA)

    reply = await bot.send(coordinator, "/event_new")
    assert "Круглый стол" in reply.last.button_texts
    await bot.press(coordinator, "Круглый стол")
    reply = await bot.send(coordinator, "я" * 5000)
    assert "Слишком длинный текст" in reply.text
    await bot.send(coordinator, "ВСОКО: механизмы оценки <качества>")
    reply = await bot.send(coordinator, "01.11.2026 14:00")
    assert reply.text == texts.ERRORS["event_start_past"]
    reply = await bot.send(coordinator, "01.12.2026 14:30")
    assert texts.EVENT_DURATION in reply.text
    await bot.press(coordinator, "120")
    await bot.press(coordinator, "СШ № 22")
    await bot.send(coordinator, "Определить механизмы управления качеством")
    await bot.press(coordinator, texts.EVENT_AUDIENCE_LABELS["project_schools"])
    reply = await bot.send(coordinator, "много")
    assert reply.text == texts.ERRORS["event_capacity"]
    await bot.send(coordinator, "25")
    reply = await bot.press(coordinator, texts.BUTTON_SKIP)
    card = reply.last.plain_text
    assert "Название: ВСОКО: механизмы оценки <качества>" in card
    assert "Начало: 01.12.2026 14:30, 120 мин." in card and "25 мест" in card
    assert "Средняя школа № 22" in card
    reply = await bot.press(coordinator, texts.BUTTON_PUBLISH)
    assert reply.text == texts.EVENT_PUBLISHED

    async with session_factory() as session:
        invited = (
            await session.scalars(
                select(Notification.recipient_person_id).where(
                    Notification.dedupe_key.like("%:announce:%")
                )
            )
        ).all()
    assert len(invited) == 7  # the seven directors of the project list
    assert await _deliver(bot, session_factory) == 1  # only one of them has bound Telegram
    announcement = bot.fake.last_message(director.id)
    assert announcement is not None and announcement.method == "sendDocument"
    assert (announcement.document_bytes or b"").startswith(b"BEGIN:VCALENDAR")
    assert "01.12.2026 14:30" in announcement.plain_text

    reply = await bot.press(director, texts.BUTTON_SIGN_UP)
    assert reply.alerts == [texts.EVENT_SIGNED_UP]
    async with session_factory() as session:
        event = (
            await session.scalars(
                select(Event).where(Event.title.like("ВСОКО: механизмы оценки <%"))
            )
        ).one()
    reply = await bot.send(coordinator, "/events")
    assert "ВСОКО" in reply.text
    reply = await bot.press_data(coordinator, reply.last.message_id, f"ev:o:{event.id}")
    assert "Записались: 1 из 25" in reply.text
    await bot.press(coordinator, texts.BUTTON_EDIT)
    await bot.press(coordinator, "Место")
    reply = await bot.send(coordinator, "Актовый зал СШ № 22")
    assert reply.text == texts.EVENT_EDITED
    assert await _deliver(bot, session_factory) == 1
    assert (
        "Изменения в мероприятии" in (bot.fake.last_message(director.id) or announcement).plain_text
    )

    async with session_factory() as session:
        await event_reminders.event_sweep(session, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
        await session.commit()
    bot.clock.set(datetime(2026, 11, 30, 9, 31, tzinfo=UTC))  # a day before, 14:31 local
    assert await _deliver(bot, session_factory) == 1
    assert "Завтра" in (bot.fake.last_message(director.id) or announcement).plain_text

    bot.clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # after the event
    reply = await bot.press_data(coordinator, reply.last.message_id, f"ev:o:{event.id}")
    await bot.press(coordinator, texts.BUTTON_PARTICIPANTS)
    reply = await bot.press(coordinator, GAREEVA)
    assert f"✅ {GAREEVA}" in reply.last.plain_text
    await bot.press_data(coordinator, reply.last.message_id, f"ev:rs:{event.id}")
    reply = await bot.send_document(coordinator, "раздатка.pdf", b"%PDF-1.4", "application/pdf")
    assert reply.text == texts.event_materials_added(1)
    reply = await bot.send(coordinator, "Определены механизмы, решения приняты")
    assert reply.text == texts.EVENT_RESULTS_SAVED
    reply = await bot.press_data(coordinator, reply.last.message_id, f"ev:rf:{event.id}")
    assert reply.alerts == [texts.EVENT_FEEDBACK_SENT.format(count=1)]
    await _deliver(bot, session_factory)
    reply = await bot.press(director, "5")
    assert texts.EVENT_FEEDBACK_THANKS in reply.text
    reply = await bot.send(director, "Полезно, спасибо")
    assert reply.text == texts.EVENT_FEEDBACK_SAVED
    coordinator_message = bot.fake.last_message(coordinator.id)
    assert coordinator_message is not None
    reply = await bot.press_data(coordinator, coordinator_message.message_id, f"ev:fs:{event.id}")
    assert "Отзывы: 1, средняя оценка 5.0" in reply.text and "Полезно, спасибо" in reply.text
    async with session_factory() as session:
        registration = (await session.scalars(select(EventRegistration))).one()
    assert (registration.attended, registration.feedback_rating) == (True, 5)


async def test_refusals(bot: BotHarness, session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    curator = await bot.login(SMIRNOVA)
    assert (await bot.send(curator, "/event_new")).text == texts.REFUSED
    director = await bot.login(GAREEVA)
    reply = await bot.send(director, "/events")
    finished = (await bot.press_data(director, reply.last.message_id, "ev:su:1")).alerts
    assert finished == [texts.ERRORS["event_not_open"]]  # the demo's 2022 events are over
    forged = await bot.press_data(director, reply.last.message_id, "ev:cy:1")
    assert forged.alerts == [texts.REFUSED]

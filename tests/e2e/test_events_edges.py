"""Events through the chat at their edges: waiting list, outsiders, cancellation, two editors."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api.records import FakeUser
from bot.models import Event, Notification, NotificationState
from bot.scheduler.sender import OutboxSender
from bot.services.events import events
from bot.services.events.events import EventDraft
from tests.support.factories import actor_for, load_demo_data, person_named
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA, ZYKOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 Yekaterinburg
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 03.12.2026 14:00 Yekaterinburg


async def _deliver(bot: BotHarness, session_factory: SessionFactory) -> int:
    assert bot.application is not None
    return (await OutboxSender(bot.application.bot, session_factory, bot.clock).drain()).sent


async def _published(
    bot: BotHarness, session_factory: SessionFactory, capacity: int | None
) -> tuple[int, FakeUser]:
    """The demo city, its coordinator bound, and an event she has published."""
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    coordinator = await bot.login(PLOTNIKOVA)
    async with session_factory() as session:
        actor = await actor_for(session, await person_named(session, PLOTNIKOVA))
        draft = EventDraft(
            format="pecha_kucha",
            title="Печа-куча «Лучшие практики»",
            starts_at=START.isoformat(),
            capacity=capacity,
        )
        event = await events.publish(session, actor, draft, NOW)
        await session.commit()
        return event.id, coordinator


async def test_waiting_list_and_withdrawal_through_the_chat(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    event_id, _coordinator = await _published(bot, session_factory, capacity=1)
    bot.clock.set(NOW)
    first = await bot.login(GAREEVA)
    second = await bot.login("Руднева О.В.")
    assert await _deliver(bot, session_factory) == 2
    assert (await bot.press(first, texts.BUTTON_SIGN_UP)).alerts == [texts.EVENT_SIGNED_UP]
    assert (await bot.press(second, texts.BUTTON_SIGN_UP)).alerts == [texts.EVENT_WAITLISTED]
    # A second tap changes nothing and takes no second place.
    assert (await bot.press(first, texts.BUTTON_SIGN_UP)).alerts == [texts.EVENT_SIGNED_UP]

    assert (await bot.press(first, texts.BUTTON_DECLINE)).alerts == [texts.EVENT_DECLINED]
    assert await _deliver(bot, session_factory) == 1
    promoted = bot.fake.last_message(second.id)
    assert promoted is not None and "Печа-куча" in promoted.plain_text
    assert promoted.plain_text.startswith("Освободилось место: вы записаны")
    async with session_factory() as session:
        reminders = dict(
            (
                await session.execute(
                    select(Notification.recipient_person_id, func.count())
                    .where(
                        Notification.dedupe_key.like(f"event {event_id}:remind:%"),
                        Notification.state == NotificationState.PENDING,
                    )
                    .group_by(Notification.recipient_person_id)
                )
            ).all()
        )
        promoted_person = await person_named(session, "Руднева О.В.")
    assert reminders == {promoted_person.id: 2}  # the one who withdrew has none left


async def test_outsider_cancelled_event_and_two_editors(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    event_id, first = await _published(bot, session_factory, capacity=None)
    bot.clock.set(NOW)
    director = await bot.login(GAREEVA)
    curator = await bot.login(SMIRNOVA)
    second = await bot.login(ZYKOVA)
    await _deliver(bot, session_factory)
    assert (await bot.press(director, texts.BUTTON_SIGN_UP)).alerts == [texts.EVENT_SIGNED_UP]

    # The audience is the schools' teams: a curator forging the button is refused.
    reply = await bot.send(curator, "/events")
    forged = await bot.press_data(curator, reply.last.message_id, f"ev:su:{event_id}")
    assert forged.alerts == [texts.ERRORS["event_not_for_you"]]

    # Two coordinators open the same card and both start changing it.
    for coordinator in (first, second):
        reply = await bot.send(coordinator, "/events")
        await bot.press_data(coordinator, reply.last.message_id, f"ev:o:{event_id}")
        await bot.press(coordinator, texts.BUTTON_EDIT)
    await bot.press(first, texts.EVENT_EDIT_FIELDS["title"])
    await bot.press(second, texts.EVENT_EDIT_FIELDS["description"])
    assert (await bot.send(first, "Печа-куча: практики ВСОКО")).text == texts.EVENT_EDITED
    reply = await bot.send(second, "Регламент: 20 слайдов по 20 секунд")
    assert reply.text == texts.ERRORS["event_edited_by_other"]
    async with session_factory() as session:
        assert (await session.get(Event, event_id)).description is None  # type: ignore[union-attr]
    # Opened again, the card carries the new version and her change goes through.
    reply = await bot.send(second, "/events")
    await bot.press_data(second, reply.last.message_id, f"ev:o:{event_id}")
    await bot.press(second, texts.BUTTON_EDIT)
    await bot.press(second, texts.EVENT_EDIT_FIELDS["description"])
    reply = await bot.send(second, "Регламент: 20 слайдов по 20 секунд")
    assert reply.text == texts.EVENT_EDITED
    async with session_factory() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert (event.title, event.description, event.version) == (
        "Печа-куча: практики ВСОКО",
        "Регламент: 20 слайдов по 20 секунд",
        3,
    )
    assert await _deliver(bot, session_factory) == 2  # once for each of the two changes

    reply = await bot.send(first, "/events")
    await bot.press_data(first, reply.last.message_id, f"ev:o:{event_id}")
    await bot.press(first, texts.BUTTON_CANCEL_EVENT)
    assert (await bot.press(first, texts.BUTTON_YES_CANCEL_EVENT)).text == (
        texts.EVENT_CANCELLED_DONE
    )
    again = await bot.press_data(first, reply.last.message_id, f"ev:cy:{event_id}")
    assert again.alerts == [texts.ERRORS["event_not_open"]]
    assert await _deliver(bot, session_factory) == 1  # told once, not twice
    assert "отменено" in (bot.fake.last_message(director.id) or reply.last).plain_text
    late = await bot.press_data(director, reply.last.message_id, f"ev:su:{event_id}")
    assert late.alerts == [texts.ERRORS["event_not_open"]]
    async with session_factory() as session:
        pending = await session.scalar(
            select(func.count(Notification.id)).where(
                Notification.dedupe_key.like(f"event {event_id}:remind:%"),
                Notification.state == NotificationState.PENDING,
            )
        )
    assert pending == 0


async def test_wrong_inputs_while_creating(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    coordinator = await bot.login(PLOTNIKOVA)
    await bot.send(coordinator, "/event_new")
    await bot.press(coordinator, "Круглый стол")
    reply = await bot.send_sticker(coordinator)
    assert reply.text == texts.TEXT_EXPECTED  # and the question stays open
    await bot.send(coordinator, "Круглый стол по ВПР")
    reply = await bot.send(coordinator, "31.02.2027 10:00")
    assert reply.text == texts.ERRORS["date_impossible"]
    reply = await bot.send(coordinator, "завтра в обед")
    assert reply.text == texts.ERRORS["event_datetime_unreadable"]
    await bot.send(coordinator, "01.12.2026 10:00")
    for wrong in ("0", "-30", "весь день"):
        assert (await bot.send(coordinator, wrong)).text == texts.ERRORS["event_duration"]
    reply = await bot.send(coordinator, "/cancel")
    assert reply.text == texts.CANCELLED
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Event.id)).where(Event.starts_at > NOW)) == 0

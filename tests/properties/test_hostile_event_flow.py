"""/event_new with hostile input at every step (one bot for all examples, see the visit test)."""

from __future__ import annotations

from hypothesis import given, settings
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.handlers.events.event_create import DRAFT
from bot.models import Event
from bot.scheduler.sender import OutboxSender
from tests.support.harness import BotHarness, Reply
from tests.support.hostile import (
    ErrorLog,
    Hostile,
    Walk,
    assert_answered_safely,
    assert_shown_literally,
    hostile_inputs,
    hostile_texts,
    one_bot,
    with_classics,
)
from tests.support.personas import COORDINATOR, CURATOR

ONE_BOT = one_bot(max_examples=30)


async def _events(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(Event.id))) or 0)


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_every_event_step_answers_hostile_input_safely(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    coordinator = await demo.login(COORDINATOR)
    before = await _events(session_factory)
    walk = Walk(demo, coordinator, value, logged_errors)
    press = demo.press
    await walk.begin("/event_new")
    await walk.step("format", valid=lambda: press(coordinator, "Круглый стол"))
    await walk.step("title", moved_on=texts.EVENT_START, valid="Круглый стол по ВПР")
    await walk.step("start", moved_on=texts.EVENT_DURATION, valid="01.12.2026 10:00")
    await walk.step("duration", moved_on=texts.EVENT_PLACE, valid="90")
    await walk.step("place", moved_on=texts.EVENT_GOAL, valid="Актовый зал")
    taken = await walk.step("goal", moved_on=texts.EVENT_AUDIENCE, valid="Обсудить итоги")
    label = texts.EVENT_AUDIENCE_LABELS["curators"]
    await walk.step("audience", valid=lambda: press(coordinator, label))
    await walk.step("capacity", moved_on=texts.EVENT_DESCRIPTION, valid="30")
    await walk.step("description", moved_on="Проверьте мероприятие", valid="Регламент")
    card = demo.fake.last_message(coordinator.id)
    assert card is not None and texts.BUTTON_PUBLISH in card.button_texts, card
    if taken:
        assert_shown_literally(card.plain_text, value)
    await walk.step("card", valid=lambda: press(coordinator, texts.BUTTON_CHANGE))
    await walk.step("which field", valid=lambda: press(coordinator, "Для кого"))
    label = texts.EVENT_AUDIENCE_LABELS["chosen_schools"]
    await walk.step("audience again", valid=lambda: press(coordinator, label))
    await walk.step("schools", valid=lambda: press(coordinator, "СШ № 17"))
    await walk.step("schools done", valid=lambda: press(coordinator, texts.BUTTON_DONE))
    await walk.step("card again")
    assert await _events(session_factory) == before  # nothing stored before «Опубликовать»

    walk.check(await demo.send(coordinator, "/cancel"), "cancel")
    await walk.assert_no_draft(DRAFT)
    assert await _events(session_factory) == before


@settings(ONE_BOT, max_examples=15)
@with_classics()
@given(value=hostile_texts())
async def test_an_event_published_with_hostile_text_is_announced_escaped(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    """Past the card: the announcement (text, buttons, .ics) to every invited curator carries
    the title and place escaped, and Telegram accepts it."""
    coordinator = await demo.login(COORDINATOR)
    curator = await demo.login(CURATOR)
    walk = Walk(demo, coordinator, value, logged_errors)
    await walk.begin("/event_new")
    await demo.press(coordinator, "Семинар")
    title = await walk.step("title", moved_on=texts.EVENT_START, valid="Семинар по ВПР")
    await demo.send(coordinator, "01.12.2026 10:00")
    await demo.send(coordinator, "90")
    await walk.step("place", moved_on=texts.EVENT_GOAL, valid="Актовый зал")
    await demo.press(coordinator, texts.BUTTON_SKIP)
    await demo.press(coordinator, texts.EVENT_AUDIENCE_LABELS["curators"])
    await demo.press(coordinator, texts.BUTTON_NO_LIMIT)
    await walk.step("description", moved_on="Проверьте мероприятие", valid="Регламент")
    before = await _events(session_factory)
    walk.check(await demo.press(coordinator, texts.BUTTON_PUBLISH), "publish")
    assert await _events(session_factory) == before + 1

    assert demo.application is not None
    told = len(demo.fake.messages_to(curator.id))
    await OutboxSender(demo.application.bot, session_factory, demo.clock).drain()
    assert demo.fake.errors == [], demo.fake.errors
    assert logged_errors.records == [], logged_errors.describe()
    announcement = [m for m in demo.fake.messages_to(curator.id)[told:] if m.text]
    assert announcement, "the curator was not invited"
    reply = Reply(messages=announcement)
    assert_answered_safely(reply, demo.fake, logged_errors, sent=value)
    if title:
        assert_shown_literally(reply.text, Hostile("text", " ".join(value.text.split())))

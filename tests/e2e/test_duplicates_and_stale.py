"""The same update delivered twice, the same button tapped twice before the first tap was
answered, and buttons of a conversation that already ended — for the import's «Загрузить»
and the event's «Опубликовать» (the visit's «Сохранить» is in test_faults.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api.updates import message_json, text_content
from bot.models import AuditRecord, Event, Notification, Roadmap, RoadmapItem, Visit
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, assert_answered_safely, press_safely
from tests.support.personas import COORDINATOR, DIRECTOR_17, SMIRNOVA
from tests.support.roadmap_files import seed_plan_xlsx

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _count(factory: SessionFactory, model: type, *where) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _imports(factory: SessionFactory) -> int:
    return await _count(factory, AuditRecord, AuditRecord.action == "roadmap.imported")


async def _preview(bot: BotHarness, user) -> int:  # type: ignore[no-untyped-def]
    """/import and the seed plan: the message id of the preview with «Загрузить»."""
    await bot.send(user, "/import")
    reply = await bot.send_document(user, "plan.xlsx", seed_plan_xlsx(), XLSX)
    assert texts.BUTTON_UPLOAD in reply.last.button_texts
    return reply.last.message_id


async def test_import_confirmed_by_a_repeated_update_or_a_double_tap_loads_once(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    director = await demo.login(DIRECTOR_17)
    preview = await _preview(demo, director)
    update = {"update_id": 8_000_001, **demo.fake.callback_update(director, preview, "rm:imp:ok")}
    reply = await demo.send_raw_together(director, [update, update])
    assert_answered_safely(reply, demo.fake, logged_errors)
    assert reply.text.count("Дорожная карта загружена") == 1
    assert await _imports(session_factory) == 1
    assert await _count(session_factory, RoadmapItem) == 25

    preview = await _preview(demo, director)  # the same plan again: updates, adds nothing
    taps = [demo.fake.callback_update(director, preview, "rm:imp:ok") for _ in range(2)]
    reply = await demo.send_raw_together(director, taps)
    assert_answered_safely(reply, demo.fake, logged_errors)
    assert reply.text.count("Дорожная карта загружена") == 1
    assert reply.alerts == [texts.STALE_BUTTON]  # the second tap: the import is over
    assert await _imports(session_factory) == 2
    assert await _count(session_factory, RoadmapItem) == 25
    assert await _count(session_factory, Roadmap) == 1


async def _to_event_card(bot: BotHarness, user) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Through /event_new to the card: the ids of the first question and of the card."""
    first = (await bot.send(user, "/event_new")).last.message_id
    await bot.press(user, "Круглый стол")
    await bot.send(user, "Круглый стол по ВПР")
    await bot.send(user, "01.12.2026 10:00")
    await bot.send(user, "90")
    await bot.send(user, "Актовый зал")
    await bot.press(user, texts.BUTTON_SKIP)
    await bot.press(user, texts.EVENT_AUDIENCE_LABELS["curators"])
    await bot.press(user, texts.BUTTON_NO_LIMIT)
    reply = await bot.press(user, texts.BUTTON_SKIP)
    assert texts.BUTTON_PUBLISH in reply.last.button_texts
    return first, reply.last.message_id


async def test_event_published_by_a_repeated_update_or_a_double_tap_once(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    coordinator = await demo.login(COORDINATOR)
    events_before = await _count(session_factory, Event)
    rows_before = await _count(session_factory, Notification)
    _, card = await _to_event_card(demo, coordinator)
    update = {"update_id": 8_100_001, **demo.fake.callback_update(coordinator, card, "ev:pub")}
    reply = await demo.send_raw_together(coordinator, [update, update])
    assert_answered_safely(reply, demo.fake, logged_errors)
    assert reply.text.count(texts.EVENT_PUBLISHED) == 1
    assert await _count(session_factory, Event) == events_before + 1
    announcements = await _count(session_factory, Notification) - rows_before
    assert announcements > 0

    _, card = await _to_event_card(demo, coordinator)
    taps = [demo.fake.callback_update(coordinator, card, "ev:pub") for _ in range(2)]
    reply = await demo.send_raw_together(coordinator, taps)
    assert_answered_safely(reply, demo.fake, logged_errors)
    assert reply.text.count(texts.EVENT_PUBLISHED) == 1
    assert reply.alerts == [texts.STALE_BUTTON]
    assert await _count(session_factory, Event) == events_before + 2
    # Both events told the same people, once each.
    assert await _count(session_factory, Notification) == rows_before + 2 * announcements


async def test_a_typed_answer_delivered_twice_is_one_answer(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    coordinator = await demo.login(COORDINATOR)
    await demo.send(coordinator, "/event_new")
    await demo.press(coordinator, "Круглый стол")
    title = {
        "update_id": 8_200_001,
        "message": message_json(coordinator, 90_001, **text_content("Круглый стол по ВПР")),
    }
    reply = await demo.send_raw_together(coordinator, [title, title])
    assert_answered_safely(reply, demo.fake, logged_errors)
    # Handled twice, the title would also have been read as the start and refused.
    assert reply.text == texts.EVENT_START
    await demo.send(coordinator, "/cancel")


async def test_buttons_of_finished_conversations_are_stale(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    coordinator = await demo.login(COORDINATOR)
    first, card = await _to_event_card(demo, coordinator)
    await demo.press(coordinator, texts.BUTTON_PUBLISH)
    published = await _count(session_factory, Event)
    for message_id, data in [
        (card, "ev:pub"),
        (card, "ev:chg"),
        (card, "ev:x"),
        (first, "ev:fm:seminar"),
        (first, "ev:du:90"),
        (first, "ev:au:everyone"),
        (first, "ev:cf:title"),
    ]:
        reply = await press_safely(demo, coordinator, data, logged_errors, message_id=message_id)
        assert reply.alerts == [texts.STALE_BUTTON], data
    assert await _count(session_factory, Event) == published

    director = await demo.login(DIRECTOR_17)
    preview = await _preview(demo, director)
    await demo.send(director, "/cancel")
    for data in ("rm:imp:ok", "rm:yr:2026", "rm:x"):
        reply = await press_safely(demo, director, data, logged_errors, message_id=preview)
        assert reply.alerts == [texts.STALE_BUTTON], data
    assert await _count(session_factory, RoadmapItem) == 0


async def test_buttons_of_a_saved_visit_s_form_are_stale(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    curator = await demo.login(SMIRNOVA)
    first = (await demo.send(curator, "/visit")).last.message_id
    await demo.press(curator, "СШ № 17")
    await demo.press(curator, texts.BUTTON_TODAY)
    await demo.press(curator, "Выезд в школу")
    await demo.send(curator, "Тема")
    await demo.press(curator, "Педагоги")
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.send(curator, "Выявлено")
    await demo.send(curator, "Рекомендовано")
    await demo.press(curator, texts.BUTTON_DONE)
    card = (await demo.press(curator, texts.BUTTON_DONE)).last.message_id
    await demo.press(curator, texts.BUTTON_SAVE)
    saved = await _count(session_factory, Visit)
    for message_id, data in [
        (card, "vis:save"),
        (card, "vis:chg"),
        (card, "vis:x"),
        (first, "vis:s:1"),
        (first, "vis:dt:0"),
        (first, "vis:p:teachers"),
        (first, "vis:ef:findings"),
    ]:
        reply = await press_safely(demo, curator, data, logged_errors, message_id=message_id)
        assert reply.alerts == [texts.STALE_BUTTON], data
    assert await _count(session_factory, Visit) == saved == 1
    reply = await demo.send(curator, "Ещё выводы")  # no form is open any more
    assert reply.text == texts.UNEXPECTED_INPUT

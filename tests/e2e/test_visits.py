"""A curator records a visit by tapping; everything around it, end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.models import Attachment, AuditRecord, Notification, Visit, VisitFollowUp
from tests.support.factories import school_named
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg


async def _count(factory: SessionFactory, column, *where) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return int(await session.scalar(select(func.count(column)).where(*where)) or 0)


async def _fill_until_summary(bot: BotHarness, user, *, date_text: str | None = None) -> None:  # type: ignore[no-untyped-def]
    reply = await bot.send(user, "/visit")
    assert texts.VISIT_CHOOSE_SCHOOL in reply.text
    assert reply.last.button_texts == ["Лицей № 9", "СШ № 17"]
    reply = await bot.press(user, "СШ № 17")
    assert texts.VISIT_CHOOSE_DATE in reply.text
    if date_text is None:
        reply = await bot.press(user, texts.BUTTON_YESTERDAY)
    else:
        reply = await bot.send(user, date_text)
    assert texts.VISIT_CHOOSE_FORMAT in reply.text
    reply = await bot.press(user, "Выезд в школу")
    assert texts.VISIT_PURPOSE in reply.text
    await bot.send(user, "Анализ результатов ВПР по математике")
    await bot.press(user, "Директор")
    reply = await bot.press(user, "Заместитель по УВР")
    assert "✅ Директор" in reply.last.button_texts
    reply = await bot.press(user, texts.BUTTON_DONE)
    assert texts.VISIT_FINDINGS in reply.text
    reply = await bot.send(user, "Нет системы работы с неуспевающими <5 класс> & ШМО")
    assert texts.VISIT_RECOMMENDATIONS in reply.text
    reply = await bot.send(user, "Составить индивидуальные планы")
    assert "Договорённости" in reply.text
    reply = await bot.send(user, "Провести педсовет по итогам ВПР — 15.12.2026")
    assert "до 15.12.2026" in reply.text
    reply = await bot.press(user, texts.BUTTON_DONE)
    assert "Вложения" in reply.text
    reply = await bot.send_photo(user, b"\xff\xd8protocol-photo")
    assert "Добавлено вложений: 1" in reply.text
    await bot.send_document(user, "протокол.pdf", b"%PDF-1.4", "application/pdf")


async def test_whole_visit_by_buttons_is_saved_once_and_announced(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    curator = await bot.login(SMIRNOVA)
    await _fill_until_summary(bot, curator)
    reply = await bot.press(curator, texts.BUTTON_DONE)
    card = reply.last.plain_text
    assert "Проверьте посещение" in card
    assert "Школа: СШ № 17" in card and "Дата: 23.11.2026" in card
    assert "Формат: Выезд в школу" in card
    assert "Участники: Директор, Заместитель по УВР" in card
    assert "<5 класс> & ШМО" in card  # escaped on the way, shown as typed
    assert "Провести педсовет по итогам ВПР — до 15.12.2026" in card
    assert "Вложения: 2" in card

    reply = await bot.press(curator, texts.BUTTON_SAVE)
    assert texts.VISIT_SAVED in reply.text
    # A second tap on the same «Сохранить» is a stale button, not a second visit.
    message = bot.fake.last_message(curator.id)
    assert message is not None
    again = await bot.press_data(curator, message.message_id, "vis:save")
    assert again.alerts == [texts.STALE_BUTTON]

    async with session_factory() as session:
        visit = (await session.scalars(select(Visit))).one()
        school = await school_named(session, "СШ № 17")
        assert (visit.school_id, visit.visit_date) == (school.id, date(2026, 11, 23))
        assert visit.participants == ["director", "deputy_uvr"]
        follow_up = (await session.scalars(select(VisitFollowUp))).one()
        assert (follow_up.what, follow_up.due_date) == (
            "Провести педсовет по итогам ВПР",
            date(2026, 12, 15),
        )
        kinds = sorted(a.kind.value for a in await session.scalars(select(Attachment)))
        assert kinds == ["document", "photo"]
        audit = (await session.scalars(select(AuditRecord.action))).all()
        assert "visit.created" in audit
        keys = sorted((await session.scalars(select(Notification.dedupe_key))).all())
    # The director of СШ № 17 and both municipal coordinators, one row each.
    assert len(keys) == 3 and all(k.startswith(f"visit {visit.id}:saved:person ") for k in keys)


@pytest.mark.parametrize("typed", ["15.11.2026", "15.11.26", "15.11"])
async def test_typed_dates(demo: BotHarness, session_factory: SessionFactory, typed: str) -> None:
    curator = await demo.login(SMIRNOVA)
    await _fill_until_summary(demo, curator, date_text=typed)
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        assert (await session.scalars(select(Visit.visit_date))).one() == date(2026, 11, 15)


async def test_bad_dates_are_explained_and_the_step_repeats(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "Лицей № 9")
    for typed, message in [
        ("31.02.2026", texts.ERRORS["date_impossible"]),
        ("послезавтра", texts.ERRORS["date_unreadable"]),
        ("01.12.2026", texts.ERRORS["visit_date_future"]),
        ("01.09.2021", "Школа участвует в проекте с 2022 года"),
    ]:
        reply = await demo.send(curator, typed)
        assert message in reply.text
    reply = await demo.send(curator, "20.11.2026")
    assert texts.VISIT_CHOOSE_FORMAT in reply.text


async def test_calendar_picks_a_day(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "Лицей № 9")
    reply = await demo.press(curator, texts.BUTTON_OTHER_DAY)
    assert "Ноябрь 2026" in reply.last.button_texts
    assert "25" not in reply.last.button_texts  # the future is not offered
    reply = await demo.press(curator, "‹")
    assert "Октябрь 2026" in reply.last.button_texts
    reply = await demo.press(curator, "7")
    assert texts.VISIT_CHOOSE_FORMAT in reply.text


async def test_edit_a_field_from_the_summary_card(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _fill_until_summary(demo, curator)
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.press(curator, texts.BUTTON_CHANGE)
    reply = await demo.press(curator, "Рекомендации")
    assert texts.VISIT_RECOMMENDATIONS in reply.text
    reply = await demo.send(curator, "Новые рекомендации")
    assert "Рекомендации: Новые рекомендации" in reply.last.plain_text  # straight back to the card
    await demo.press(curator, texts.BUTTON_CHANGE)
    await demo.press(curator, "Формат")
    reply = await demo.press(curator, "Другое")
    reply = await demo.send(curator, "Методический десант")
    assert "Формат: Методический десант" in reply.last.plain_text
    await demo.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        visit = (await session.scalars(select(Visit))).one()
    assert visit.recommendations == "Новые рекомендации"
    assert visit.format_other == "Методический десант"


@pytest.mark.parametrize("steps", range(10))
async def test_cancel_at_any_step_stores_nothing(
    demo: BotHarness, session_factory: SessionFactory, steps: int
) -> None:
    curator = await demo.login(SMIRNOVA)
    actions = [
        ("send", "/visit"),
        ("press", "СШ № 17"),
        ("press", texts.BUTTON_TODAY),
        ("press", "Дистанционно (видеосвязь)"),
        ("send", "Тема"),
        ("press", "Педагоги"),
        ("press", texts.BUTTON_DONE),
        ("send", "Выявлено"),
        ("send", "Рекомендации"),
        ("press", texts.BUTTON_DONE),
    ]
    for kind, value in actions[: steps + 1]:
        await (demo.send if kind == "send" else demo.press)(curator, value)
    reply = await demo.send(curator, "/cancel")
    assert reply.text == texts.CANCELLED
    assert await _count(session_factory, Visit.id) == 0
    assert (await demo.send(curator, "Текст после отмены")).text == texts.UNEXPECTED_INPUT


async def test_restart_mid_conversation_loses_nothing(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "Лицей № 9")
    await demo.press(curator, texts.BUTTON_TODAY)
    await demo.press(curator, "Консультация по телефону")
    await demo.send(curator, "Подготовка к ОГЭ")
    await demo.restart()
    await demo.press(curator, "Родители")
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert texts.VISIT_FINDINGS in reply.text
    await demo.send(curator, "Выявлено")
    await demo.send(curator, "Рекомендовано")
    await demo.press(curator, texts.BUTTON_DONE)
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert "Цель: Подготовка к ОГЭ" in reply.last.plain_text
    assert "Школа: Лицей № 9" in reply.last.plain_text
    await demo.press(curator, texts.BUTTON_SAVE)
    assert await _count(session_factory, Visit.id) == 1


async def test_bad_input_gets_a_clear_answer(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    reply = await demo.send(curator, "СШ 17")  # typing where a button is asked
    assert reply.text == texts.USE_BUTTONS
    await demo.press(curator, "СШ № 17")
    await demo.press(curator, texts.BUTTON_TODAY)
    await demo.press(curator, "Выезд в школу")
    reply = await demo.send_sticker(curator)
    assert reply.text == texts.TEXT_EXPECTED
    reply = await demo.send(curator, "я" * 2001)
    assert "Слишком длинный текст: 2001 символов, допустимо до 2000" in reply.text
    reply = await demo.send(curator, "Нормальная тема")
    assert texts.VISIT_PARTICIPANTS in reply.text
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert reply.alerts == [texts.VISIT_PARTICIPANTS_NONE]


async def test_forged_school_and_wrong_roles_are_refused(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/visit")
    async with session_factory() as session:
        foreign = await school_named(session, "СШ № 35")  # Телятников's school
    forged = await demo.press_data(curator, reply.last.message_id, f"vis:s:{foreign.id}")
    assert forged.alerts == [texts.ERRORS["visit_school_not_curated"]]
    director = await demo.login(GAREEVA)
    assert (await demo.send(director, "/visit")).text == texts.REFUSED
    stranger = demo.stranger()
    assert (await demo.send(stranger, "/visit")).text == texts.REFUSED_STRANGER
    assert await _count(session_factory, Visit.id) == 0


async def test_visits_history_by_role_and_delete(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _fill_until_summary(demo, curator)
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.press(curator, texts.BUTTON_SAVE)

    reply = await demo.send(curator, "/visits")
    assert "всего 1" in reply.text and "СШ № 17" in reply.text
    reply = await demo.press(curator, "23.11.2026 СШ № 17")
    assert f"Посещение — куратор {SMIRNOVA}" in reply.messages[0].plain_text
    assert [m.method for m in reply.messages] == ["sendMessage", "sendPhoto", "sendDocument"]

    director_17 = await demo.login(GAREEVA)
    assert "всего 1" in (await demo.send(director_17, "/visits")).text
    director_35 = await demo.login("Анульева И.Г.")
    assert "всего 0" in (await demo.send(director_35, "/visits")).text
    coordinator = await demo.login(PLOTNIKOVA)
    reply = await demo.send(coordinator, "/visits")
    assert "всего 1" in reply.text
    reply = await demo.press(coordinator, "Школа")
    reply = await demo.press(coordinator, "СШ № 35")
    assert "всего 0" in reply.text

    await demo.press(curator, "23.11.2026 СШ № 17")
    await demo.press(curator, texts.BUTTON_DELETE)
    reply = await demo.press(curator, texts.BUTTON_YES_DELETE)
    assert texts.VISIT_DELETED in reply.text
    assert "всего 0" in (await demo.send(coordinator, "/visits")).text
    assert await _count(session_factory, Visit.id, Visit.deleted_at.is_not(None)) == 1

"""Visits end to end: time zones, wrong input per step, unfinished drafts, edits, long texts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api.updates import message_json
from bot.models import AuditRecord, Visit, VisitFollowUp
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, SMIRNOVA, TELYATNIKOV, ZYKOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg
_raw_ids = itertools.count(900_000)


async def _raw(bot: BotHarness, user, **content):  # type: ignore[no-untyped-def]
    return await bot.send_raw(user, {"message": message_json(user, next(_raw_ids), **content)})


async def _to_findings(bot: BotHarness, user, school: str = "СШ № 17") -> None:  # type: ignore[no-untyped-def]
    await bot.send(user, "/visit")
    await bot.press(user, school)
    await bot.press(user, texts.BUTTON_TODAY)
    await bot.press(user, "Выезд в школу")
    await bot.send(user, "Тема")
    await bot.press(user, "Педагоги")
    await bot.press(user, texts.BUTTON_DONE)


async def _to_summary(bot: BotHarness, user, **texts_by_step: str):  # type: ignore[no-untyped-def]
    await _to_findings(bot, user)
    await bot.send(user, texts_by_step.get("findings", "Выявлено"))
    await bot.send(user, texts_by_step.get("recommendations", "Рекомендовано"))
    await bot.send(user, "Провести педсовет — 15.12.2026")
    await bot.press(user, texts.BUTTON_DONE)
    return await bot.press(user, texts.BUTTON_DONE)


async def test_today_is_the_school_s_day_not_the_server_s(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    # 20:30 UTC on the 24th is 01:30 on the 25th in Kamensk-Uralsky.
    demo.clock.set(datetime(2026, 11, 24, 20, 30, tzinfo=UTC))
    curator = await demo.login(SMIRNOVA)
    reply = await _to_summary(demo, curator)
    assert "Дата: 25.11.2026" in reply.last.plain_text
    await demo.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        assert (await session.scalars(select(Visit.visit_date))).one() == date(2026, 11, 25)


async def test_a_day_without_a_year_ahead_of_today_means_last_year(demo: BotHarness) -> None:
    demo.clock.set(datetime(2027, 1, 10, 7, 0, tzinfo=UTC))
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "СШ № 17")
    await demo.send(curator, "28.12")
    await demo.press(curator, "Выезд в школу")
    await demo.send(curator, "Тема")
    await demo.press(curator, "Директор")
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.send(curator, "Выявлено")
    await demo.send(curator, "Рекомендовано")
    await demo.press(curator, texts.BUTTON_DONE)
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert "Дата: 28.12.2026" in reply.last.plain_text


async def test_wrong_kinds_of_input_get_an_answer_that_fits_the_step(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    assert (await demo.send_sticker(curator)).text == texts.USE_BUTTONS  # school buttons
    await demo.press(curator, "СШ № 17")
    assert (await demo.send_sticker(curator)).text == texts.VISIT_DATE_EXPECTED
    await demo.press(curator, texts.BUTTON_TODAY)
    assert (await demo.send(curator, "выезд")).text == texts.USE_BUTTONS  # format buttons
    await demo.press(curator, "Другое")
    reply = await demo.send(curator, "ф" * 201)
    assert "201 символов, допустимо до 200" in reply.text
    await demo.send(curator, "Методический десант")
    voice = {"file_id": "VOICE1", "file_unique_id": "V1", "duration": 3}
    assert (await _raw(demo, curator, voice=voice)).text == texts.TEXT_EXPECTED  # purpose
    reply = await demo.send(curator, "Тема")
    assert texts.VISIT_PARTICIPANTS in reply.text
    await demo.press(curator, "Педагоги")
    await demo.press(curator, texts.BUTTON_DONE)
    assert (await demo.send_photo(curator, b"\xff\xd8x")).text == texts.TEXT_EXPECTED  # findings
    await demo.send(curator, "Выявлено")
    await demo.send(curator, "Рекомендовано")
    reply = await demo.send(curator, "Провести педсовет когда-нибудь")
    assert "Не нашёл дату" in reply.text
    reply = await demo.send(curator, "Провести педсовет — 01.11.2026")
    assert texts.ERRORS["visit_next_step_past"] in reply.everything
    await demo.press(curator, texts.BUTTON_DONE)
    reply = await demo.send_sticker(curator)  # attachments: a sticker is not a file
    assert texts.VISIT_ATTACHMENT_EXPECTED in reply.text
    big = {
        "file_id": "BIG1",
        "file_unique_id": "B1",
        "file_name": "скан.pdf",
        "mime_type": "application/pdf",
        "file_size": 25 * 1024 * 1024,
    }
    reply = await _raw(demo, curator, document=big)
    assert "Файл слишком большой (больше 20 МБ)" in reply.text
    location = {"latitude": 56.41, "longitude": 61.93}
    reply = await _raw(demo, curator, location=location)
    assert "Добавлено вложений: 1" in reply.text
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert "Вложения: 1" in reply.last.plain_text
    assert (await demo.send(curator, "Сохрани")).text == texts.USE_BUTTONS  # summary card


async def test_an_old_button_mid_conversation_is_stale_and_the_step_stays(
    demo: BotHarness,
) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "СШ № 17")
    await demo.press(curator, texts.BUTTON_TODAY)
    format_message = demo.fake.last_message(curator.id)
    assert format_message is not None
    await demo.press(curator, "Выезд в школу")
    again = await demo.press_data(curator, format_message.message_id, "vis:f:phone")
    assert again.alerts == [texts.STALE_BUTTON]
    reply = await demo.send(curator, "Тема после старой кнопки")
    assert texts.VISIT_PARTICIPANTS in reply.text


async def test_visit_again_over_an_unfinished_draft_asks_first(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await _to_findings(demo, curator)
    reply = await demo.send(curator, "/visit")
    assert "незаконченная запись посещения (СШ № 17, 24.11.2026)" in reply.text
    reply = await demo.press(curator, texts.BUTTON_RESUME)
    assert texts.VISIT_FINDINGS in reply.text
    await demo.restart()
    reply = await demo.send(curator, "/visit")
    assert "незаконченная запись" in reply.text
    reply = await demo.press(curator, texts.BUTTON_START_OVER)
    assert texts.VISIT_CHOOSE_SCHOOL in reply.text
    reply = await demo.send(curator, "/visit")  # nothing filled in yet: no question
    assert texts.VISIT_CHOOSE_SCHOOL in reply.text


async def test_cancel_button_on_the_card_and_cancel_while_choosing_a_field(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _to_summary(demo, curator)
    reply = await demo.press(curator, texts.BUTTON_CANCEL)
    assert texts.CANCELLED in reply.text
    await _to_summary(demo, curator)
    await demo.press(curator, texts.BUTTON_CHANGE)
    assert (await demo.send(curator, "/cancel")).text == texts.CANCELLED
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Visit.id))) == 0


async def test_edit_a_saved_visit_keeps_its_follow_ups_and_adds_files(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _to_summary(demo, curator)
    await demo.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        step_before = (await session.scalars(select(VisitFollowUp.id))).one()

    await demo.send(curator, "/visits")
    await demo.press(curator, "24.11.2026 СШ № 17")
    reply = await demo.press(curator, texts.BUTTON_EDIT)
    assert "Проверьте посещение" in reply.last.plain_text
    await demo.press(curator, texts.BUTTON_CHANGE)
    await demo.press(curator, "Выявлено")
    reply = await demo.send(curator, "Выявлено по-новому")
    assert "Выявлено: Выявлено по-новому" in reply.last.plain_text
    await demo.press(curator, texts.BUTTON_CHANGE)
    reply = await demo.press(curator, "Вложения")
    await demo.send_photo(curator, b"\xff\xd8new")
    reply = await demo.press(curator, texts.BUTTON_DONE)
    assert "Вложения: 1" in reply.last.plain_text
    reply = await demo.press(curator, texts.BUTTON_SAVE)
    assert texts.VISIT_UPDATED in reply.text

    async with session_factory() as session:
        visit = (await session.scalars(select(Visit))).one()
        assert visit.findings == "Выявлено по-новому"
        assert (await session.scalars(select(VisitFollowUp.id))).one() == step_before
        actions = (await session.scalars(select(AuditRecord.action))).all()
    assert "visit.updated" in actions


async def test_long_answers_fit_the_card_and_are_shown_in_full_later(
    demo: BotHarness,
) -> None:
    curator = await demo.login(SMIRNOVA)
    findings = "<Ф&" * 666  # 1,998 characters that grow when escaped
    reply = await _to_summary(demo, curator, findings=findings, recommendations="Р" * 2000)
    card = reply.last.plain_text
    assert "Выявлено: <Ф&<Ф&" in card and "…" in card and "Договорённости" in card
    await demo.press(curator, texts.BUTTON_SAVE)
    await demo.send(curator, "/visits")
    reply = await demo.press(curator, "24.11.2026 СШ № 17")
    assert f"Выявлено (полностью):\n{findings}" in reply.text
    assert "Р" * 2000 in reply.text


async def test_visits_are_paged_and_filtered_by_month(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    for day in range(1, 8):
        await demo.send(curator, "/visit")
        await demo.press(curator, "Лицей № 9")
        await demo.send(curator, f"{day:02d}.11.2026")
        await demo.press(curator, "Консультация по телефону")
        await demo.send(curator, f"Тема {day}")
        await demo.press(curator, "Директор")
        await demo.press(curator, texts.BUTTON_DONE)
        await demo.send(curator, "Выявлено")
        await demo.send(curator, "Рекомендовано")
        await demo.press(curator, texts.BUTTON_DONE)
        await demo.press(curator, texts.BUTTON_DONE)
        await demo.press(curator, texts.BUTTON_SAVE)
    reply = await demo.send(curator, "/visits")
    assert "всего 7, страница 1 из 2" in reply.text
    assert reply.last.button_texts[0] == "07.11.2026 Лицей № 9"  # newest first
    reply = await demo.press(curator, texts.BUTTON_NEXT)
    assert "страница 2 из 2" in reply.text and "01.11.2026" in reply.text

    coordinator = await demo.login(ZYKOVA)
    reply = await demo.send(coordinator, "/visits")
    assert "всего 7" in reply.text
    reply = await demo.press(coordinator, "‹ 10.2026")
    assert "всего 0" in reply.text
    reply = await demo.press(coordinator, "11.2026 ›")
    assert "всего 7" in reply.text
    await demo.press(coordinator, "Куратор")
    reply = await demo.press(coordinator, SMIRNOVA)
    assert "всего 7" in reply.text


async def test_forged_buttons_show_and_change_nothing_of_others(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _to_summary(demo, curator)
    await demo.press(curator, texts.BUTTON_SAVE)
    async with session_factory() as session:
        visit_id = (await session.scalars(select(Visit.id))).one()

    other = await demo.login(TELYATNIKOV)
    listing = await demo.send(other, "/visits")
    assert "всего 0" in listing.text
    message_id = listing.last.message_id
    for data, refusal in [
        # He does not see СШ № 17: every press is answered as if the visit did not exist.
        (f"vis:o:{visit_id}", texts.NOT_FOUND_OR_HIDDEN),
        (f"vis:ed:{visit_id}", texts.NOT_FOUND_OR_HIDDEN),
        (f"vis:dl:{visit_id}", texts.NOT_FOUND_OR_HIDDEN),
        (f"vis:dy:{visit_id}", texts.NOT_FOUND_OR_HIDDEN),
    ]:
        reply = await demo.press_data(other, message_id, data)
        assert reply.alerts == [refusal], data
        assert "Выявлено" not in reply.text

    director = await demo.login(GAREEVA)  # sees the visit, may not change it
    listing = await demo.send(director, "/visits")
    reply = await demo.press_data(director, listing.last.message_id, f"vis:dy:{visit_id}")
    assert reply.alerts == [texts.ERRORS["visit_not_yours"]]
    async with session_factory() as session:
        assert (await session.get(Visit, visit_id)).deleted_at is None  # type: ignore[union-attr]


async def test_a_forged_risk_factor_outside_the_profile_is_refused(demo: BotHarness) -> None:
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "СШ № 17")
    await demo.press(curator, texts.BUTTON_TODAY)
    reply = await demo.press(curator, "Выезд в школу")
    offered = {data for row in reply.last.buttons for _text, data in row}
    factor = next(n for n in range(1, 11) if f"vis:pr:{n}" not in offered)
    forged = await demo.press_data(curator, reply.last.message_id, f"vis:pr:{factor}")
    assert forged.alerts == [texts.ERRORS["visit_factor_not_in_profile"]]
    reply = await demo.send(curator, "Своя тема")
    assert texts.VISIT_PARTICIPANTS in reply.text

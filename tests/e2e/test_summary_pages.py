"""A summary of many schools through the fake Bot API: pages on a phone, a chart Telegram takes."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot import texts
from bot.db import SessionFactory
from bot.models import Event, EventStatus
from tests.support.harness import BotHarness
from tests.support.scenario import bulk_city

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
COORDINATOR = "Петрова Анна Ивановна"


async def test_a_long_summary_is_paged_and_its_buttons_stay_in_scope(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await bulk_city(session, 90, coordinator_name=COORDINATOR)
        other = await bulk_city(session, 1, first_number=500)
        await session.commit()
    bot.clock.set(NOW)
    coordinator = await bot.login(COORDINATOR)

    reply = await bot.send(coordinator, "/summary")
    first = reply.messages[0]
    assert first.plain_text.startswith("Сводка на 24.11.2026 — школ: 90\n")
    assert "Требуют внимания: 90. Страница 1 из 12" in first.plain_text
    assert first.plain_text.count("1/4 принято, ⚠️ 3 просроч., 📝 1 на проверке") == 8
    assert "посещение 22 дн. назад; куратор: Куратор Б." in first.plain_text
    assert "высокие риски: 9" in first.plain_text and "недоступны в Telegram: 1" in first.plain_text
    assert first.button_texts[-1] == texts.BUTTON_NEXT and len(first.button_texts) == 9
    photo = reply.messages[1]
    assert photo.method == "sendPhoto" and photo.text == (
        "Выполнение дорожных карт: первые 40 из 90 школ, по вниманию"
    )
    width, height = struct.unpack(">II", (photo.photo_bytes or b"")[16:24])
    assert width + height <= 10_000

    reply = await bot.press_data(coordinator, first.message_id, first.callback_data("Далее ▶"))
    page = reply.last
    assert page.edited and page.message_id == first.message_id
    assert "Страница 2 из 12" in page.plain_text
    assert page.button_texts[-2:] == [texts.BUTTON_PREVIOUS, texts.BUTTON_NEXT]
    assert not any(m.method == "sendPhoto" for m in reply.messages)  # one chart per /summary
    school = page.button_texts[0]
    assert school not in first.button_texts
    card = await bot.press_data(coordinator, page.message_id, page.callback_data(school))
    assert "Дорожная карта: принято 1 из 4, просрочено 3, на проверке 1" in card.text

    # A forged button naming another municipality's school shows nothing of it.
    forged = await bot.press_data(coordinator, page.message_id, f"sch:o:{other.school_ids[0]}")
    assert "СШ № 500" not in forged.everything and forged.everything
    # The last page has no «Далее», and a forged page number beyond it shows the last page.
    last = await bot.press_data(coordinator, page.message_id, "sch:p:99")
    assert "Страница 12 из 12" in last.last.plain_text
    assert last.last.button_texts[-1] == texts.BUTTON_PREVIOUS


async def test_report_scope_pages_and_a_school_report_value_by_value(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        city = await bulk_city(session, 25, coordinator_name=COORDINATOR)
        for status in (EventStatus.DRAFT, EventStatus.CANCELLED):  # neither goes into a report
            session.add(
                Event(
                    municipality_id=city.municipality_id,
                    format="семинар",
                    title=f"Семинар ({status})",
                    starts_at=datetime(2026, 10, 20, 5, 0, tzinfo=UTC),
                    status=status,
                )
            )
        await session.commit()
    bot.clock.set(NOW)
    coordinator = await bot.login(COORDINATOR)
    await bot.send(coordinator, "/report")
    first = (await bot.press(coordinator, "I полугодие 2026/2027")).last
    assert first.button_texts[0] == texts.REPORT_WHOLE
    assert first.button_texts[1:3] == ["СШ № 1", "СШ № 2"] and len(first.button_texts) == 12
    third = (
        await bot.press_data(coordinator, first.message_id, "rep:h:2026:1:2")
    ).last  # the last page: 21..25
    assert third.button_texts[1:6] == [f"СШ № {n}" for n in range(21, 26)]
    assert third.button_texts[-1] == texts.BUTTON_PREVIOUS
    document = (await bot.press(coordinator, "СШ № 23")).last
    assert document.method == "sendDocument"
    workbook = load_workbook(io.BytesIO(document.document_bytes or b""))
    report = workbook["Отчёт"]
    assert report["A1"].value == (
        "Отчётные материалы: СШ № 23, первое полугодие 2026/2027 учебного года"
    )
    rows = [[c.value for c in row] for row in report.iter_rows(min_row=3)]
    mark = (
        "Выполнено, принято куратором 24.11.2026. Проведено. Подтверждение: https://example.org/1."
    )
    overdue = "Не начато. Просрочено: срок {}."
    assert rows == [
        ["СШ № 23", None, None, None, None],  # the school is named in a one-school report too
        ["Раздел А", None, None, None, None],
        ["1", "Мероприятие 1", "октябрь 2026", mark, "Директор"],
        ["2", "Мероприятие 2", "октябрь 2026", overdue.format("03.10.2026"), "Директор"],
        ["3", "Мероприятие 3", "октябрь 2026", overdue.format("04.10.2026"), "Директор"],
        ["4", "Мероприятие 4", "октябрь 2026", overdue.format("05.10.2026"), "Директор"],
        ["Городские мероприятия", None, None, None, None],
        # The school's own people only; the event is a row of the same table, as in the seed.
        ["1", "Семинар директоров", "15.10.2026", "Записалось: 1, участвовало: 1.", None],
    ]
    visits = [[c.value for c in row] for row in workbook["Посещения"].iter_rows(min_row=2)]
    assert visits == [
        ["01.11.2026", "СШ № 23", "Куратор Б.", "Выезд в школу", "Консультация", None],
        ["02.11.2026", "СШ № 23", "Куратор Б.", "Выезд в школу", "Консультация", None],
    ]
    assert workbook.sheetnames == ["Отчёт", "Посещения"]
    await bot.send(coordinator, "/report")
    await bot.press(coordinator, "I полугодие 2026/2027")
    document = (await bot.press(coordinator, texts.REPORT_WHOLE)).last
    workbook = load_workbook(io.BytesIO(document.document_bytes or b""))
    report = workbook["Отчёт"]
    assert [c.value for c in report[report.max_row]][2:4] == [
        "15.10.2026",
        "Записалось: 25, участвовало: 13.",
    ]
    # A school row, a section row and four items per school; the events heading and one event.
    assert report.max_row == 2 + 25 * 6 + 2
    assert [report.cell(r, 1).value for r in (3, 9)] == ["СШ № 1", "СШ № 2"]
    assert len(city.school_ids) == 25

"""The school year end to end: a plan imported on 1 September, /report's two kinds of
halves, and the admin's /new_year rollover."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.models import AuditRecord, CuratorAssignment, Roadmap, RoadmapItem
from bot.services.roadmaps.roadmap_import import HEADERS
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.harness import BotHarness
from tests.support.personas import DIRECTOR_17, ZYKOVA
from tests.support.roadmap_files import table_to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COORDINATOR = ZYKOVA  # the city's second coordinator
FIRST_OF_SEPTEMBER = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg


async def test_a_plan_imported_on_the_first_of_september_is_not_overdue(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    demo.clock.set(FIRST_OF_SEPTEMBER)
    director = await demo.login(DIRECTOR_17)
    rows = [
        HEADERS,
        ["1", "Методическая работа", "", "Педсовет по итогам ВПР", "март", "Завуч", ""],
        ["2", "Методическая работа", "", "Семинар для учителей", "I полугодие", "Завуч", ""],
        ["3", "Родители", "", "Консультации родителей", "в течение года", "Директор", ""],
        [
            "4",
            "Родители",
            "",
            "Анкетирование",
            "2 раза в год (начало и конец учебного года)",
            "",
            "",
        ],
        ["5", "Родители", "", "Родительское собрание", date(2027, 2, 15), "", ""],
        ["6", "Родители", "", "Отчёт", "I квартал 2027", "", ""],
    ]
    await demo.send(director, "/import")
    reply = await demo.send_document(director, "plan.xlsx", table_to_xlsx(rows), XLSX)
    assert "2026/27 учебный год" in reply.text and "✓ 2026/27" in reply.last.button_texts
    reply = await demo.press(director, texts.BUTTON_UPLOAD)
    assert reply.text == texts.roadmap_imported(6, 0)
    assert (await demo.send(director, "/overdue")).text == texts.OVERDUE_NONE
    async with session_factory() as session:
        assert (await session.scalars(select(Roadmap.year))).all() == [2026]
        items = (
            await session.execute(
                select(RoadmapItem.number, RoadmapItem.due_date, RoadmapItem.is_recurring).order_by(
                    RoadmapItem.position
                )
            )
        ).all()
    assert items == [
        ("1", date(2027, 3, 31), False),
        ("2", date(2026, 12, 31), False),
        ("3", None, True),
        ("4", None, True),
        ("5", date(2027, 2, 15), False),  # an Excel date cell is the date
        ("6", date(2027, 3, 31), False),
    ]


async def test_report_offers_school_year_and_calendar_halves(demo: BotHarness) -> None:
    coordinator = await demo.login(COORDINATOR)
    reply = await demo.send(coordinator, "/report")
    assert reply.last.button_texts == [
        "I полугодие 2026/2027",
        "II полугодие 2026/2027",
        "II полугодие 2025/2026",
        "Первое полугодие 2026 (январь–июнь)",
        "Второе полугодие 2026 (июль–декабрь)",
        "Второе полугодие 2025 (июль–декабрь)",
    ]
    for row in reply.last.buttons:
        for _text, data in row:
            assert len(data.encode()) <= 64
    await demo.press(coordinator, "Первое полугодие 2026 (январь–июнь)")
    reply = await demo.press(coordinator, "СШ № 17")
    document = reply.last
    assert document.method == "sendDocument"
    assert document.document_name == "otchet_2026_1_polugodie_kalendarnyj.xlsx"
    sheet = load_workbook(io.BytesIO(document.document_bytes or b""))["Отчёт"]
    assert "СШ № 17, первое полугодие 2026 года" in str(sheet["A1"].value)

    reply = await demo.send(coordinator, "/report")
    await demo.press(coordinator, "I полугодие 2026/2027")
    reply = await demo.press(coordinator, texts.REPORT_WHOLE)
    sheet = load_workbook(io.BytesIO(reply.last.document_bytes or b""))["Отчёт"]
    assert "первое полугодие 2026/2027 учебного года" in str(sheet["A1"].value)

    # A forged period is refused like any unknown target; nothing is sent.
    message = demo.fake.last_message(coordinator.id)
    assert message is not None
    for forged in ("rep:h:c1999:1", "rep:g:c2101:1:0"):
        forged_reply = await demo.press_data(coordinator, message.message_id, forged)
        assert forged_reply.alerts == [texts.ERRORS["not_found"]]
        assert not [m for m in forged_reply.messages if m.method == "sendDocument"]


async def test_admin_rolls_the_school_year_over_once(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async def assignments() -> list[tuple[int, int]]:
        async with session_factory() as session:
            rows = await session.execute(
                select(CuratorAssignment.year, func.count()).group_by(CuratorAssignment.year)
            )
            return sorted((int(year), int(count)) for year, count in rows)

    before = await assignments()
    assert before == [(2026, 7)]
    director = await demo.login(DIRECTOR_17)
    assert (await demo.send(director, "/new_year")).text == texts.REFUSED

    admin = demo.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
    await demo.send(admin, "/start")
    reply = await demo.send(admin, "/new_year")
    assert reply.last.button_texts == ["Проверить переход в 2027/28", "Проверить переход в 2026/27"]
    reply = await demo.press(admin, "Проверить переход в 2027/28")
    assert "Пробный прогон, ничего не записано. Переход 2026/27 → 2027/28." in reply.text
    assert "Назначения продолжаются: 7" in reply.text
    assert await assignments() == before

    reply = await demo.press(admin, "Перейти в 2027/28")
    assert reply.text.startswith(texts.ROLLOVER_DONE)
    assert await assignments() == [(2026, 7), (2027, 7)]
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditRecord.action))).all()
    assert actions.count("school_year.rollover") == 1

    # The same button again (a double tap, a stale message): nothing more happens.
    message = demo.fake.last_message(admin.id)
    assert message is not None
    reply = await demo.press_data(admin, message.message_id, "ny:r:2027")
    assert reply.text.startswith(texts.ROLLOVER_NOTHING)
    assert await assignments() == [(2026, 7), (2027, 7)]
    reply = await demo.press_data(admin, message.message_id, "ny:r:2031")
    assert reply.alerts == [
        texts.error("rollover_year_out_of_range", current="2026/27", next="2027/28")
    ]

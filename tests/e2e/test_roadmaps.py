"""Roadmaps end to end: template, import with problems, the seed plan, report → review."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.models import (
    ItemStatus,
    Notification,
    ProgressReport,
    ReviewState,
    RoadmapItem,
    SchoolRiskProfileEntry,
)
from bot.services.roadmaps.roadmap_import import HEADERS
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, CURATOR_17, DIRECTOR_17, TELYATNIKOV
from tests.support.roadmap_files import seed_plan_xlsx, table_to_xlsx

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _items(factory: SessionFactory) -> list[RoadmapItem]:
    async with factory() as session:
        return list(await session.scalars(select(RoadmapItem).order_by(RoadmapItem.position)))


async def _import_as_director(bot: BotHarness, content: bytes) -> None:
    director = await bot.login(DIRECTOR_17)
    reply = await bot.send(director, "/import")
    assert "для школы СШ № 17" in reply.text
    reply = await bot.send_document(director, "plan.xlsx", content, XLSX)
    assert "Мероприятий прочитано" in reply.text
    reply = await bot.press(director, texts.BUTTON_UPLOAD)
    assert "Дорожная карта загружена" in reply.text


async def test_template_is_a_workbook_with_the_columns(demo: BotHarness) -> None:
    director = await demo.login(DIRECTOR_17)
    reply = await demo.send(director, "/template")
    assert reply.last.method == "sendDocument"
    workbook = load_workbook(io.BytesIO(reply.last.document_bytes or b""))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == HEADERS
    assert workbook.worksheets[1]["B11"].value == "Низкая учебная мотивация обучающихся"


async def test_coordinator_imports_the_seed_plan(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    reply = await demo.send(coordinator, "/import")
    assert texts.ROADMAP_CHOOSE_SCHOOL in reply.text
    assert "СШ № 15" not in reply.last.button_texts  # not in the project list
    await demo.press(coordinator, "СШ № 17")
    reply = await demo.send_document(coordinator, "plan.xlsx", seed_plan_xlsx(), XLSX)
    assert "Мероприятий прочитано: 25" in reply.text
    assert "2019-2020 учебный год → до 31.05.2020" in reply.text
    assert "Проблемы" not in reply.text
    reply = await demo.press(coordinator, texts.BUTTON_UPLOAD)
    assert reply.text == texts.roadmap_imported(25, 0)
    items = await _items(session_factory)
    assert len(items) == 25 and items[24].number == "25"


async def test_import_with_problems_then_reimport_keeps_reports(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    rows = [
        HEADERS,
        ["1", "Раздел", "", "Первое", "май 2026", "", ""],
        ["2", "Раздел", "", "Второе", "в теч. года?", "", ""],
    ]
    director = await demo.login(DIRECTOR_17)
    await demo.send(director, "/import")
    reply = await demo.send_document(director, "plan.xlsx", table_to_xlsx(rows), XLSX)
    assert (
        "строка 3: срок «в теч. года?» не понял — мероприятие будет без срока, текст сохранится"
        in reply.text
    )
    assert "2. Второе\n   без срока («в теч. года?»)" in reply.last.plain_text
    await demo.press(director, texts.BUTTON_UPLOAD)
    undated = (await _items(session_factory))[1]
    assert (undated.deadline_text, undated.due_date) == ("в теч. года?", None)
    item = (await _items(session_factory))[0]
    async with session_factory() as session:
        session.add(
            ProgressReport(item_id=item.id, author_person_id=1, status=ItemStatus.IN_PROGRESS)
        )
        await session.commit()
    rows[1][3] = "Первое, уточнённое"
    rows[2][4] = "декабрь 2026"
    await _import_as_director(demo, table_to_xlsx(rows))
    items = await _items(session_factory)
    assert [(i.number, i.measure) for i in items] == [("1", "Первое, уточнённое"), ("2", "Второе")]
    assert items[0].id == item.id
    async with session_factory() as session:
        assert await session.scalar(select(func.count(ProgressReport.id))) == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.xlsx", b"garbage", texts.ERRORS["import_not_xlsx"]),
        ("plan.pdf", b"%PDF-1.4", texts.ERRORS["import_wrong_type"]),
        ("plan.xlsx", table_to_xlsx([["a"], ["b"]]), "Не нашёл строку заголовков"),
    ],
)
async def test_broken_files_get_clear_answers(
    demo: BotHarness, session_factory: SessionFactory, name: str, content: bytes, expected: str
) -> None:
    director = await demo.login(DIRECTOR_17)
    await demo.send(director, "/import")
    reply = await demo.send_document(director, name, content, "application/octet-stream")
    assert expected in reply.text
    reply = await demo.send(director, "просто текст")
    assert reply.text == texts.ROADMAP_FILE_EXPECTED
    assert (await demo.send(director, "/cancel")).text == texts.CANCELLED
    assert await _items(session_factory) == []


async def test_report_return_report_accept(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    await _import_as_director(demo, seed_plan_xlsx())
    director = await demo.login(DIRECTOR_17)
    curator = await demo.login(CURATOR_17)

    reply = await demo.send(director, "/roadmap")
    assert "⚠️" in reply.text  # due 31.05.2020: overdue
    reply = await demo.press(director, reply.last.button_texts[0])
    assert "мероприятие 1" in reply.text
    await demo.press(director, texts.BUTTON_REPORT)
    await demo.press(director, "выполнено")
    await demo.press(director, "100%")
    await demo.send(director, "Проведён анализ, выявлено 16 школ")
    reply = await demo.send(director, "https://school17.example/analysis")
    assert "Подтверждений: 1" in reply.text
    await demo.send_document(director, "анализ.pdf", b"%PDF", "application/pdf")
    reply = await demo.press(director, texts.BUTTON_DONE)
    assert "Подтверждений:</b> 2" in (reply.last.text or "")
    reply = await demo.press(director, texts.BUTTON_SEND)
    assert reply.text == texts.REPORT_SENT

    reply = await demo.send(curator, "/review")
    assert "СШ № 17, мероприятие 1" in reply.messages[0].plain_text
    assert "https://school17.example/analysis" in reply.messages[0].plain_text
    assert [m.method for m in reply.messages] == ["sendMessage", "sendDocument"]
    await demo.press(curator, texts.BUTTON_RETURN)
    reply = await demo.send(curator, "Приложите протокол педсовета")
    assert reply.text == texts.REVIEW_RETURNED

    async with session_factory() as session:
        notices = (await session.scalars(select(Notification.text).order_by(Notification.id))).all()
    assert any("возвращён куратором" in n and "протокол педсовета" in n for n in notices)

    item_id = (await _items(session_factory))[0].id
    await demo.press_data(
        director, (await demo.send(director, "/roadmap")).last.message_id, f"rm:rep:{item_id}"
    )
    await demo.press(director, "выполнено")
    await demo.press(director, "Без процента")
    await demo.send(director, "Протокол приложен")
    await demo.send_photo(director, b"\xff\xd8protocol")
    await demo.press(director, texts.BUTTON_DONE)
    await demo.press(director, texts.BUTTON_SEND)

    reply = await demo.send(curator, "/review")
    await demo.press(curator, texts.BUTTON_ACCEPT)
    item = (await _items(session_factory))[0]
    assert item.status == ItemStatus.DONE and item.accepted_at == NOW
    async with session_factory() as session:
        states = (
            await session.scalars(select(ProgressReport.review_state).order_by(ProgressReport.id))
        ).all()
    assert states == [ReviewState.RETURNED, ReviewState.ACCEPTED]
    reply = await demo.send(director, "/roadmap")
    await demo.press(director, f"1. {item.measure[:40]}")
    reply = await demo.press(director, texts.BUTTON_HISTORY)
    assert reply.text.count(f"{DIRECTOR_17}, отчёт") == 2
    assert "принято" in reply.text and "возвращено" in reply.text


async def test_refusals_across_schools_and_roles(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    await _import_as_director(demo, seed_plan_xlsx())
    item_id = (await _items(session_factory))[0].id
    other_director = await demo.login("Анульева И.Г.")  # СШ № 35
    reply = await demo.send(other_director, "/roadmap")
    opened = await demo.press_data(other_director, reply.last.message_id, f"rm:o:{item_id}")
    assert opened.alerts == [texts.ERRORS["school_out_of_scope"]]
    reported = await demo.press_data(other_director, reply.last.message_id, f"rm:rep:{item_id}")
    assert reported.alerts == [texts.ERRORS["school_out_of_scope"]]
    curator = await demo.login(CURATOR_17)
    assert (await demo.send(curator, "/import")).text == texts.REFUSED
    other_curator = await demo.login(TELYATNIKOV)
    assert (await demo.send(other_curator, "/review")).text == texts.REVIEW_EMPTY
    stranger = demo.stranger()
    assert (await demo.send(stranger, "/roadmap")).text == texts.REFUSED_STRANGER


async def test_risk_profile_by_taps(demo: BotHarness, session_factory: SessionFactory) -> None:
    director = await demo.login(DIRECTOR_17)
    reply = await demo.send(director, "/risks")
    first = reply.last.button_texts[0]
    assert first.startswith("⚪ 1. Низкий уровень оснащения")
    reply = await demo.press(director, first)
    assert reply.last.button_texts[0].startswith("🔴 1.")
    reply = await demo.press(director, reply.last.button_texts[0])
    assert reply.last.button_texts[0].startswith("🟠 1.")
    async with session_factory() as session:
        entry = (await session.scalars(select(SchoolRiskProfileEntry))).one()
    assert (entry.risk_factor_id, entry.level.value, entry.year) == (1, "medium", 2026)


async def test_single_item_added_and_edited_in_the_bot(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    director = await demo.login(DIRECTOR_17)
    reply = await demo.send(director, "/item_new")
    assert "СШ № 17" in reply.text
    await demo.send(director, "Родительское собрание по итогам ВПР")
    reply = await demo.send(director, "в теч. года?")
    assert reply.text == texts.error("roadmap_deadline_unreadable", wording="в теч. года?")
    reply = await demo.send(director, "декабрь 2026")
    assert "Мероприятие 1 добавлено" in reply.text
    await demo.press(director, texts.BUTTON_OPEN_ITEM)
    await demo.press(director, texts.BUTTON_EDIT)
    await demo.press(director, "Срок")
    reply = await demo.send(director, "I полугодие 2027")
    assert texts.ITEM_EDITED in reply.text
    item = (await _items(session_factory))[0]
    assert (item.measure, item.deadline_text, item.due_date) == (
        "Родительское собрание по итогам ВПР",
        "I полугодие 2027",
        date(2027, 6, 30),
    )
    curator = await demo.login(CURATOR_17)
    reply = await demo.send(curator, "/roadmap")
    forged = await demo.press_data(curator, reply.last.message_id, f"rm:ef:{item.id}:measure")
    assert forged.alerts == [texts.REFUSED]  # curators do not edit roadmaps at all

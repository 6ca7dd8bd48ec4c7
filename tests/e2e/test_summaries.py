"""Summaries and reports as coordinators and curators get them in the chat."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot import texts
from bot.db import SessionFactory
from bot.services.roadmaps.roadmap_import import HEADERS as HEADERS_ROW
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA, TELYATNIKOV, ZYKOVA
from tests.support.roadmap_files import table_to_xlsx

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def city(bot: BotHarness, session_factory: SessionFactory) -> BotHarness:
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    director = await bot.login(GAREEVA)
    await bot.send(director, "/import")
    rows = [
        HEADERS_ROW,
        ["1", "Раздел", "", "Педсовет по итогам ВПР", "октябрь 2026", "Завуч", ""],
        ["2", "Раздел", "", "Анализ ОГЭ", "декабрь 2026", "Директор", ""],
    ]
    await bot.send_document(director, "plan.xlsx", table_to_xlsx(rows), XLSX)
    await bot.press(director, texts.BUTTON_UPLOAD)
    return bot


async def test_coordinator_summary_card_overdue(city: BotHarness) -> None:
    coordinator = await city.login(PLOTNIKOVA)
    reply = await city.send(coordinator, "/summary")
    summary = reply.messages[0].plain_text
    assert "Сводка на 24.11.2026 — школ: 7" in summary
    assert summary.index("СШ № 17") < summary.index("СШ № 35")  # the overdue school first
    assert "СШ № 17: 0/2 принято, ⚠️ 1 просроч." in summary
    assert f"куратор: {SMIRNOVA}" in summary
    assert reply.messages[1].method == "sendPhoto"
    assert (reply.messages[1].photo_bytes or b"")[:4] == b"\x89PNG"
    reply = await city.press(coordinator, "СШ № 17")
    card = reply.text
    assert "Средняя школа № 17 с углублённым изучением отдельных предметов" in card
    assert "Дорожная карта: принято 0 из 2, просрочено 1" in card
    assert "1. Педсовет по итогам ВПР" in card
    assert f"{GAREEVA} (школа)" in card
    for query in ("лицей9", "Лицей № 9", "лицей 9"):
        assert "Лицей № 9" in (await city.send(coordinator, f"/school {query}")).text
    assert (await city.send(coordinator, "/school гимназия 99")).text == texts.SCHOOL_NOT_FOUND
    assert (await city.send(coordinator, "/school")).text == texts.SCHOOL_ASK
    overdue = (await city.send(coordinator, "/overdue")).text
    assert "Просрочено: 1" in overdue and "СШ № 17" in overdue and "Педсовет" in overdue


async def test_curator_sees_only_their_schools_and_school_staff_is_refused(
    city: BotHarness,
) -> None:
    curator = await city.login(TELYATNIKOV)
    summary = (await city.send(curator, "/summary")).messages[0].plain_text
    assert "школ: 2" in summary and "СШ № 35" in summary and "СШ № 17" not in summary
    assert (await city.send(curator, "/school 17")).text == texts.SCHOOL_NOT_FOUND
    director = await city.login(GAREEVA)
    assert (await city.send(director, "/summary")).text == texts.REFUSED
    assert (await city.send(director, "/report")).text == texts.REFUSED


async def test_half_year_report_and_export_files(city: BotHarness) -> None:
    coordinator = await city.login(ZYKOVA)
    reply = await city.send(coordinator, "/report")
    assert reply.last.button_texts[0] == "I полугодие 2026/2027"
    await city.press(coordinator, "I полугодие 2026/2027")
    reply = await city.press(coordinator, "СШ № 17")
    document = reply.last
    assert document.method == "sendDocument" and document.document_name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.document_bytes or b""))["Отчёт"]
    assert "СШ № 17, первое полугодие 2026/2027" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == [
        "№",
        "Мероприятия",
        "Срок исполнения",
        "Отметка об исполнении",
        "Ответственные исполнители",
    ]
    assert [sheet.cell(r, 1).value for r in (3, 4)] == ["СШ № 17", "Раздел"]
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 5).value) for r in (5, 6)] == [
        ("1", "Завуч"),
        ("2", "Директор"),
    ]
    reply = await city.send(coordinator, "/export")
    archive = zipfile.ZipFile(io.BytesIO(reply.last.document_bytes or b""))
    schools_csv = archive.read("schools.csv").decode("utf-8-sig")
    assert schools_csv.count("\n") == 8  # header + 7 project schools

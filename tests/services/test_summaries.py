"""Summaries value by value, scopes, and a query count that does not grow with schools."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.models import (
    ItemStatus,
    ProgressReport,
    ReviewState,
    RiskLevel,
    Roadmap,
    RoadmapItem,
    Role,
    SchoolRiskProfileEntry,
    Visit,
    VisitFormat,
)
from bot.reports.chart import build_progress_figure, progress_chart_png
from bot.reports.export import build_export_zip
from bot.reports.half_year_report import REPORT_HEADERS, build_half_year_report
from bot.services.reporting import export_data, report_data, school_card, summaries
from tests.support.factories import actor_for, make_municipality, make_person, make_school
from tests.support.query_counter import count_queries

TODAY = date(2026, 11, 24)


async def _city_with_schools(session: AsyncSession, count: int):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    schools = [await make_school(session, city, number) for number in range(1, count + 1)]
    curator = await make_person(
        session, Role.CURATOR, municipality=city, full_name="Куратор К.К.", curated=schools[:2]
    )
    for index, school in enumerate(schools):
        roadmap = Roadmap(school_id=school.id, year=2026)
        session.add(roadmap)
        await session.flush()
        for number in range(1, 4):
            done = number == 1 and index % 2 == 0
            session.add(
                RoadmapItem(
                    roadmap_id=roadmap.id,
                    number=str(number),
                    position=number,
                    measure=f"Мера {number}",
                    section="Раздел А" if number < 3 else "Раздел Б",
                    due_date=date(2026, 10, number),
                    status=ItemStatus.DONE if done else ItemStatus.NOT_STARTED,
                    deadline_text="октябрь 2026",
                )
            )
        session.add(
            Visit(
                curator_person_id=curator.id,
                school_id=school.id,
                visit_date=date(2026, 11, 1 + index % 20),
                format=VisitFormat.ON_SITE,
                participants=[],
            )
        )
    await session.flush()
    return city, schools, curator


async def test_summary_values_and_order(session: AsyncSession) -> None:
    city, schools, curator = await _city_with_schools(session, 3)
    first_item = await session.scalar(select(RoadmapItem).where(RoadmapItem.number == "2").limit(1))
    assert first_item is not None
    session.add(
        ProgressReport(
            item_id=first_item.id,
            author_person_id=curator.id,
            status=ItemStatus.DONE,
            review_state=ReviewState.PENDING,
        )
    )
    session.add(
        SchoolRiskProfileEntry(
            school_id=schools[1].id, risk_factor_id=9, level=RiskLevel.HIGH, year=2026
        )
    )
    await session.flush()
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    rows = await summaries.summarize(session, coordinator, TODAY)
    by_name = {row.name: row for row in rows}
    assert (by_name["СШ № 1"].accepted, by_name["СШ № 1"].total, by_name["СШ № 1"].overdue) == (
        1,
        3,
        2,
    )
    assert (by_name["СШ № 2"].accepted, by_name["СШ № 2"].overdue) == (0, 3)
    assert by_name["СШ № 2"].high_risks == [9]
    assert by_name["СШ № 1"].curators == ["Куратор К.К."] and by_name["СШ № 3"].curators == []
    assert by_name["СШ № 3"].last_visit == date(2026, 11, 3)
    assert by_name["СШ № 3"].days_since_visit == 21
    assert rows[0].overdue == 3  # attention first
    assert sum(row.waiting_review for row in rows) == 1


async def test_curator_sees_only_their_schools(session: AsyncSession) -> None:
    _city, _schools, curator = await _city_with_schools(session, 4)
    rows = await summaries.summarize(session, await actor_for(session, curator), TODAY)
    assert sorted(row.name for row in rows) == ["СШ № 1", "СШ № 2"]
    overdue = await summaries.overdue_items(session, await actor_for(session, curator), TODAY)
    assert {item.school for item in overdue} == {"СШ № 1", "СШ № 2"}


async def test_query_count_does_not_grow_with_schools(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    small_city, _s, _c = await _city_with_schools(session, 10)
    large_city, _l, _k = await _city_with_schools(session, 60)
    small = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=small_city)
    )
    large = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=large_city)
    )
    await session.commit()
    counts = []
    for actor in (small, large):
        with count_queries(engine) as counter:
            rows = await summaries.summarize(session, actor, TODAY)
        counts.append(counter.count)
        assert rows
    assert counts[0] == counts[1]


async def test_school_card_and_search(session: AsyncSession) -> None:
    city, schools, _curator = await _city_with_schools(session, 3)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    assert [s.id for s in await school_card.find_in_scope(session, coordinator, "школа №2")] == [
        schools[1].id
    ]
    card = await school_card.school_card(session, coordinator, schools[0].id, TODAY)
    assert card.sections == [("Раздел А", 1, 2), ("Раздел Б", 0, 1)]
    assert [o.number for o in card.overdue] == ["2", "3"]
    assert card.visits[0][0] == date(2026, 11, 1)


async def test_half_year_report_and_export(session: AsyncSession) -> None:
    _city, schools, curator = await _city_with_schools(session, 2)
    ids = [s.id for s in schools]
    first, last = report_data.half_year_bounds(2026, 1)
    items = await report_data.report_items(session, ids, first, last)
    visits = await report_data.report_visits(session, ids, first, last)
    content = build_half_year_report("Отчёт", items, visits, [], TODAY)
    sheet = load_workbook(io.BytesIO(content))["Отчёт"]
    assert [cell.value for cell in sheet[2]] == REPORT_HEADERS
    assert [sheet.cell(row, 1).value for row in (3, 4)] == ["СШ № 1", "Раздел А"]
    assert sheet["B5"].value == "Мера 1" and sheet["C5"].value == "октябрь 2026"
    assert sheet["D5"].value == "Выполнено."
    assert sheet["D6"].value == "Не начато. Просрочено: срок 02.10.2026."
    visits_sheet = load_workbook(io.BytesIO(content))["Посещения"]
    assert visits_sheet.max_row == 3
    archive = zipfile.ZipFile(
        io.BytesIO(build_export_zip(await export_data.export_tables(session, ids)))
    )
    assert sorted(archive.namelist()) == [
        "events.csv",
        "follow_ups.csv",
        "participants.csv",
        "progress_reports.csv",
        "risk_profiles.csv",
        "roadmap_items.csv",
        "schools.csv",
        "visits.csv",
    ]
    items_csv = archive.read("roadmap_items.csv").decode("utf-8-sig").splitlines()
    assert len(items_csv) == 7 and items_csv[0].startswith("Код мероприятия;Код школы;Школа")
    del curator


def test_chart_is_a_png_with_a_bar_per_school() -> None:
    rows = [("СШ № 1", 3, 10), ("Лицей № 9", 0, 0), ("СШ № 17", 5, 5)]
    png = progress_chart_png(rows)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    figure = build_progress_figure(rows)
    bars = figure.axes[0].patches
    assert len(bars) == 3
    assert [round(bar.get_width()) for bar in bars] == [100, 0, 30]  # drawn bottom-up
    from matplotlib import pyplot

    pyplot.close(figure)

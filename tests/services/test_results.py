"""School results: a 7 × 3 form read by meaning, refusals by row, the year-on-year view."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Assessment, AssessmentResult, Role, School, TelegramAccount, TrainingCourse
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied
from bot.services.results import results, training
from bot.services.results.training import TrainingSummary
from tests.support.factories import (
    actor_for,
    bind_account,
    load_demo_data,
    make_municipality,
    make_person,
    next_telegram_id,
    person_named,
    school_named,
)
from tests.support.personas import COORDINATOR, GAREEVA
from tests.support.results_files import results_xlsx


async def _actor(session: AsyncSession, full_name: str) -> Actor:
    person = await person_named(session, full_name)
    if not await session.scalar(
        select(TelegramAccount.id).where(TelegramAccount.person_id == person.id)
    ):
        await bind_account(session, person, next_telegram_id())
    return await actor_for(session, person)


async def _import(session: AsyncSession, year: int, extra=None) -> results.ResultsReport:
    actor = await _actor(session, COORDINATOR)
    parsed = results.read_results(results_xlsx(year, extra), "r.xlsx", default_year=2026)
    report = await results.check_results(session, actor, parsed)
    if report.accepted:
        await results.apply_results(session, actor, report)
    return report


def test_the_form_is_read_by_meaning_with_the_year_from_its_title() -> None:
    parsed = results.read_results(results_xlsx(2025), "r.xlsx", default_year=2026)
    assert parsed.refusals == []
    assert len(parsed.rows) == 21
    first = parsed.rows[0]
    assert (first.row, first.assessment, first.subject, first.grade) == (
        4,
        Assessment.VPR,
        "Математика",
        5,
    )
    assert (first.participants, first.fail_percent, first.average_mark, first.year) == (
        40,
        8.0,
        3.4,
        2025,
    )


async def test_21_rows_import_and_the_card_view_compares_with_last_year(
    session: AsyncSession,
) -> None:
    await load_demo_data(session)
    first = await _import(session, 2024)
    assert first.accepted and first.schools == 7 and first.new == 21
    second = await _import(session, 2025)
    assert second.accepted and second.new == 21
    again = await _import(session, 2025)
    assert again.new == 0 and again.changed == 0
    assert await session.scalar(select(func.count()).select_from(AssessmentResult)) == 42

    school = await school_named(session, "СШ № 17")
    view = await results.school_results(session, school.id, 2026)
    assert view is not None and view.year == 2025
    vpr = view.lines[0]
    assert (vpr.assessment, vpr.fail_percent, vpr.previous_fail_percent, vpr.change) == (
        Assessment.VPR,
        8.0,
        21.0,
        -13.0,
    )
    actor = await _actor(session, COORDINATOR)
    year, moves = await results.left_risk_zone(session, actor)
    assert year == 2025
    assert [m.school.short_name for m in moves] == ["СШ № 1", "СШ № 17", "СШ № 35", "СШ № 38"]


async def test_one_bad_row_refuses_the_whole_file_naming_the_row(session: AsyncSession) -> None:
    await load_demo_data(session)
    extra = [
        [22, "Школа № 999", "ВПР", "Математика", "5", 10, "5", 3.5],
        [23, "СШ № 1", "олимпиада", "Математика", "5", 10, "5", 3.5],
        [24, "СШ № 1", "ВПР", "Математика", "5", 10, "105", 3.5],
    ]
    report = await _import(session, 2025, extra)
    assert not report.accepted
    assert [(r.row, r.code) for r in report.refusals] == [
        (25, "unknown_school"),
        (26, "bad_assessment"),
        (27, "bad_fail"),
    ]
    assert await session.scalar(select(func.count()).select_from(AssessmentResult)) == 0


async def test_a_coordinator_of_another_municipality_cannot_import_or_see_them(
    session: AsyncSession,
) -> None:
    await load_demo_data(session)
    await _import(session, 2024)
    away = await make_municipality(session, name="Другой округ")
    stranger = await make_person(
        session, Role.MUNICIPAL_COORDINATOR, full_name="Чужой Координатор", municipality=away
    )
    actor = await actor_for(session, stranger)
    parsed = results.read_results(results_xlsx(2025), "r.xlsx", default_year=2026)
    report = await results.check_results(session, actor, parsed)
    assert not report.accepted
    assert {r.code for r in report.refusals} == {"unknown_school"}
    assert await results.left_risk_zone(session, actor) == (None, [])
    director = await _actor(session, GAREEVA)
    with pytest.raises(AccessDenied):
        await results.check_results(session, director, parsed)


def test_a_cp1251_csv_with_grades_left_empty() -> None:
    """Typed text is per cent as written (rounded to 0.1); only an Excel percentage cell
    (a float below 1) is a fraction."""
    lines = [
        "ОО;Процедура;Предмет;Класс;Писали;% «2»;Ср. балл;Учебный год",
        "СШ 17;ОГЭ;Математика;;40;0,125;3,1;2025/26",  # 0.125 %
        "СШ 17;ЕГЭ;Русский язык;;12;0;;2025-2026",
    ]
    parsed = results.read_results("\r\n".join(lines).encode("cp1251"), "r.csv", 2026)
    assert parsed.refusals == []
    oge, ege = parsed.rows
    assert (oge.grade, oge.fail_percent, oge.year) == (9, 0.1, 2025)
    assert (ege.grade, ege.fail_percent, ege.average_mark) == (11, 0.0, None)


async def test_the_reports_results_and_training_read_by_groups_of_schools_as_one_by_one(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_demo_data(session)
    await _import(session, 2024)
    await _import(session, 2025)
    schools = (await session.scalars(select(School).order_by(School.number))).all()
    for n, school in enumerate(schools[:5]):
        for year, people in ((2024, 3), (2025, n + 1), (2025, 2)):
            session.add(
                TrainingCourse(school_id=school.id, year=year, title="Курс", people_trained=people)
            )
    schools[1].staff_count = 10
    await session.commit()
    ids = [school.id for school in schools]
    one_by_one = [
        (school.short_name, found)
        for school in schools
        if (found := await results.school_results(session, school.id, 2026)) is not None
    ]
    courses = [
        (school.short_name, found)
        for school in schools
        if (found := await training.training_summary(session, school, 2026)) is not None
    ]
    assert len(one_by_one) == 7 and len(courses) == 5

    monkeypatch.setattr(results, "REPORT_SCHOOLS_A_QUERY", 2)  # groups end inside the lists
    # training reads through results.rows_by_school: the same setting serves both
    rows = await results.report_results(session, ids, 2026)
    assert [
        (row.school, row.year, row.fail_percent, row.previous_fail_percent, row.lines)
        for row in rows
    ] == [
        (name, found.year, found.fail_percent, found.previous_fail_percent, len(found.lines))
        for name, found in one_by_one
    ]
    assert await training.report_training(session, ids, 2026) == courses
    assert courses[1][1] == TrainingSummary(2025, 2, 4, 10)  # the latest year only

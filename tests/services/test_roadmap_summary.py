"""Roadmap numbers for other features: progress per school and overdue items, in few queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.models import ItemStatus, Role, School
from bot.services.roadmaps import roadmap_reports, roadmaps
from bot.services.roadmaps.roadmap_summary import (
    OverdueItem,
    Progress,
    overdue_items,
    roadmap_progress,
)
from tests.support.factories import actor_for, make_municipality, make_person, make_school
from tests.support.query_counter import count_queries
from tests.support.roadmap_files import parsed_item

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


async def _schools(session: AsyncSession, count: int):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    result = []
    for number in range(count):
        school = await make_school(session, city, 30 + number)
        staff = await actor_for(
            session, await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
        )
        curator = await actor_for(
            session, await make_person(session, Role.CURATOR, municipality=city, curated=[school])
        )
        await roadmaps.apply_import(
            session,
            staff,
            school.id,
            2026,
            [
                parsed_item("1", "2026-10-01"),
                parsed_item("2", "2026-11-23"),
                parsed_item("3", "2027-05-31"),
            ],
            NOW,
        )
        result.append((school, staff, curator))
    return result


async def _accept(session: AsyncSession, staff, curator, item_id: int) -> None:  # type: ignore[no-untyped-def]
    report = await roadmap_reports.submit_report(
        session,
        staff,
        item_id,
        status=ItemStatus.DONE,
        percent=100,
        done_text="Сделано",
        evidence=[],
        now=NOW,
    )
    await roadmap_reports.review(session, curator, report.id, accept=True, comment=None, now=NOW)


async def test_progress_in_two_queries_whatever_the_number_of_schools(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    schools = await _schools(session, 4)
    school, staff, curator = schools[0]
    rows = await roadmaps.school_items(session, staff, school.id, TODAY)
    ids = {row.number: row.id for row in rows}
    await _accept(session, staff, curator, ids["1"])
    await roadmap_reports.submit_report(
        session,
        staff,
        ids["3"],
        status=ItemStatus.IN_PROGRESS,
        percent=None,
        done_text="Начали",
        evidence=[],
        now=NOW,
    )
    empty = await make_school(session, await make_municipality(session, name="Другой"), 99)
    await session.flush()
    wanted = [s.id for s, _, _ in schools] + [empty.id]
    with count_queries(engine) as counter:
        progress = await roadmap_progress(session, wanted, TODAY)
    assert counter.count == 2
    assert progress[school.id] == Progress(accepted=1, total=3, overdue=1, waiting_review=1)
    assert progress[schools[1][0].id] == Progress(accepted=0, total=3, overdue=2, waiting_review=0)
    assert progress[empty.id] == Progress(accepted=0, total=0, overdue=0, waiting_review=0)
    assert set(progress) == set(wanted)
    assert await roadmap_progress(session, [], TODAY) == {}
    by_subquery = await roadmap_progress(
        session, select(School.id).where(School.id.in_(wanted)).scalar_subquery(), TODAY
    )
    assert by_subquery == {k: v for k, v in progress.items() if k != empty.id}


async def test_overdue_items_longest_first_and_done_ones_left_out(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    (first, staff, curator), (second, _, _) = await _schools(session, 2)
    rows = await roadmaps.school_items(session, staff, first.id, TODAY)
    await _accept(session, staff, curator, next(r.id for r in rows if r.number == "2"))
    with count_queries(engine) as counter:
        found = await overdue_items(session, [first.id, second.id], TODAY)
    assert counter.count == 1
    assert [(o.school_id, o.number, o.days_overdue) for o in found] == [
        (first.id, "1", 54),
        (second.id, "1", 54),
        (second.id, "2", 1),
    ]
    assert isinstance(found[0], OverdueItem) and found[0].due_date == date(2026, 10, 1)
    assert await overdue_items(session, [second.id], date(2026, 10, 1)) == []

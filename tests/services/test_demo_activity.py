"""The living demo: what a newcomer's first /summary, chart, /overdue, digest and /report
read after `seed-demo`, the invariants the history keeps, and that loading twice adds nothing."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory
from bot.models import (
    AuditRecord,
    CuratorAssignment,
    ItemStatus,
    Notification,
    ProgressReport,
    ReviewState,
    RiskLevel,
    Roadmap,
    RoadmapItem,
    School,
    SchoolRiskProfileEntry,
    Visit,
    VisitFollowUp,
)
from bot.reports.chart import progress_chart_png
from bot.seed.activity import load_demo_activity
from bot.seed.kamensk_roadmaps import DEMO_ROADMAPS, PLAN_2019_2020, RECOMMENDATIONS_2023, ItemStory
from bot.services.access.actors import Actor
from bot.services.notifications import digest
from bot.services.reporting import report_data, summaries
from bot.services.roadmaps import risk_profile
from bot.services.roadmaps.deadlines import parse_deadline
from bot.services.school_year import SchoolYear
from bot.services.visits import visits
from tests.support.factories import (
    actor_for,
    bind_account,
    load_demo_data,
    next_telegram_id,
    person_named,
    school_named,
)
from tests.support.personas import COORDINATOR, SMIRNOVA

# A Tuesday, 12:00 in Kamensk-Uralsky: the same clock as the e2e demo fixture.
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
COUNTED = (
    Roadmap,
    RoadmapItem,
    ProgressReport,
    Visit,
    VisitFollowUp,
    SchoolRiskProfileEntry,
    CuratorAssignment,
)


async def _counts(session: AsyncSession) -> dict[str, int]:
    return {
        model.__name__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (*COUNTED, Notification, AuditRecord)
    }


async def _seed(session: AsyncSession, now: datetime = NOW) -> None:
    await load_demo_data(session)
    await load_demo_activity(session, now=now)
    await session.commit()


async def _coordinator(session: AsyncSession) -> Actor:
    person = await person_named(session, COORDINATOR)
    await bind_account(session, person, next_telegram_id())
    return await actor_for(session, person)


@pytest.fixture
async def seeded(session: AsyncSession) -> AsyncSession:
    await _seed(session)
    return session


async def test_seeding_twice_adds_nothing_and_an_older_demo_gets_the_new_parts_once(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:  # a database seeded before the living demo
        await load_demo_data(session)
        await session.commit()
        before = await _counts(session)
    assert all(before[model.__name__] == 0 for model in COUNTED if model is not CuratorAssignment)
    async with session_factory() as session:
        await load_demo_data(session)
        first = await load_demo_activity(session, now=NOW)
        await session.commit()
        after_first = await _counts(session)
    assert (first.roadmaps, first.items, first.reports, first.visits) == (7, 115, 66, 21)
    assert first.risk_entries == 29
    # Every demo curator is assigned to their schools for the current school year (the
    # older demo wrote 2022 only; a loader that already writes this year leaves nothing to add).
    year = SchoolYear.containing(TODAY).start
    async with session_factory() as session:
        this_year = await session.scalar(select(func.count()).where(CuratorAssignment.year == year))
    assert this_year == 7 and first.assignments in (0, 7)
    assert after_first["Roadmap"] == 7 and after_first["RoadmapItem"] == 115
    assert after_first["Visit"] == 21 and after_first["SchoolRiskProfileEntry"] == 29
    # History is not news: nobody is told about a visit of four months ago.
    assert after_first["Notification"] == before["Notification"]
    async with session_factory() as session:
        await load_demo_data(session)
        second = await load_demo_activity(session, now=NOW + timedelta(days=3))
        await session.commit()
        assert second.total == 0
        assert await _counts(session) == after_first


async def test_a_school_that_has_its_own_plan_keeps_it(session: AsyncSession) -> None:
    await load_demo_data(session)
    school = await school_named(session, "СШ № 17")
    own = Roadmap(school_id=school.id, year=SchoolYear.containing(TODAY).start, title="Своя")
    session.add(own)
    await session.flush()
    session.add(RoadmapItem(roadmap_id=own.id, number="1", measure="Педсовет"))
    counts = await load_demo_activity(session, now=NOW)
    assert counts.roadmaps == 6
    items = await session.scalars(
        select(RoadmapItem.measure).where(RoadmapItem.roadmap_id == own.id)
    )
    assert items.all() == ["Педсовет"]
    # Its visits are still there; the one about item 3 of the demo plan points at nothing.
    linked = await session.scalars(
        select(Visit.roadmap_item_id).where(Visit.school_id == school.id)
    )
    assert linked.all() == [None, None, None]


async def test_summary_shows_every_school_with_varied_numbers(seeded: AsyncSession) -> None:
    rows = {
        row.name: row
        for row in await summaries.summarize(seeded, await _coordinator(seeded), TODAY)
    }
    assert len(rows) == 7
    # (accepted, total, overdue, waiting) follow from the stories in kamensk_roadmaps.
    assert {
        name: (r.accepted, r.total, r.overdue, r.waiting_review) for name, r in rows.items()
    } == {
        "СШ № 38": (11, 25, 4, 2),
        "СШ № 60": (7, 25, 8, 1),
        "Лицей № 9": (6, 13, 1, 1),
        "СШ № 17": (3, 13, 4, 1),
        "СШ № 1": (5, 13, 2, 2),
        "СШ № 35": (3, 13, 4, 0),
        "СШ № 51": (1, 13, 6, 1),
    }
    assert rows["СШ № 51"].high_risks == [1, 5, 9]  # seed 004's three risks
    assert rows["СШ № 51"].days_since_visit == 45 and rows["СШ № 51"].no_recent_visit
    assert rows["СШ № 1"].days_since_visit == 1 and not rows["СШ № 1"].no_recent_visit
    assert rows["Лицей № 9"].curators == [SMIRNOVA]
    assert sum(1 for r in rows.values() if r.no_recent_visit) == 1
    chart = progress_chart_png([(r.name, r.accepted, r.total) for r in rows.values()])
    assert chart[:4] == b"\x89PNG"
    sections = await summaries.progress_by_section(seeded, rows["СШ № 17"].school_id)
    assert [s for s, _, _ in sections] == [
        "Подготовка к ГИА и оценочным процедурам",
        "Методическая помощь и профессиональный рост педагогов",
        "Внутришкольная система профилактики учебной неуспешности",
        "Представление опыта работы в рамках проекта «500+»",
    ]
    assert sections[0][1:] == (2, 3)


async def test_overdue_and_digest(seeded: AsyncSession) -> None:
    coordinator = await _coordinator(seeded)
    overdue = await summaries.overdue_items(seeded, coordinator, TODAY)
    assert len(overdue) == 29
    assert len({item.school for item in overdue}) == 7
    assert min(i.days for i in overdue) < 14 < max(i.days for i in overdue)
    week = await digest.build_digest(seeded, coordinator, TODAY)
    assert week.week_start == date(2026, 11, 23)
    assert sum(s.done_this_week for s in week.schools) == 2  # accepted an hour before loading
    assert {s.school for s in week.schools if s.visits_this_week} == {"СШ № 1", "СШ № 38"}
    assert sum(s.overdue for s in week.schools) == 29
    assert sum(s.waiting_review for s in week.schools) == 8
    assert sum(s.due_soon for s in week.schools) > 0
    assert week.escalated and all((TODAY - due).days > 14 for *_, due in week.escalated)


async def test_half_year_report_has_items_with_marks_and_visits(seeded: AsyncSession) -> None:
    schools = list(await seeded.scalars(select(School.id).where(School.in_project.is_(True))))
    start = report_data.school_year_start(TODAY)
    first, last = report_data.half_year_bounds(start, 1)
    items = await report_data.report_items(seeded, schools, first, last)
    assert {i.status for i in items} == {
        ItemStatus.DONE,
        ItemStatus.IN_PROGRESS,
        ItemStatus.NOT_STARTED,
    }
    done = [i for i in items if i.status == ItemStatus.DONE]
    assert done and all(i.done_text and (i.evidence or "").startswith("https://") for i in done)
    assert any(i.done_text == PLAN_2019_2020[5].mark for i in done)  # the seed's own mark
    rows = await report_data.report_visits(seeded, schools, first, last)
    assert len({day.month for day, *_ in rows}) >= 3
    assert {fmt for *_, fmt, _, _ in rows} >= {"on_site", "remote", "phone", "joint_event"}


async def test_visits_risk_profiles_and_review_queue(seeded: AsyncSession) -> None:
    coordinator = await _coordinator(seeded)
    page = await visits.list_visits(seeded, coordinator, 0, visits.VisitFilter())
    assert page.total == 21
    months = await seeded.scalars(select(Visit.visit_date))
    assert len({(d.year, d.month) for d in months}) >= 4
    # Each visit is by a curator of that school, with findings and recommendations.
    pairs = {
        (curator, school)
        for curator, school in await seeded.execute(
            select(CuratorAssignment.curator_person_id, CuratorAssignment.school_id)
        )
    }
    for visit in await seeded.scalars(select(Visit)):
        assert (visit.curator_person_id, visit.school_id) in pairs
        assert visit.findings and visit.recommendations and visit.participants
    year = SchoolYear.containing(TODAY).start
    school = await school_named(seeded, "СШ № 51")
    levels = {f.factor_id: f.level for f in await risk_profile.profile(seeded, school.id, year)}
    assert levels[1] == levels[5] == levels[9] == RiskLevel.HIGH and levels[2] is None
    schools_with_profile = await seeded.scalars(
        select(func.count(func.distinct(SchoolRiskProfileEntry.school_id))).where(
            SchoolRiskProfileEntry.year == year
        )
    )
    assert schools_with_profile.one() == 7


async def test_the_history_keeps_the_services_invariants(seeded: AsyncSession) -> None:
    curators = {
        (school, curator)
        for school, curator in await seeded.execute(
            select(CuratorAssignment.school_id, CuratorAssignment.curator_person_id)
        )
    }
    rows = (
        await seeded.execute(
            select(RoadmapItem, Roadmap).join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        )
    ).all()
    states: Counter[str] = Counter()
    for item, roadmap in rows:
        reports = list(
            await seeded.scalars(
                select(ProgressReport)
                .where(ProgressReport.item_id == item.id)
                .order_by(ProgressReport.submitted_at)
            )
        )
        accepted = [r for r in reports if r.review_state == ReviewState.ACCEPTED]
        last = accepted[-1] if accepted else None
        assert item.status == (last.status if last else ItemStatus.NOT_STARTED)
        assert item.percent == (last.percent if last else None)
        assert (item.accepted_at is not None) == (item.status == ItemStatus.DONE)
        assert sum(r.review_state == ReviewState.PENDING for r in reports) <= 1
        for report in reports:
            states[report.review_state.value] += 1
            assert report.submitted_at <= NOW
            if report.reviewed_at is not None:
                assert report.submitted_at < report.reviewed_at <= NOW
                assert (roadmap.school_id, report.reviewed_by_person_id) in curators
            if report.review_state == ReviewState.RETURNED:
                assert report.review_comment
        # The wording and the date agree the way the bot reads deadlines.
        assert item.deadline_text
        deadline = parse_deadline(item.deadline_text, roadmap.year)
        assert (deadline.due, deadline.recurring) == (item.due_date, item.is_recurring)
    assert states == {"accepted": 52, "pending": 8, "returned": 6}
    factors = {item.risk_factor_id for item in await seeded.scalars(select(RoadmapItem))}
    assert factors >= {r.risk_factor for r in RECOMMENDATIONS_2023 if r.risk_factor}


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 9, 1, 4, 0, tzinfo=UTC),  # the first day of a school year
        datetime(2027, 1, 11, 4, 0, tzinfo=UTC),  # after the winter holidays
        datetime(2027, 8, 31, 4, 0, tzinfo=UTC),  # the last day of a school year
    ],
    ids=["1-september", "january", "31-august"],
)
async def test_the_demo_is_alive_whenever_it_is_loaded(
    session: AsyncSession, now: datetime
) -> None:
    await _seed(session, now)
    today = now.date()
    rows = await summaries.summarize(session, await _coordinator(session), today)
    assert sum(r.accepted for r in rows) == 36 and sum(r.total for r in rows) == 115
    assert sum(r.overdue for r in rows) == 29 and sum(r.waiting_review for r in rows) == 8
    year = await session.scalar(select(func.max(Roadmap.year)))
    assert year == SchoolYear.containing(today).start
    schools = list(await session.scalars(select(School.id).where(School.in_project.is_(True))))
    start = report_data.school_year_start(today)
    offered = [(start, 1), (start, 2), (start - 1, 2)]  # what /report offers
    found_items = found_visits = 0
    for half_start, half in offered:
        first, last = report_data.half_year_bounds(half_start, half)
        found_items += len(await report_data.report_items(session, schools, first, last))
        found_visits += len(await report_data.report_visits(session, schools, first, last))
    assert found_items and found_visits


def test_the_plan_is_the_seeds_plan_and_every_story_fits_its_roadmap() -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "seed_plan_2019_2020.csv"
    with fixture.open(encoding="utf-8") as table:
        rows = list(csv.reader(table, delimiter=";"))[1:]
    assert [(m.number, m.section, m.measure, m.responsible) for m in PLAN_2019_2020] == [
        (row[0], row[1], row[3], row[5]) for row in rows
    ]
    for roadmap in DEMO_ROADMAPS:
        source = PLAN_2019_2020 if roadmap.source == "plan_2019_2020" else RECOMMENDATIONS_2023
        assert len(roadmap.stories) == len(source)
        assert {ItemStory(letter) for letter in roadmap.stories} >= {
            ItemStory.ACCEPTED,
            ItemStory.NOTHING,
        }

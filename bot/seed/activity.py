"""The demo's school year in full swing: roadmaps with reports, visits, risk profiles.

`load_demo_activity` runs after `load_demo` (people and schools) and writes, for the demo
schools, what `bot/seed/kamensk_roadmaps.py` describes, dated relative to the day it runs.

Idempotent by natural keys: a school's roadmap of the current school year (skipped whole
when the school already has one, demo or not — a real plan is never touched), a visit's
`client_token` («demo-…»), a risk-profile entry (school, factor, year), a curator
assignment (curator, school, year). A second run adds nothing; a run in a later school
year adds that year's demo.

History is written as rows, not through the services: the services tell people
(outbox) about each report, review and visit, and a demo loaded today must not send
anyone news about a visit «four months ago». The invariants the services keep are kept
here too and checked by tests/services/test_demo_activity.py: an item's status, percent
and `accepted_at` are those of its last accepted report; at most one report per item
waits for review; a returned report has a comment; the reviewer is the school's curator;
nothing is dated after `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CuratorAssignment,
    ItemStatus,
    Municipality,
    Person,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
    SchoolKind,
    SchoolRiskProfileEntry,
    Visit,
    VisitFollowUp,
    utcnow,
)
from bot.seed import kamensk_2022 as people_seed
from bot.seed import kamensk_roadmaps as data
from bot.seed.kamensk_roadmaps import ItemStory
from bot.services.school_names import short_name
from bot.services.school_year import SchoolYear

SchoolKey = tuple[SchoolKind, int]


@dataclass
class ActivityCounts:
    """What one run added (all zeros on a second run)."""

    assignments: int = 0
    roadmaps: int = 0
    items: int = 0
    reports: int = 0
    visits: int = 0
    risk_entries: int = 0

    @property
    def total(self) -> int:
        return (
            self.assignments
            + self.roadmaps
            + self.items
            + self.reports
            + self.visits
            + self.risk_entries
        )


class DemoNotLoaded(RuntimeError):
    """The people and schools of the demo are not there: run `load_demo` first."""


@dataclass
class _Context:
    session: AsyncSession
    now: datetime
    today: date
    zone: ZoneInfo
    year: SchoolYear
    schools: dict[SchoolKey, School]
    curators: dict[SchoolKey, Person]
    directors: dict[SchoolKey, Person]
    counts: ActivityCounts = field(default_factory=ActivityCounts)
    # Demo roadmaps of this school year, by school: visits point at their items.
    items_by_school: dict[SchoolKey, dict[str, int]] = field(default_factory=dict)

    def at(self, day: date, hour: int) -> datetime:
        """A local time on `day`, in UTC, never after `now`."""
        moment = datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)
        return min(moment, self.now - timedelta(minutes=5))


async def load_demo_activity(
    session: AsyncSession, *, now: datetime | None = None
) -> ActivityCounts:
    now = now or utcnow()
    municipality = await session.scalar(
        select(Municipality).where(Municipality.name == people_seed.MUNICIPALITY)
    )
    if municipality is None:
        raise DemoNotLoaded(people_seed.MUNICIPALITY)
    zone = ZoneInfo(municipality.timezone)
    today = now.astimezone(zone).date()
    context = _Context(
        session=session,
        now=now,
        today=today,
        zone=zone,
        year=SchoolYear.containing(today),
        schools=await _schools(session, municipality.id),
        curators={},
        directors={},
    )
    await _people(context)
    for index, plan in enumerate(data.DEMO_ROADMAPS):
        await _roadmap(context, plan, jitter=index % 3)
    for index, visit in enumerate(data.VISITS):
        await _visit(context, index, visit)
    await _risk_profiles(context)
    await session.flush()
    return context.counts


async def _schools(session: AsyncSession, municipality_id: int) -> dict[SchoolKey, School]:
    schools = {}
    for school_seed in people_seed.SCHOOLS:
        name = short_name(school_seed.kind, school_seed.number, school_seed.full_name)
        school = await session.scalar(
            select(School).where(
                School.municipality_id == municipality_id, School.short_name == name
            )
        )
        if school is None:
            raise DemoNotLoaded(name)
        schools[(school_seed.kind, school_seed.number)] = school
    return schools


async def _people(context: _Context) -> None:
    """The demo curators (assigned for this school year too) and the schools' directors."""
    session = context.session
    for person_seed in people_seed.PEOPLE:
        if not person_seed.schools:
            continue
        curator = await session.scalar(
            select(Person).where(Person.full_name == person_seed.full_name)
        )
        if curator is None:
            raise DemoNotLoaded(person_seed.full_name)
        for key in person_seed.schools:
            context.curators[key] = curator
            school_id = context.schools[key].id
            assigned = await session.scalar(
                select(CuratorAssignment.id).where(
                    CuratorAssignment.curator_person_id == curator.id,
                    CuratorAssignment.school_id == school_id,
                    CuratorAssignment.year == context.year.start,
                )
            )
            if assigned is None:
                session.add(
                    CuratorAssignment(
                        curator_person_id=curator.id, school_id=school_id, year=context.year.start
                    )
                )
                context.counts.assignments += 1
    for school_seed in people_seed.SCHOOLS:
        key = (school_seed.kind, school_seed.number)
        if school_seed.director is None:
            continue
        director = await session.scalar(
            select(Person).where(
                Person.full_name == school_seed.director,
                Person.workplace_school_id == context.schools[key].id,
            )
        )
        if director is not None:
            context.directors[key] = director
    await session.flush()


# -- roadmaps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ItemText:
    number: str
    section: str
    risk_factor: int | None
    measure: str
    responsible: str
    expected: str
    done_text: str
    evidence_file: str
    offset: int | None
    recurring_text: str | None


def _item_texts(source: str, director: str, exam_year: int) -> list[_ItemText]:
    if source == "plan_2019_2020":
        return [
            _ItemText(
                m.number,
                m.section,
                None,
                m.measure,
                m.responsible,
                m.mark,
                data.PLAN_LINK_DONE_TEXT if m.mark.strip().upper() == "ССЫЛКА" else m.mark,
                f"plan-{m.number}.pdf",
                offset,
                data.PLAN_RECURRING.get(m.number),
            )
            for m, offset in zip(data.PLAN_2019_2020, data.PLAN_SCHEDULE, strict=True)
        ]
    return [
        _ItemText(
            r.number,
            r.section,
            r.risk_factor,
            r.measure,
            r.responsible.format(director=director),
            r.expected.format(exam_year=exam_year),
            r.done_text,
            r.evidence,
            offset,
            data.RECOMMENDATION_RECURRING.get(r.number),
        )
        for r, offset in zip(data.RECOMMENDATIONS_2023, data.RECOMMENDATION_SCHEDULE, strict=True)
    ]


async def _roadmap(context: _Context, plan: data.DemoRoadmap, jitter: int) -> None:
    session = context.session
    school = context.schools[plan.school]
    title = data.ROADMAP_TITLES[plan.source].format(label=context.year.label)
    roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id, Roadmap.year == context.year.start)
    )
    if roadmap is not None:
        if roadmap.title == title:  # ours, from an earlier run: visits may point at its items
            ours = await session.execute(
                select(RoadmapItem.number, RoadmapItem.id).where(
                    RoadmapItem.roadmap_id == roadmap.id
                )
            )
            context.items_by_school[plan.school] = {number: item_id for number, item_id in ours}
        return
    texts = _item_texts(plan.source, school.director_name or "", context.year.start + 1)
    assert len(plan.stories) == len(texts), plan.school
    roadmap = Roadmap(
        school_id=school.id,
        year=context.year.start,
        title=title,
        imported_at=context.at(context.today - timedelta(days=130), 11),
    )
    session.add(roadmap)
    await session.flush()
    context.counts.roadmaps += 1
    numbers: dict[str, int] = {}
    for position, (text, letter) in enumerate(zip(texts, plan.stories, strict=True)):
        item = _new_item(context, roadmap.id, position, text, jitter)
        session.add(item)
        await session.flush()
        numbers[text.number] = item.id
        context.counts.items += 1
        await _tell_story(context, plan.school, item, text, ItemStory(letter), position)
    context.items_by_school[plan.school] = numbers


def _new_item(
    context: _Context, roadmap_id: int, position: int, text: _ItemText, jitter: int
) -> RoadmapItem:
    due: date | None = None
    if text.offset is not None:
        # A few days' difference between schools, never across today.
        offset = text.offset - jitter if text.offset < 0 else text.offset + jitter
        due = context.today + timedelta(days=offset)
    return RoadmapItem(
        roadmap_id=roadmap_id,
        number=text.number,
        position=position,
        section=text.section,
        risk_factor_id=text.risk_factor,
        measure=text.measure,
        deadline_text=text.recurring_text or (f"до {due:%d.%m.%Y}" if due else None),
        due_date=due,
        is_recurring=due is None,
        responsible=text.responsible,
        expected_result=text.expected,
        status=ItemStatus.NOT_STARTED,
    )


async def _tell_story(
    context: _Context,
    key: SchoolKey,
    item: RoadmapItem,
    text: _ItemText,
    story: ItemStory,
    position: int,
) -> None:
    """The reports and reviews behind `story`, and the item's status that follows from them."""
    if story == ItemStory.NOTHING:
        return
    author, curator = context.directors.get(key), context.curators.get(key)
    if author is None or curator is None:
        return
    today = context.today
    # Work is reported a few days before the deadline (or before today, if it is still ahead).
    reported_day = min(item.due_date or today, today) - timedelta(days=4)
    link = f"https://{_site(key)}.kamensk.example/500plus/{text.evidence_file}"

    def report(**values: object) -> ProgressReport:
        made = ProgressReport(item_id=item.id, author_person_id=author.id, **values)
        context.session.add(made)
        context.counts.reports += 1
        return made

    if story in (ItemStory.ACCEPTED, ItemStory.ACCEPTED_THIS_WEEK):
        if story == ItemStory.ACCEPTED_THIS_WEEK:
            submitted = context.at(today - timedelta(days=3), 10)
            reviewed = context.now - timedelta(hours=1)
        else:
            submitted = context.at(reported_day, 10)
            reviewed = context.at(reported_day + timedelta(days=2), 16)
        report(
            status=ItemStatus.DONE,
            percent=100,
            done_text=text.done_text,
            evidence_links=link,
            submitted_at=submitted,
            review_state=ReviewState.ACCEPTED,
            reviewed_by_person_id=curator.id,
            reviewed_at=reviewed,
        )
        item.status, item.percent, item.accepted_at = ItemStatus.DONE, 100, reviewed
    elif story == ItemStory.IN_PROGRESS:
        percent, note = data.PROGRESS_NOTES[position % len(data.PROGRESS_NOTES)]
        submitted = context.at(today - timedelta(days=12 + position % 5), 11)
        report(
            status=ItemStatus.IN_PROGRESS,
            percent=percent,
            done_text=note,
            submitted_at=submitted,
            review_state=ReviewState.ACCEPTED,
            reviewed_by_person_id=curator.id,
            reviewed_at=submitted + timedelta(days=1),
        )
        item.status, item.percent = ItemStatus.IN_PROGRESS, percent
    elif story == ItemStory.PENDING:
        report(
            status=ItemStatus.DONE,
            percent=100,
            done_text=text.done_text,
            evidence_links=link,
            submitted_at=context.at(today - timedelta(days=1 + position % 4), 9),
            review_state=ReviewState.PENDING,
        )
    elif story == ItemStory.RETURNED:
        returned_day = reported_day + timedelta(days=2)
        report(
            status=ItemStatus.DONE,
            done_text=text.done_text,
            submitted_at=context.at(reported_day, 10),
            review_state=ReviewState.RETURNED,
            reviewed_by_person_id=curator.id,
            reviewed_at=context.at(returned_day, 15),
            review_comment=data.RETURN_COMMENTS[position % len(data.RETURN_COMMENTS)],
        )


def _site(key: SchoolKey) -> str:
    kind, number = key
    return f"{'licey' if kind == SchoolKind.LYCEUM else 'school'}{number}"


# -- visits and risk profiles ---------------------------------------------------------------


async def _visit(context: _Context, index: int, seed: data.VisitSeed) -> None:
    session = context.session
    curator = context.curators.get(seed.school)
    if curator is None:
        return
    school = context.schools[seed.school]
    token = f"demo-{context.year.start}-{index}"
    if await session.scalar(select(Visit.id).where(Visit.client_token == token)) is not None:
        return
    today = context.today
    if seed.days_ago == data.THIS_WEEK:
        day = today - timedelta(days=min(1, today.weekday()))
    else:
        day = today - timedelta(days=seed.days_ago)
    items = context.items_by_school.get(seed.school, {})
    visit = Visit(
        curator_person_id=curator.id,
        school_id=school.id,
        visit_date=day,
        format=seed.format,
        purpose=seed.purpose,
        roadmap_item_id=items.get(seed.item_number) if seed.item_number else None,
        risk_factor_id=seed.risk_factor,
        participants=list(seed.participants),
        participants_other=seed.participants_other,
        findings=seed.findings,
        recommendations=seed.recommendations,
        client_token=token,
        created_at=context.at(day, 18),
    )
    session.add(visit)
    await session.flush()
    context.counts.visits += 1
    for step in seed.follow_ups:
        due = day + timedelta(days=step.days_after_visit)
        done = step.done and due <= today
        session.add(
            VisitFollowUp(
                visit_id=visit.id,
                what=step.what,
                due_date=due,
                done_at=context.at(due - timedelta(days=1), 15) if done else None,
            )
        )


async def _risk_profiles(context: _Context) -> None:
    session = context.session
    for key, levels in data.RISK_PROFILES.items():
        school_id = context.schools[key].id
        for factor, level in levels.items():
            exists = await session.scalar(
                select(SchoolRiskProfileEntry.id).where(
                    SchoolRiskProfileEntry.school_id == school_id,
                    SchoolRiskProfileEntry.risk_factor_id == factor,
                    SchoolRiskProfileEntry.year == context.year.start,
                )
            )
            if exists is None:
                session.add(
                    SchoolRiskProfileEntry(
                        school_id=school_id,
                        risk_factor_id=factor,
                        level=level,
                        year=context.year.start,
                    )
                )
                context.counts.risk_entries += 1

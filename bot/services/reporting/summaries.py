"""Summaries for coordinators and curators: per school, in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ScalarSelect, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    SETTLED_STATUSES,
    CuratorAssignment,
    ItemStatus,
    Person,
    RiskLevel,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    SchoolRiskProfileEntry,
    TelegramAccount,
    utcnow,
)
from bot.services.access.actors import Actor
from bot.services.access.assignments import valid_on
from bot.services.events.events import events_attended
from bot.services.reporting.streaming import off_loop_for_a_region
from bot.services.roadmaps.roadmap_summary import roadmap_progress
from bot.services.school_year import SchoolYear
from bot.services.visits.visits import last_visits

STALE_VISIT_DAYS = 30
SchoolIds = list[int] | ScalarSelect[int]


@dataclass
class SchoolSummary:
    school_id: int
    name: str
    accepted: int = 0
    total: int = 0
    overdue: int = 0
    waiting_review: int = 0
    last_visit: date | None = None
    days_since_visit: int | None = None
    curators: list[str] = field(default_factory=list)
    high_risks: list[int] = field(default_factory=list)
    unreachable: int = 0
    events_attended: int = 0  # city events its team took part in
    last_event: str | None = None

    @property
    def no_recent_visit(self) -> bool:
        return self.days_since_visit is None or self.days_since_visit > STALE_VISIT_DAYS

    @property
    def needs_attention(self) -> bool:
        return bool(self.overdue or self.waiting_review or self.no_recent_visit)

    @property
    def attention(self) -> tuple[int, int, int, str]:
        return (-self.overdue, -self.waiting_review, -int(self.no_recent_visit), self.name)


async def summary_schools(
    session: AsyncSession, actor: Actor, school_ids: list[int] | None = None
) -> list[School]:
    statement = select(School).where(actor.school_filter(), School.in_project.is_(True))
    if school_ids is not None:
        statement = statement.where(School.id.in_(school_ids))
    return list(await session.scalars(statement.order_by(School.number)))


async def summarize(session: AsyncSession, actor: Actor, today: date) -> list[SchoolSummary]:
    """Every project school in scope, those needing attention first."""
    await off_loop_for_a_region(session, actor)
    schools = await summary_schools(session, actor)
    rows = {s.id: SchoolSummary(s.id, s.short_name) for s in schools}
    if not rows:
        return []
    # A subquery rather than thousands of bound ids: the database joins, nothing is expanded.
    ids = (
        select(School.id)
        .where(actor.school_filter(), School.in_project.is_(True))
        .scalar_subquery()
    )
    for school_id, progress in (await roadmap_progress(session, ids, today)).items():
        row = rows[school_id]
        row.accepted, row.total = progress.accepted, progress.total
        row.overdue, row.waiting_review = progress.overdue, progress.waiting_review
    for school_id, day in (await last_visits(session, ids)).items():
        rows[school_id].last_visit = day
        rows[school_id].days_since_visit = (today - day).days
    for school_id, names in (await curator_names(session, ids, today)).items():
        rows[school_id].curators = names
    for school_id, factor in await session.execute(
        select(SchoolRiskProfileEntry.school_id, SchoolRiskProfileEntry.risk_factor_id)
        .where(
            SchoolRiskProfileEntry.school_id.in_(ids),
            SchoolRiskProfileEntry.level == RiskLevel.HIGH,
            SchoolRiskProfileEntry.year == SchoolYear.containing(today).start,
        )
        .order_by(SchoolRiskProfileEntry.risk_factor_id)
    ):
        rows[school_id].high_risks.append(factor)
    for school_id, count in (await unreachable_counts(session, ids)).items():
        rows[school_id].unreachable = count
    for school_id, attended in (await events_attended(session, ids)).items():
        rows[school_id].events_attended = len(attended)
        rows[school_id].last_event = attended[0][0]
    return sorted(rows.values(), key=lambda r: r.attention)


async def curator_names(
    session: AsyncSession, school_ids: SchoolIds, today: date | None = None
) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for school_id, name in await session.execute(
        select(CuratorAssignment.school_id, Person.full_name)
        .join(Person, Person.id == CuratorAssignment.curator_person_id)
        .where(CuratorAssignment.school_id.in_(school_ids), valid_on(today or utcnow().date()))
        .distinct()
        .order_by(Person.full_name)
    ):
        names[school_id].append(name)
    return names


async def unreachable_counts(session: AsyncSession, school_ids: SchoolIds) -> dict[int, int]:
    """Staff of the school whose Telegram account blocked the bot."""
    rows = await session.execute(
        select(RoleAssignment.school_id, func.count(TelegramAccount.id))
        .join(TelegramAccount, TelegramAccount.person_id == RoleAssignment.person_id)
        .where(
            RoleAssignment.school_id.in_(school_ids),
            RoleAssignment.role == Role.SCHOOL_STAFF,
            RoleAssignment.revoked_at.is_(None),
            TelegramAccount.unreachable_since.is_not(None),
        )
        .group_by(RoleAssignment.school_id)
    )
    return {school_id: int(count) for school_id, count in rows if school_id is not None}


@dataclass(frozen=True)
class OverdueItem:
    school: str
    number: str
    measure: str
    due: date
    days: int


async def overdue_items(session: AsyncSession, actor: Actor, today: date) -> list[OverdueItem]:
    await off_loop_for_a_region(session, actor)
    rows = await session.execute(
        select(School.short_name, RoadmapItem.number, RoadmapItem.measure, RoadmapItem.due_date)
        .join(Roadmap, Roadmap.school_id == School.id)
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(
            actor.school_filter(),
            RoadmapItem.status.not_in(SETTLED_STATUSES),
            RoadmapItem.due_date < today,
        )
        .order_by(School.number, School.short_name, RoadmapItem.due_date, RoadmapItem.position)
    )
    return [OverdueItem(s, n, m, d, (today - d).days) for s, n, m, d in rows if d is not None]


async def progress_by_section(session: AsyncSession, school_id: int) -> list[tuple[str, int, int]]:
    rows = await session.execute(
        select(
            RoadmapItem.section,
            func.sum(case((RoadmapItem.status == ItemStatus.DONE, 1), else_=0)),
            func.count(RoadmapItem.id),
        )
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        # A carried-over item is counted once: as its copy in the next year's plan.
        .where(Roadmap.school_id == school_id, RoadmapItem.status != ItemStatus.CARRIED_OVER)
        .group_by(RoadmapItem.section)
        .order_by(func.min(RoadmapItem.position))
    )
    return [(section or "", int(done or 0), int(total)) for section, done, total in rows]


async def summarize_one(session: AsyncSession, school: School, today: date) -> SchoolSummary:
    """The summary row of one school (the card), with the same rules as the list."""
    row = SchoolSummary(school.id, school.short_name)
    progress = (await roadmap_progress(session, [school.id], today)).get(school.id)
    if progress is not None:
        row.accepted, row.total = progress.accepted, progress.total
        row.overdue, row.waiting_review = progress.overdue, progress.waiting_review
    day = (await last_visits(session, [school.id])).get(school.id)
    if day is not None:
        row.last_visit, row.days_since_visit = day, (today - day).days
    row.curators = (await curator_names(session, [school.id], today)).get(school.id, [])
    row.unreachable = (await unreachable_counts(session, [school.id])).get(school.id, 0)
    return row


async def overdue_for_school(
    session: AsyncSession, school: School, today: date
) -> list[OverdueItem]:
    rows = await session.execute(
        select(RoadmapItem.number, RoadmapItem.measure, RoadmapItem.due_date)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(
            Roadmap.school_id == school.id,
            RoadmapItem.status.not_in(SETTLED_STATUSES),
            RoadmapItem.due_date < today,
        )
        .order_by(RoadmapItem.due_date, RoadmapItem.position)
    )
    return [
        OverdueItem(school.short_name, n, m, d, (today - d).days)
        for n, m, d in rows
        if d is not None
    ]

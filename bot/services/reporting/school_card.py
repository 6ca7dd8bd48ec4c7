"""Everything about one school, for its card: found by what people type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Event,
    EventRegistration,
    Person,
    Role,
    RoleAssignment,
    School,
    TelegramAccount,
    Visit,
    VisitFormat,
)
from bot.services.access.actors import Actor, get_visible_school
from bot.services.access.permissions import allowed
from bot.services.reporting.summaries import (
    OverdueItem,
    SchoolSummary,
    overdue_for_school,
    progress_by_section,
    summarize_one,
)
from bot.services.results.results import SchoolResults, school_results
from bot.services.results.training import TrainingSummary, training_summary
from bot.services.roadmaps.risk_profile import FactorLevel, profile, profile_year
from bot.services.school_names import match_schools
from bot.services.school_year import SchoolYear
from bot.services.visits.follow_ups import FollowUpLine, open_for_school


@dataclass(frozen=True)
class PersonLine:
    name: str
    role: str
    bound: bool
    unreachable: bool


@dataclass(frozen=True)
class SchoolCard:
    school: School
    summary: SchoolSummary
    risks: list[FactorLevel]
    sections: list[tuple[str, int, int]]
    overdue: list[OverdueItem]
    visits: list[tuple[date, str, VisitFormat]]  # date, curator, format
    events: list[tuple[str, datetime]]
    people: list[PersonLine]
    results: SchoolResults | None = None  # issue 18: the latest year, with the year before
    training: TrainingSummary | None = None  # issue 18: courses this school year and last

    follow_ups: list[FollowUpLine] = field(default_factory=list)  # open, soonest first


async def find_in_scope(session: AsyncSession, actor: Actor, query: str) -> list[School]:
    schools = await session.scalars(select(School).where(actor.school_filter()))
    return match_schools(schools.all(), query)


async def school_card(
    session: AsyncSession, actor: Actor, school_id: int, today: date
) -> SchoolCard:
    school = await get_visible_school(session, actor, school_id)
    summary = await summarize_one(session, school, today)
    visits = [
        (day, curator, fmt)
        for day, curator, fmt in await session.execute(
            select(Visit.visit_date, Person.full_name, Visit.format)
            .join(Person, Person.id == Visit.curator_person_id)
            .where(Visit.school_id == school.id, Visit.deleted_at.is_(None))
            .order_by(Visit.visit_date.desc())
            .limit(5)
        )
    ]
    staff_people = select(RoleAssignment.person_id).where(
        RoleAssignment.school_id == school.id,
        RoleAssignment.role == Role.SCHOOL_STAFF,
        RoleAssignment.revoked_at.is_(None),
    )
    events = [
        (title, starts)
        for title, starts in await session.execute(
            select(Event.title, Event.starts_at)
            .join(EventRegistration, EventRegistration.event_id == Event.id)
            .where(
                EventRegistration.person_id.in_(staff_people), EventRegistration.attended.is_(True)
            )
            .distinct()
            .order_by(Event.starts_at.desc())
            .limit(10)
        )
    ]
    people = [
        PersonLine(name, role.value, telegram_id is not None, unreachable is not None)
        for name, role, telegram_id, unreachable in await session.execute(
            select(
                Person.full_name,
                RoleAssignment.role,
                TelegramAccount.telegram_user_id,
                TelegramAccount.unreachable_since,
            )
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .outerjoin(TelegramAccount, TelegramAccount.person_id == Person.id)
            .where(RoleAssignment.school_id == school.id, RoleAssignment.revoked_at.is_(None))
            .order_by(Person.full_name)
        )
    ]
    return SchoolCard(
        school=school,
        summary=summary,
        risks=[r for r in await profile(session, school.id, profile_year(today)) if r.level],
        sections=await progress_by_section(session, school.id),
        overdue=await overdue_for_school(session, school, today),
        visits=visits,
        events=events,
        people=people,
        training=await training_summary(session, school, SchoolYear.containing(today).start),
        results=await school_results(session, school.id, SchoolYear.containing(today).start),
        follow_ups=await open_for_school(session, school.id, today),
    )


def may_change_school(actor: Actor, school: School) -> bool:
    """A coordinator of the school's municipality changes it from its card
    (bot/handlers/directory/directory_changes.py)."""
    return allowed(actor.roles, "school_changes") and actor.coordinates(school.municipality_id)

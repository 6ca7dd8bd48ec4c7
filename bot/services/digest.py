"""The weekly digest: per school in a person's scope, what happened and what is coming.

A constant number of grouped queries whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Event,
    EventStatus,
    ItemStatus,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
    Visit,
)
from bot.services.actors import Actor

ESCALATE_AFTER = timedelta(days=14)


def _midnight(day: date) -> datetime:
    # Week and fortnight boundaries at UTC midnight: a few hours off local midnight at most.
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class SchoolWeek:
    school_id: int
    school: str
    done_this_week: int = 0
    overdue: int = 0
    due_soon: int = 0
    visits_this_week: int = 0
    waiting_review: int = 0

    @property
    def needs_attention(self) -> int:
        return self.overdue * 3 + self.waiting_review * 2 + (self.visits_this_week == 0)


@dataclass
class Digest:
    week_start: date
    schools: list[SchoolWeek] = field(default_factory=list)
    escalated: list[tuple[str, str, str, date]] = field(
        default_factory=list
    )  # school, №, measure, due
    events: list[tuple[str, datetime]] = field(default_factory=list)


async def build_digest(session: AsyncSession, actor: Actor, today: date) -> Digest:
    week_start = today - timedelta(days=today.weekday())
    schools = {
        s.id: SchoolWeek(s.id, s.short_name)
        for s in await session.scalars(
            select(School)
            .where(
                actor.school_filter(),
                School.in_project.is_(True) | School.id.in_(actor.staff_school_ids),
            )
            .order_by(School.number)
        )
    }
    digest = Digest(week_start)
    if not schools:
        return digest
    ids = list(schools)
    not_done = RoadmapItem.status != ItemStatus.DONE
    for school_id, done, overdue, soon in await session.execute(
        select(
            Roadmap.school_id,
            func.sum(case((RoadmapItem.accepted_at >= _midnight(week_start), 1), else_=0)),
            func.sum(case((not_done & (RoadmapItem.due_date < today), 1), else_=0)),
            func.sum(
                case(
                    (
                        not_done
                        & (RoadmapItem.due_date >= today)
                        & (RoadmapItem.due_date <= today + timedelta(days=14)),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(Roadmap.school_id.in_(ids))
        .group_by(Roadmap.school_id)
    ):
        row = schools[school_id]
        row.done_this_week, row.overdue, row.due_soon = (
            int(done or 0),
            int(overdue or 0),
            int(soon or 0),
        )
    for school_id, count in await session.execute(
        select(Visit.school_id, func.count(Visit.id))
        .where(Visit.school_id.in_(ids), Visit.deleted_at.is_(None), Visit.visit_date >= week_start)
        .group_by(Visit.school_id)
    ):
        schools[school_id].visits_this_week = int(count)
    for school_id, count in await session.execute(
        select(Roadmap.school_id, func.count(ProgressReport.id))
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .join(ProgressReport, ProgressReport.item_id == RoadmapItem.id)
        .where(Roadmap.school_id.in_(ids), ProgressReport.review_state == ReviewState.PENDING)
        .group_by(Roadmap.school_id)
    ):
        schools[school_id].waiting_review = int(count)
    digest.schools = sorted(schools.values(), key=lambda s: (-s.needs_attention, s.school))
    if actor.coordinated_municipality_ids or actor.is_admin:
        digest.escalated = [
            (school, number, measure, due)
            for school, number, measure, due in await session.execute(
                select(
                    School.short_name, RoadmapItem.number, RoadmapItem.measure, RoadmapItem.due_date
                )
                .join(Roadmap, Roadmap.school_id == School.id)
                .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
                .where(School.id.in_(ids), not_done, RoadmapItem.due_date < today - ESCALATE_AFTER)
                .order_by(RoadmapItem.due_date)
                .limit(20)
            )
        ]
    municipalities = select(School.municipality_id).where(School.id.in_(ids))
    digest.events = [
        (title, starts)
        for title, starts in await session.execute(
            select(Event.title, Event.starts_at)
            .where(
                Event.municipality_id.in_(municipalities),
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at >= _midnight(today),
                Event.starts_at < _midnight(today + timedelta(days=14)),
            )
            .order_by(Event.starts_at)
            .limit(10)
        )
    ]
    return digest

"""Roadmap numbers for summaries and reminders, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ScalarSelect, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    SETTLED_STATUSES,
    ItemStatus,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
)

# -- summaries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    accepted: int
    total: int
    overdue: int
    waiting_review: int


async def roadmap_progress(
    session: AsyncSession, school_ids: Iterable[int] | ScalarSelect[int], today: date
) -> dict[int, Progress]:
    """Per school, over all its roadmaps: two queries whatever the number of schools.

    A list of ids gets an entry for each (zeros when a school has no roadmap); a subquery
    (which scales better than thousands of bound ids) gets the schools that have items.
    Overdue: not accepted as done and due before `today` (the caller's local date).
    """
    ids = school_ids if isinstance(school_ids, ScalarSelect) else list(school_ids)
    if isinstance(ids, list) and not ids:
        return {}
    not_done = RoadmapItem.status.not_in(SETTLED_STATUSES)
    rows = await session.execute(
        select(
            Roadmap.school_id,
            func.count(RoadmapItem.id),
            func.sum(case((RoadmapItem.status == ItemStatus.DONE, 1), else_=0)),
            func.sum(case((not_done & (RoadmapItem.due_date < today), 1), else_=0)),
        )
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        # A carried-over item is counted once: as its copy in the next year's plan.
        .where(Roadmap.school_id.in_(ids), RoadmapItem.status != ItemStatus.CARRIED_OVER)
        .group_by(Roadmap.school_id)
    )
    waiting = dict(
        (
            await session.execute(
                select(Roadmap.school_id, func.count(ProgressReport.id))
                .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
                .join(ProgressReport, ProgressReport.item_id == RoadmapItem.id)
                .where(
                    Roadmap.school_id.in_(ids), ProgressReport.review_state == ReviewState.PENDING
                )
                .group_by(Roadmap.school_id)
            )
        ).all()
    )
    counts = {school_id: (total, done, overdue) for school_id, total, done, overdue in rows}
    return {
        school_id: Progress(
            accepted=int(counts.get(school_id, (0, 0, 0))[1] or 0),
            total=int(counts.get(school_id, (0, 0, 0))[0] or 0),
            overdue=int(counts.get(school_id, (0, 0, 0))[2] or 0),
            waiting_review=int(waiting.get(school_id, 0)),
        )
        for school_id in (ids if isinstance(ids, list) else [*counts, *waiting])
    }


@dataclass(frozen=True)
class OverdueItem:
    item_id: int
    school_id: int
    school: str
    number: str
    measure: str
    due_date: date
    days_overdue: int


async def overdue_items(
    session: AsyncSession, school_ids: Iterable[int], today: date
) -> list[OverdueItem]:
    """Items past their due date and not accepted as done, longest overdue first (one query)."""
    ids = list(school_ids)
    if not ids:
        return []
    rows = await session.execute(
        select(RoadmapItem, School.id, School.short_name)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .where(
            Roadmap.school_id.in_(ids),
            RoadmapItem.status.not_in(SETTLED_STATUSES),
            RoadmapItem.due_date.is_not(None),
            RoadmapItem.due_date < today,
        )
        .order_by(RoadmapItem.due_date, School.id, RoadmapItem.position)
    )
    result = []
    for item, school_id, school_name in rows:
        assert item.due_date is not None
        result.append(
            OverdueItem(
                item_id=item.id,
                school_id=school_id,
                school=school_name,
                number=item.number,
                measure=item.measure,
                due_date=item.due_date,
                days_overdue=(today - item.due_date).days,
            )
        )
    return result

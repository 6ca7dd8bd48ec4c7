"""Roadmaps and their items: who may change them, import, single items, reading."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    ItemStatus,
    ProgressReport,
    ReviewState,
    RiskFactor,
    Roadmap,
    RoadmapItem,
    School,
)
from bot.services import local_time
from bot.services.access import audit
from bot.services.access.actors import Actor, get_visible_school
from bot.services.errors import AccessDenied, DomainError, NotFound

# The summaries live in roadmap_summary; other features first imported them from here.
from bot.services.numbers import plain_digits
from bot.services.roadmaps.deadlines import DeadlineUnreadable, parse_deadline
from bot.services.roadmaps.roadmap_import import MAX_CELL, MAX_MEASURE, ParsedItem
from bot.services.roadmaps.roadmap_summary import (  # noqa: F401
    OverdueItem,
    Progress,
    overdue_items,
    roadmap_progress,
)
from bot.services.school_year import SchoolYear

EDITABLE_FIELDS = ("measure", "deadline", "responsible", "expected")


async def risk_titles(session: AsyncSession) -> dict[int, str]:
    return dict((await session.execute(select(RiskFactor.id, RiskFactor.title))).all())


def may_edit_roadmap(actor: Actor, school: School) -> bool:
    """Coordinators of the municipality and the school's own team; not curators."""
    return actor.coordinates(school.municipality_id) or school.id in actor.staff_school_ids


async def editable_school(session: AsyncSession, actor: Actor, school_id: int) -> School:
    school = await get_visible_school(session, actor, school_id)
    if not may_edit_roadmap(actor, school):
        raise AccessDenied("roadmap_edit_denied")
    return school


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


async def apply_import(
    session: AsyncSession,
    actor: Actor,
    school_id: int,
    year: int,
    items: Iterable[ParsedItem],
    now: datetime,
) -> ImportResult:
    """Create or update items by number; reports on existing items are kept."""
    school = await editable_school(session, actor, school_id)
    roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id, Roadmap.year == year)
    )
    if roadmap is None:
        roadmap = Roadmap(school_id=school.id, year=year, title=texts.roadmap_title(year))
        session.add(roadmap)
        await session.flush()
    roadmap.imported_at = now
    existing = {
        item.number: item
        for item in await session.scalars(
            select(RoadmapItem).where(RoadmapItem.roadmap_id == roadmap.id)
        )
    }
    created = updated = 0
    for position, parsed in enumerate(items):
        item = existing.get(parsed.number)
        if item is None:
            item = RoadmapItem(roadmap_id=roadmap.id, number=parsed.number)
            session.add(item)
            created += 1
        else:
            updated += 1
        item.position = position
        item.section = parsed.section
        item.risk_factor_id = parsed.risk_factor_id
        item.measure = parsed.measure
        item.deadline_text = parsed.deadline_text or None
        item.due_date = date.fromisoformat(parsed.due_date) if parsed.due_date else None
        item.is_recurring = parsed.is_recurring
        item.responsible = parsed.responsible
        item.expected_result = parsed.expected_result
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.imported",
        object_type="roadmap",
        object_id=roadmap.id,
        details={"school_id": school.id, "year": year, "created": created, "updated": updated},
    )
    return ImportResult(created, updated)


async def add_item(
    session: AsyncSession,
    actor: Actor,
    school_id: int,
    measure: str,
    deadline_text: str,
    this_year: int,
) -> RoadmapItem:
    """Append an item to the school's latest roadmap (a new one for `this_year` if none)."""
    school = await editable_school(session, actor, school_id)
    measure = measure.strip()
    if not measure:
        raise DomainError("text_empty")
    if len(measure) > MAX_MEASURE:
        raise DomainError("text_too_long", length=len(measure), limit=MAX_MEASURE)
    roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id).order_by(Roadmap.year.desc()).limit(1)
    )
    if roadmap is None:
        roadmap = Roadmap(school_id=school.id, year=this_year, title=texts.roadmap_title(this_year))
        session.add(roadmap)
        await session.flush()
    deadline_text = deadline_text.strip()[:200]
    try:
        deadline = parse_deadline(deadline_text, SchoolYear(roadmap.year))
    except DeadlineUnreadable:
        raise DomainError("roadmap_deadline_unreadable", wording=deadline_text[:60]) from None
    numbers = await session.scalars(
        select(RoadmapItem.number).where(RoadmapItem.roadmap_id == roadmap.id)
    )
    top = max((int(n.split(".")[0]) for n in numbers if plain_digits(n.split(".")[0])), default=0)
    count = await session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.roadmap_id == roadmap.id)
    )
    item = RoadmapItem(
        roadmap_id=roadmap.id,
        number=str(top + 1),
        position=int(count or 0),
        measure=measure,
        deadline_text=deadline_text,
        due_date=deadline.due,
        is_recurring=deadline.recurring,
    )
    session.add(item)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_added",
        object_type="roadmap_item",
        object_id=item.id,
    )
    return item


async def edit_item(
    session: AsyncSession, actor: Actor, item_id: int, field: str, value: str
) -> RoadmapItem:
    """Change one field of an item; a deadline is re-read in the roadmap's year."""
    if field not in EDITABLE_FIELDS:
        raise DomainError("roadmap_edit_field")
    item, school = await visible_item(session, actor, item_id)
    if not may_edit_roadmap(actor, school):
        raise AccessDenied("roadmap_edit_denied")
    value = value.strip()
    limit = MAX_MEASURE if field == "measure" else (200 if field == "deadline" else MAX_CELL)
    if not value:
        raise DomainError("text_empty")
    if len(value) > limit:
        raise DomainError("text_too_long", length=len(value), limit=limit)
    before: str | None
    if field == "deadline":
        year = await session.scalar(select(Roadmap.year).where(Roadmap.id == item.roadmap_id))
        try:
            deadline = parse_deadline(value, SchoolYear(int(year or 0)))
        except DeadlineUnreadable:
            raise DomainError("roadmap_deadline_unreadable", wording=value[:60]) from None
        before = item.deadline_text
        item.deadline_text, item.due_date, item.is_recurring = (
            value,
            deadline.due,
            deadline.recurring,
        )
    else:
        attribute = "expected_result" if field == "expected" else field
        before = getattr(item, attribute)
        setattr(item, attribute, value)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_edited",
        object_type="roadmap_item",
        object_id=item.id,
        details={"field": field, "before": (before or "")[:200], "after": value[:200]},
    )
    return item


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    id: int
    number: str
    measure: str
    status: ItemStatus
    due_date: date | None
    deadline_text: str | None
    overdue: bool
    waiting_review: bool


def is_overdue(item: RoadmapItem, today: date) -> bool:
    """Unsettled and past its deadline on the school's local `today`."""
    return (
        item.status not in SETTLED_STATUSES and item.due_date is not None and item.due_date < today
    )


async def school_items(
    session: AsyncSession, actor: Actor, school_id: int, today: date
) -> list[ItemRow]:
    """Items of the school's latest roadmap, overdue first, then by status and number."""
    school = await get_visible_school(session, actor, school_id)
    roadmap_id = await session.scalar(
        select(Roadmap.id)
        .where(Roadmap.school_id == school.id)
        .order_by(Roadmap.year.desc())
        .limit(1)
    )
    if roadmap_id is None:
        return []
    waiting = set(
        (
            await session.scalars(
                select(ProgressReport.item_id)
                .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
                .where(
                    RoadmapItem.roadmap_id == roadmap_id,
                    ProgressReport.review_state == ReviewState.PENDING,
                )
            )
        ).all()
    )
    items = await session.scalars(
        select(RoadmapItem)
        .where(RoadmapItem.roadmap_id == roadmap_id)
        .order_by(RoadmapItem.position)
    )
    rows = [
        ItemRow(
            i.id,
            i.number,
            i.measure,
            i.status,
            i.due_date,
            i.deadline_text,
            is_overdue(i, today),
            i.id in waiting,
        )
        for i in items
    ]
    order = {
        ItemStatus.IN_PROGRESS: 1,
        ItemStatus.NOT_STARTED: 2,
        ItemStatus.NOT_DONE: 3,
        ItemStatus.DONE: 4,
        ItemStatus.CARRIED_OVER: 5,
        ItemStatus.CLOSED: 6,
    }
    return sorted(rows, key=lambda r: (not r.overdue, order[r.status]))


async def visible_item(
    session: AsyncSession, actor: Actor, item_id: int
) -> tuple[RoadmapItem, School]:
    found = (
        await session.execute(
            select(RoadmapItem, School)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .where(RoadmapItem.id == item_id)
        )
    ).first()
    if found is None:
        raise NotFound("roadmap_item_not_found")
    item, school = found
    if not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    return item, school


@dataclass(frozen=True)
class SchoolChoice:
    id: int
    label: str


async def schools_for(session: AsyncSession, actor: Actor, *, editing: bool) -> list[SchoolChoice]:
    """Project schools the actor may open (or, editing=True, change the roadmap of)."""
    rows = await session.scalars(
        select(School)
        .where(
            actor.school_filter(),
            (School.in_project.is_(True)) | School.id.in_(actor.staff_school_ids),
        )
        .order_by(School.number)
    )
    return [
        SchoolChoice(school.id, school.short_name)
        for school in rows
        if not editing or may_edit_roadmap(actor, school)
    ]


async def item_year(session: AsyncSession, item: RoadmapItem) -> int:
    """The school year (its start) of the item's roadmap."""
    return int(await session.scalar(select(Roadmap.year).where(Roadmap.id == item.roadmap_id)) or 0)


async def visible_school_today(
    session: AsyncSession, actor: Actor, school_id: int, now: datetime
) -> tuple[School, date]:
    """`get_visible_school` and the school's local today (a roadmap page's «today»)."""
    found = await local_time.school_with_today(session, school_id, now)
    if found is None:
        raise NotFound("school_not_found")
    school, today = found
    if not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    return school, today

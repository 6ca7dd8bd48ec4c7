"""The end of a school year: an unfinished item is carried over into the next year or closed.

* «Перенести в 2027/28» copies the item into the school's roadmap of the next school year
  (made when missing); its deadline wording is re-read inside that year
  (`parse_deadline(text, SchoolYear)`: «март» becomes March of the new plan). The old item
  becomes «carried_over» and points at its copy.
* «Закрыть» marks the item «closed» (closed without being done), with an optional note.
* Both settle the item (`SETTLED_STATUSES`): it leaves /overdue, summaries, the digest and
  the reminders, and the report shows it with its mark.
* Who: the school's staff, its curator, the coordinators of its municipality (and region).
* When: the item's school year has begun (its roadmap year is the current school year or
  an earlier one), so the copy lands at most in the next year — a rollover may be run in
  August, before the new year begins.
* A second tap changes nothing: carrying a carried item or closing a closed one answers
  «already», and no second copy is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import SETTLED_STATUSES, ItemStatus, Roadmap, RoadmapItem, School
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.numbers import plain_digits
from bot.services.roadmaps.deadlines import DeadlineUnreadable, parse_deadline
from bot.services.roadmaps.roadmaps import visible_item
from bot.services.school_year import SchoolYear
from bot.services.text_cleaning import clean_text

MAX_NOTE = 500
MAX_LISTED = 20  # items named as buttons in one list


def may_settle(actor: Actor, school: School) -> bool:
    """The school itself, its curator, the coordinators of its place."""
    return (
        school.id in actor.staff_school_ids
        or school.id in actor.curated_school_ids
        or actor.coordinates(school.municipality_id)
    )


def settling_open(roadmap_year: int, today: date) -> bool:
    """The item's school year has begun, so its next year is the current or the coming one."""
    return roadmap_year <= SchoolYear.containing(today).start


def offered(roadmap_year: int, today: date) -> bool:
    """Whether the card offers the buttons: the year is over, or it ends this summer."""
    current = SchoolYear.containing(today)
    return roadmap_year < current.start or (roadmap_year == current.start and today.month >= 6)


@dataclass(frozen=True)
class Settled:
    item_id: int
    number: str
    changed: bool  # False: it had been settled the same way before (a second tap)
    new_item_id: int | None = None
    year_label: str = ""


async def _settleable(
    session: AsyncSession, actor: Actor, item_id: int, today: date
) -> tuple[RoadmapItem, School, Roadmap]:
    item, school = await visible_item(session, actor, item_id)
    if not may_settle(actor, school):
        raise AccessDenied("carry_over_denied")
    roadmap = await session.get(Roadmap, item.roadmap_id)
    if roadmap is None:
        raise NotFound("roadmap_item_not_found")
    if not settling_open(roadmap.year, today):
        raise DomainError("carry_over_too_early", year=SchoolYear(roadmap.year).label)
    return item, school, roadmap


async def carry_over(session: AsyncSession, actor: Actor, item_id: int, *, today: date) -> Settled:
    """Copy the item into the next school year's roadmap; the caller commits."""
    item, school, roadmap = await _settleable(session, actor, item_id, today)
    target = SchoolYear(roadmap.year + 1)
    if item.status == ItemStatus.CARRIED_OVER:
        return Settled(item.id, item.number, False, item.carried_to_item_id, target.label)
    if item.status in SETTLED_STATUSES:
        raise DomainError("item_already_settled", status=texts.item_status_label(item))
    new_roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id, Roadmap.year == target.start)
    )
    if new_roadmap is None:
        new_roadmap = Roadmap(
            school_id=school.id, year=target.start, title=texts.roadmap_title(target.start)
        )
        session.add(new_roadmap)
        await session.flush()
    numbers = set(
        (
            await session.scalars(
                select(RoadmapItem.number).where(RoadmapItem.roadmap_id == new_roadmap.id)
            )
        ).all()
    )
    number = item.number
    if number in numbers:
        top = max(
            (int(n.split(".")[0]) for n in numbers if plain_digits(n.split(".")[0])), default=0
        )
        number = str(top + 1)
    count = await session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.roadmap_id == new_roadmap.id)
    )
    try:
        deadline = parse_deadline(item.deadline_text or "", target)
        due, recurring = deadline.due, deadline.recurring
    except DeadlineUnreadable:
        due, recurring = None, False
    copy = RoadmapItem(
        roadmap_id=new_roadmap.id,
        number=number,
        position=int(count or 0),
        section=item.section,
        risk_factor_id=item.risk_factor_id,
        measure=item.measure,
        deadline_text=item.deadline_text,
        due_date=due,
        is_recurring=recurring,
        responsible=item.responsible,
        expected_result=item.expected_result,
    )
    session.add(copy)
    await session.flush()
    before = item.status.value
    item.status = ItemStatus.CARRIED_OVER
    item.carried_to_item_id = copy.id
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_carried_over",
        object_type="roadmap_item",
        object_id=item.id,
        details={
            "school_id": school.id,
            "before": before,
            "after": ItemStatus.CARRIED_OVER.value,
            "to_year": target.label,
            "new_item_id": copy.id,
            "due": due.isoformat() if due else None,
        },
    )
    return Settled(item.id, item.number, True, copy.id, target.label)


async def close(
    session: AsyncSession, actor: Actor, item_id: int, note: str | None, *, today: date
) -> Settled:
    """Mark the item closed without being done; the caller commits."""
    item, school, _ = await _settleable(session, actor, item_id, today)
    if item.status == ItemStatus.CLOSED:
        return Settled(item.id, item.number, False)
    if item.status in SETTLED_STATUSES:
        raise DomainError("item_already_settled", status=texts.item_status_label(item))
    cleaned = clean_text(note or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_NOTE:
        raise DomainError("text_too_long", length=len(cleaned), limit=MAX_NOTE)
    before = item.status.value
    item.status = ItemStatus.CLOSED
    item.closing_note = cleaned
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_closed",
        object_type="roadmap_item",
        object_id=item.id,
        details={
            "school_id": school.id,
            "before": before,
            "after": ItemStatus.CLOSED.value,
            "note": (cleaned or "")[:200],
        },
    )
    return Settled(item.id, item.number, True)


@dataclass(frozen=True)
class OpenItems:
    school: str
    year: SchoolYear
    total: int
    items: list[tuple[int, str, str]]  # (id, number, measure), the first MAX_LISTED


async def open_items(
    session: AsyncSession, actor: Actor, school_id: int, year: int, *, today: date
) -> OpenItems:
    """The items of the school's roadmap of `year` still to carry over or close."""
    school = await session.get(School, school_id)
    if school is None or not actor.sees_school(school):
        raise NotFound("school_not_found")
    if not may_settle(actor, school):
        raise AccessDenied("carry_over_denied")
    rows = (
        await session.execute(
            select(RoadmapItem.id, RoadmapItem.number, RoadmapItem.measure)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(
                Roadmap.school_id == school.id,
                Roadmap.year == year,
                RoadmapItem.status.not_in(SETTLED_STATUSES),
            )
            .order_by(RoadmapItem.position)
        )
    ).all()
    return OpenItems(
        school.short_name,
        SchoolYear(year),
        len(rows),
        [(item_id, number, measure) for item_id, number, measure in rows[:MAX_LISTED]],
    )


async def carry_all(
    session: AsyncSession, actor: Actor, school_id: int, year: int, *, today: date
) -> tuple[str, str, int]:
    """Carry every unsettled item of the school's roadmap of `year`: (school, label, count)."""
    if not settling_open(year, today):
        raise DomainError("carry_over_too_early", year=SchoolYear(year).label)
    listed = await open_items(session, actor, school_id, year, today=today)
    ids = (
        await session.scalars(
            select(RoadmapItem.id)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(
                Roadmap.school_id == school_id,
                Roadmap.year == year,
                RoadmapItem.status.not_in(SETTLED_STATUSES),
            )
            .order_by(RoadmapItem.position)
        )
    ).all()
    carried = 0
    for item_id in ids:
        carried += (await carry_over(session, actor, item_id, today=today)).changed
    return listed.school, SchoolYear(year + 1).label, carried


async def earlier_open_year(session: AsyncSession, school_id: int) -> tuple[int, int] | None:
    """(year, count) of the latest earlier roadmap with unsettled items, when /roadmap shows
    a newer one — so last year's items stay reachable after the new plan is loaded."""
    latest = select(func.max(Roadmap.year)).where(Roadmap.school_id == school_id).scalar_subquery()
    found = (
        await session.execute(
            select(Roadmap.year, func.count(RoadmapItem.id))
            .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
            .where(
                Roadmap.school_id == school_id,
                Roadmap.year < latest,
                RoadmapItem.status.not_in(SETTLED_STATUSES),
            )
            .group_by(Roadmap.year)
            .order_by(Roadmap.year.desc())
            .limit(1)
        )
    ).first()
    return (int(found[0]), int(found[1])) if found else None

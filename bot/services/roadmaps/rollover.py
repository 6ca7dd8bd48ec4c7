"""`new-school-year`: carry the directory from one school year into the next.

* Curator assignments of each school's latest year (bot/services/access/assignments.py) continue:
  a row for the same curator and school with the new year is written, unless the row was
  ended (`ended_at`) or the school left the project (its rows are ended now).
* Unfinished roadmap items of the old year's roadmaps (not settled: neither done, closed
  nor carried over) are listed per school, and the school's staff are told (outbox), with
  buttons «Перенести все» / «Разобрать по пунктам» (bot/services/roadmaps/carry_over.py). The
  rollover itself changes no roadmap item.
* Running it again changes nothing: existing new-year rows are kept, the messages have
  stable dedupe keys, and the audit records only a run that wrote something.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import callbacks as cb
from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    CuratorAssignment,
    Person,
    Roadmap,
    RoadmapItem,
    School,
    SchoolStatus,
    utcnow,
)
from bot.services.access import audit
from bot.services.errors import DomainError
from bot.services.notifications import outbox, recipients
from bot.services.school_year import SchoolYear

FIRST_ITEMS = 3  # unfinished items named per school; the rest are counted


@dataclass(frozen=True)
class AssignmentLine:
    curator: str
    school: str
    reason: str | None = None  # why it ends: "ended", "school_exited"


@dataclass(frozen=True)
class UnfinishedSchool:
    school_id: int
    school: str
    count: int
    first: list[tuple[str, str]]  # (number, measure)


@dataclass
class Rollover:
    old: SchoolYear
    new: SchoolYear
    dry_run: bool
    continuing: list[AssignmentLine] = field(default_factory=list)
    already: list[AssignmentLine] = field(default_factory=list)  # in the new year before
    ending: list[AssignmentLine] = field(default_factory=list)
    unfinished: list[UnfinishedSchool] = field(default_factory=list)
    schools_told: int = 0
    ended_now: list[int] = field(default_factory=list)  # rows of schools that left

    @property
    def changed(self) -> bool:
        return bool(self.continuing or self.ended_now or self.schools_told)


def check_target(new: SchoolYear, today: date) -> None:
    """The current school year (rolled over late) or the next one (in advance)."""
    current = SchoolYear.containing(today)
    if new not in (current, current.next()):
        raise DomainError(
            "rollover_year_out_of_range", current=current.label, next=current.next().label
        )


async def new_school_year(
    session: AsyncSession,
    new: SchoolYear,
    *,
    today: date,
    dry_run: bool,
    actor_person_id: int | None = None,
    now: datetime | None = None,
) -> Rollover:
    """Plan (dry run) or carry out the rollover into `new`; the caller commits."""
    check_target(new, today)
    old = SchoolYear(new.start - 1)
    result = Rollover(old=old, new=new, dry_run=dry_run)
    latest = await session.execute(
        select(CuratorAssignment, Person.full_name, School)
        .join(Person, Person.id == CuratorAssignment.curator_person_id)
        .join(School, School.id == CuratorAssignment.school_id)
        .where(_latest_year_row(old.start))
        .order_by(School.municipality_id, School.number, School.short_name, Person.full_name)
    )
    in_new = {
        (curator, school)
        for curator, school in await session.execute(
            select(CuratorAssignment.curator_person_id, CuratorAssignment.school_id).where(
                CuratorAssignment.year == new.start
            )
        )
    }
    created: list[int] = []
    for assignment, curator, school in latest:
        line = AssignmentLine(curator, school.short_name)
        if assignment.year == new.start:
            continue
        if (assignment.curator_person_id, assignment.school_id) in in_new:
            result.already.append(line)
        elif assignment.ended_at is not None:
            result.ending.append(AssignmentLine(curator, school.short_name, "ended"))
        elif school.status == SchoolStatus.EXITED:
            result.ending.append(AssignmentLine(curator, school.short_name, "school_exited"))
            if not dry_run:  # ended now, or the old row would still hold for the school
                assignment.ended_at = utcnow()
                result.ended_now.append(assignment.id)
        else:
            result.continuing.append(line)
            if not dry_run:
                row = CuratorAssignment(
                    curator_person_id=assignment.curator_person_id,
                    school_id=assignment.school_id,
                    year=new.start,
                )
                session.add(row)
                await session.flush()
                created.append(row.id)
    result.unfinished = await unfinished_items(session, old)
    if not dry_run:
        for unfinished in result.unfinished:
            result.schools_told += await _tell_school(session, unfinished, old, new, now)
        if result.changed:
            await audit.record(
                session,
                actor_person_id=actor_person_id,
                action="school_year.rollover",
                object_type="school_year",
                object_id=new.start,
                details={
                    "from": old.label,
                    "to": new.label,
                    "assignments_created": created,
                    "assignments_closed": result.ended_now,
                    "assignments_ended": [
                        {"curator": line.curator, "school": line.school, "reason": line.reason}
                        for line in result.ending
                    ],
                    "schools_with_unfinished_items": {
                        school.school: school.count for school in result.unfinished
                    },
                },
            )
    return result


def _latest_year_row(old_start: int) -> ColumnElement[bool]:
    """Rows of each school's latest year up to the old year, ended ones included: what the
    school had on the old year's last day (bot/services/access/assignments.py)."""
    other = aliased(CuratorAssignment)
    return CuratorAssignment.year == (
        select(func.max(other.year))
        .where(other.school_id == CuratorAssignment.school_id, other.year <= old_start)
        .correlate(CuratorAssignment)
        .scalar_subquery()
    )


async def unfinished_items(session: AsyncSession, old: SchoolYear) -> list[UnfinishedSchool]:
    """Items of the old year's roadmaps neither done nor closed, per school."""
    rows = await session.execute(
        select(School.id, School.short_name, RoadmapItem.number, RoadmapItem.measure)
        .join(Roadmap, Roadmap.school_id == School.id)
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(
            Roadmap.year == old.start,
            School.status == SchoolStatus.ACTIVE,
            RoadmapItem.status.not_in(SETTLED_STATUSES),
        )
        .order_by(School.municipality_id, School.number, School.short_name, RoadmapItem.position)
    )
    grouped: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for school_id, name, number, measure in rows:
        grouped[(school_id, name)].append((number, measure))
    return [
        UnfinishedSchool(school_id, name, len(items), items[:FIRST_ITEMS])
        for (school_id, name), items in grouped.items()
    ]


async def _tell_school(
    session: AsyncSession,
    school: UnfinishedSchool,
    old: SchoolYear,
    new: SchoolYear,
    now: datetime | None,
) -> int:
    staff = await recipients.school_staff(session, school.school_id)
    queued = await outbox.enqueue_for_each(
        session,
        staff,
        key_prefix=f"rollover {new.start}:school {school.school_id}",
        kind="rollover",
        due_at=now,  # the bot's clock (None: the wall clock)
        text=texts.rollover_school_message(
            school.school, old.label, new.label, school.count, school.first
        ),
        buttons=[
            [(texts.BUTTON_CARRY_ALL, cb.CarryAll(school.school_id, old.start).pack())],
            [(texts.BUTTON_SETTLE_LIST, cb.SettleList(school.school_id, old.start).pack())],
        ],
    )
    return 1 if queued else 0

"""A visit's agreed next steps («договорённости») as items that get done.

Each follow-up belongs to the visited school (its owner) and has a due date; the school's
staff or a curator of the school marks it done, with an optional comment or file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    Notification,
    NotificationState,
    Person,
    School,
    Visit,
    VisitFollowUp,
)
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import outbox, recipients

MAX_COMMENT = 2000


@dataclass(frozen=True)
class FollowUpLine:
    id: int
    school_id: int
    school: str
    what: str
    due: date
    visit_date: date
    days_overdue: int  # 0 when not yet due


def _open() -> list[ColumnElement[bool]]:
    return [VisitFollowUp.done_at.is_(None), Visit.deleted_at.is_(None)]


async def _lines(
    session: AsyncSession, conditions: list[ColumnElement[bool]], today: date
) -> list[FollowUpLine]:
    rows = await session.execute(
        select(VisitFollowUp, Visit.visit_date, School.id, School.short_name)
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .join(School, School.id == Visit.school_id)
        .where(*_open(), *conditions)
        .order_by(School.number, School.short_name, VisitFollowUp.due_date, VisitFollowUp.id)
    )
    return [
        FollowUpLine(
            f.id, school_id, school, f.what, f.due_date, day, max(0, (today - f.due_date).days)
        )
        for f, day, school_id, school in rows
    ]


async def open_for_school(session: AsyncSession, school_id: int, today: date) -> list[FollowUpLine]:
    """The school's open follow-ups, soonest due first (card, /roadmap, the next /visit)."""
    return await _lines(session, [Visit.school_id == school_id], today)


async def overdue_in_scope(session: AsyncSession, actor: Actor, today: date) -> list[FollowUpLine]:
    """Open follow-ups past their date in the schools the actor sees (/overdue)."""
    return await _lines(
        session,
        [actor.school_filter(), School.in_project.is_(True), VisitFollowUp.due_date < today],
        today,
    )


async def overdue_counts(
    session: AsyncSession, school_ids: list[int] | ScalarSelect[int], today: date
) -> dict[int, int]:
    """Overdue open follow-ups per school, in one query (the digest)."""
    rows = await session.execute(
        select(Visit.school_id, func.count(VisitFollowUp.id))
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .where(*_open(), Visit.school_id.in_(school_ids), VisitFollowUp.due_date < today)
        .group_by(Visit.school_id)
    )
    return {school_id: int(count) for school_id, count in rows}


def may_mark(actor: Actor, school_id: int) -> bool:
    """The owner school's staff and the school's curators; nobody else."""
    return school_id in actor.staff_school_ids or school_id in actor.curated_school_ids


async def reachable(
    session: AsyncSession, actor: Actor, follow_up_id: int
) -> tuple[VisitFollowUp, Visit, School]:
    found = (
        await session.execute(
            select(VisitFollowUp, Visit, School)
            .join(Visit, Visit.id == VisitFollowUp.visit_id)
            .join(School, School.id == Visit.school_id)
            .where(VisitFollowUp.id == follow_up_id, Visit.deleted_at.is_(None))
        )
    ).first()
    if found is None:
        raise NotFound("followup_not_found")
    follow_up, visit, school = found
    if not may_mark(actor, school.id):
        raise AccessDenied("followup_not_yours")
    return follow_up, visit, school


async def mark_done(
    session: AsyncSession,
    actor: Actor,
    follow_up_id: int,
    now: datetime,
    *,
    comment: str | None = None,
    file_id: str | None = None,
) -> VisitFollowUp:
    """Done once: a second press says so; the remaining reminders of it are withdrawn."""
    follow_up, visit, school = await reachable(session, actor, follow_up_id)
    if follow_up.done_at is not None:
        raise DomainError("followup_already_done")
    comment = _checked(comment)
    follow_up.done_at = now
    follow_up.done_by_person_id = actor.person_id
    follow_up.done_comment = comment
    follow_up.done_file_id = file_id
    await session.execute(
        update(Notification)
        .where(
            Notification.subject == "follow_up",
            Notification.subject_id == follow_up.id,
            Notification.state == NotificationState.PENDING,
        )
        .values(state=NotificationState.CANCELLED, last_error="done")
    )
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="followup.done",
        object_type="visit_follow_up",
        object_id=follow_up.id,
        details={"school_id": school.id, "comment": comment},
    )
    await _tell_other_side(session, actor, follow_up, visit, school, now, "done")
    return follow_up


async def add_comment(
    session: AsyncSession,
    actor: Actor,
    follow_up_id: int,
    now: datetime,
    *,
    comment: str | None,
    file_id: str | None,
) -> VisitFollowUp:
    """A comment or a file after «Выполнено» (or instead: it marks the step done too)."""
    follow_up, visit, school = await reachable(session, actor, follow_up_id)
    if follow_up.done_at is None:
        return await mark_done(session, actor, follow_up_id, now, comment=comment, file_id=file_id)
    comment = _checked(comment)
    if comment is None and file_id is None:
        raise DomainError("text_empty")
    follow_up.done_comment = comment or follow_up.done_comment
    follow_up.done_file_id = file_id or follow_up.done_file_id
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="followup.commented",
        object_type="visit_follow_up",
        object_id=follow_up.id,
        details={"comment": comment, "file": file_id is not None},
    )
    await _tell_other_side(session, actor, follow_up, visit, school, now, "comment")
    return follow_up


def _checked(comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise DomainError("text_too_long", length=len(comment), limit=MAX_COMMENT)
    return comment


async def _tell_other_side(
    session: AsyncSession,
    actor: Actor,
    follow_up: VisitFollowUp,
    visit: Visit,
    school: School,
    now: datetime,
    what: str,
) -> None:
    if school.id in actor.staff_school_ids:
        people = [visit.curator_person_id]
    else:
        people = await recipients.school_staff(session, school.id)
    people = [p for p in people if p != actor.person_id]
    await outbox.enqueue_for_each(
        session,
        people,
        key_prefix=f"followup-{what} {follow_up.id}:{now.isoformat()}",
        kind="followup",
        due_at=now,
        text=texts.follow_up_done_notice(
            school.short_name, follow_up.what, actor.full_name, follow_up.done_comment
        ),
    )


async def done_by_name(session: AsyncSession, follow_up: VisitFollowUp) -> str | None:
    if follow_up.done_by_person_id is None:
        return None
    return await session.scalar(
        select(Person.full_name).where(Person.id == follow_up.done_by_person_id)
    )

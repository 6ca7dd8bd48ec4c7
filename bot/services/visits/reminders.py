"""The visits' reminders: a visit's agreed next step on its date, and a school not visited
for NO_VISIT_DAYS (sweeps, listed in bot/scheduler/sweeps.py; what they share is in
services/notifications/reminders.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import CuratorAssignment, Municipality, School, Visit, VisitFollowUp
from bot.services import local_time
from bot.services.access.assignments import valid_on
from bot.services.notifications import outbox, recipients
from bot.services.notifications.reminders import CUTOFF_DAYS, DEFAULTS, ReminderSettings, _fresh


async def follow_up_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """A visit's agreed next step, on its date, to the curator and the school."""
    rows = await session.execute(
        select(VisitFollowUp, Visit, School, Municipality.timezone)
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .join(School, School.id == Visit.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(
            School.in_project.is_(True),
            VisitFollowUp.done_at.is_(None),
            Visit.deleted_at.is_(None),
            VisitFollowUp.due_date <= now.date() + timedelta(days=1),
            VisitFollowUp.due_date >= now.date() - timedelta(days=CUTOFF_DAYS + 1),
        )
    )
    queued = 0
    for follow_up, visit, school, timezone in rows:
        if not _fresh(follow_up.due_date, local_time.local_today(now, timezone)):
            continue
        people = [visit.curator_person_id, *await recipients.school_staff(session, school.id)]
        queued += await outbox.enqueue_for_each(
            session,
            people,
            key_prefix=f"followup {follow_up.id}",
            kind="followup",
            subject="follow_up",
            subject_id=follow_up.id,
            due_at=settings.due_on(follow_up.due_date, timezone),
            buttons=[[(texts.BUTTON_FOLLOW_UP_DONE, cb.FollowUpDone(follow_up.id).pack())]],
            snoozable=True,
            text=texts.follow_up_reminder(school.short_name, follow_up.what, follow_up.due_date),
        )
    return queued


async def no_visit_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """A curator who has not visited one of their schools in NO_VISIT_DAYS (30) days."""
    last = (
        select(Visit.curator_person_id, Visit.school_id, func.max(Visit.visit_date).label("last"))
        .where(Visit.deleted_at.is_(None))
        .group_by(Visit.curator_person_id, Visit.school_id)
        .subquery()
    )
    rows = await session.execute(
        select(CuratorAssignment, School, Municipality.timezone, last.c.last)
        .join(School, School.id == CuratorAssignment.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .outerjoin(
            last,
            (last.c.curator_person_id == CuratorAssignment.curator_person_id)
            & (last.c.school_id == CuratorAssignment.school_id),
        )
        .where(valid_on(now.date()), School.in_project.is_(True))
    )
    queued = 0
    for assignment, school, timezone, last_visit in rows:
        since = last_visit or local_time.local_today(assignment.created_at, timezone)
        day = since + timedelta(days=settings.no_visit_days)
        if not _fresh(day, local_time.local_today(now, timezone)):
            continue
        curator_id = assignment.curator_person_id
        queued += await outbox.enqueue(
            session,
            dedupe_key=f"novisit:curator {curator_id}:school {school.id}:since {since}",
            recipient_person_id=curator_id,
            kind="novisit",
            due_at=settings.due_on(day, timezone),
            buttons=[[(texts.BUTTON_NEW_VISIT, cb.VisitNew().pack())]],
            snoozable=True,
            text=texts.no_visit_reminder(school.short_name, last_visit),
        )
    return queued

"""The roadmap's reminders: deadlines (and weekly once overdue), recurring items on their
cadence's days, and reports waiting for the curator's review (sweeps, listed in
bot/scheduler/sweeps.py; what they share is in services/notifications/reminders.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    ItemStatus,
    Municipality,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
)
from bot.services import local_time
from bot.services.notifications import outbox, recipients
from bot.services.notifications.reminders import (
    DEADLINE_OFFSETS,
    DEFAULTS,
    REVIEW_WAIT,
    ReminderSettings,
    _fresh,
)
from bot.services.roadmaps.deadlines import cadence_of, reminder_days
from bot.services.school_year import SchoolYear


async def deadline_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """7 days before, 1 day before and on the day; then weekly once overdue."""
    horizon = now.date() + timedelta(days=max(DEADLINE_OFFSETS) + 1)
    rows = await session.execute(
        select(RoadmapItem, School, Municipality.timezone)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(
            School.in_project.is_(True),  # a school that left the project gets no reminders
            RoadmapItem.status.not_in(SETTLED_STATUSES),
            RoadmapItem.due_date.is_not(None),
            RoadmapItem.due_date <= horizon,
        )
    )
    queued = 0
    staff_cache: dict[int, list[int]] = {}
    curator_cache: dict[int, list[int]] = {}
    for item, school, timezone in rows:
        today = local_time.local_today(now, timezone)
        assert item.due_date is not None
        if school.id not in staff_cache:
            staff_cache[school.id] = await recipients.school_staff(session, school.id)
            curator_cache[school.id] = await recipients.curators_of(session, school.id, now.date())
        buttons = [[(texts.BUTTON_REPORT, cb.ItemReport(item.id).pack())]]
        for offset in DEADLINE_OFFSETS:
            day = item.due_date - timedelta(days=offset)
            if _fresh(day, today):
                queued += await outbox.enqueue_for_each(
                    session,
                    staff_cache[school.id],
                    key_prefix=f"deadline:item {item.id}:T-{offset}",
                    kind="deadline",
                    due_at=settings.due_on(day, timezone),
                    buttons=buttons,
                    snoozable=True,
                    text=texts.deadline_reminder(
                        school.short_name, item.number, item.measure, item.due_date, offset
                    ),
                )
        weeks = (today - item.due_date).days // 7
        if weeks >= 1:
            day = item.due_date + timedelta(days=7 * weeks)
            if _fresh(day, today):
                people = staff_cache[school.id] + curator_cache[school.id]
                queued += await outbox.enqueue_for_each(
                    session,
                    people,
                    key_prefix=f"overdue:item {item.id}:W{weeks}",
                    kind="overdue",
                    due_at=settings.due_on(day, timezone),
                    buttons=buttons,
                    snoozable=True,
                    text=texts.overdue_reminder(
                        school.short_name,
                        item.number,
                        item.measure,
                        item.due_date,
                        (today - item.due_date).days,
                    ),
                )
    return queued


async def recurring_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """Recurring items («ежемесячно», «в течение года», «2 раза в год») of the current
    school year's roadmaps, on their cadence's days (roadmaps/deadlines.py), to the school.

    Items done or closed are left alone; each reminder day is sent once (its dedupe key).
    """
    current = SchoolYear.containing(now.date()).start
    rows = await session.execute(
        select(RoadmapItem, Roadmap.year, School, Municipality.timezone)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .join(Municipality, Municipality.id == School.municipality_id)
        .where(
            RoadmapItem.is_recurring.is_(True),
            RoadmapItem.status.not_in([*SETTLED_STATUSES, ItemStatus.NOT_DONE]),
            Roadmap.year.in_([current - 1, current]),  # a local date may lag the UTC one
        )
    )
    queued = 0
    staff_cache: dict[int, list[int]] = {}
    for item, year, school, timezone in rows:
        today = local_time.local_today(now, timezone)
        cadence = cadence_of(item.deadline_text)
        for day in reminder_days(cadence, SchoolYear(year)):
            if not _fresh(day, today):
                continue
            if school.id not in staff_cache:
                staff_cache[school.id] = await recipients.school_staff(session, school.id)
            queued += await outbox.enqueue_for_each(
                session,
                staff_cache[school.id],
                key_prefix=f"recurring:item {item.id}:{day.isoformat()}",
                kind="deadline",
                due_at=settings.due_on(day, timezone),
                buttons=[[(texts.BUTTON_REPORT, cb.ItemReport(item.id).pack())]],
                snoozable=True,
                text=texts.recurring_reminder(
                    school.short_name, item.number, item.measure, item.deadline_text
                ),
            )
    return queued


async def review_wait_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """Reports waiting for the curator's review for more than three days."""
    rows = await session.execute(
        select(ProgressReport, RoadmapItem, School)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .where(
            School.in_project.is_(True),
            ProgressReport.review_state == ReviewState.PENDING,
            ProgressReport.submitted_at <= now - REVIEW_WAIT,
        )
    )
    queued = 0
    for report, item, school in rows:
        curators = await recipients.curators_of(session, school.id, now.date())
        queued += await outbox.enqueue_for_each(
            session,
            curators,
            key_prefix=f"review-wait:report {report.id}",
            kind="review",
            due_at=now,
            buttons=[[(texts.BUTTON_REVIEW_QUEUE, cb.ReviewQueue().pack())]],
            snoozable=True,
            text=texts.review_wait_reminder(school.short_name, item.number, report.submitted_at),
        )
    return queued

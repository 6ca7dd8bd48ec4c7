"""Reminder sweeps: due reminders become outbox rows with stable dedupe keys.

Each sweep may run any number of times (every few minutes, after a restart, in two
processes): the dedupe keys make a second run add nothing. Reminders are due at
settings.REMINDER_HOUR (09:00) in the recipient municipality's time zone; a reminder whose
day passed more than CUTOFF_DAYS ago while the bot was down is not sent at all (stale).
The settings come in as an argument (`ReminderSettings`), from bot/scheduler/sweeps.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.config import Settings
from bot.models import (
    SETTLED_STATUSES,
    CuratorAssignment,
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Municipality,
    Notification,
    NotificationState,
    ProgressReport,
    RegistrationState,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
    Visit,
    VisitFollowUp,
)
from bot.services import local_time
from bot.services.access.assignments import valid_on
from bot.services.events import event_reminders
from bot.services.notifications import outbox, recipients
from bot.services.roadmaps.deadlines import cadence_of, reminder_days
from bot.services.school_year import SchoolYear

if TYPE_CHECKING:  # the sweep imports the digest module where it runs
    from bot.services.notifications.digest import Digest

REMIND_AT = time(9, 0)
CUTOFF_DAYS = 3
DEADLINE_OFFSETS = (7, 1, 0)
NO_VISIT_DAYS = 30
REVIEW_WAIT = timedelta(days=3)


@dataclass(frozen=True)
class ReminderSettings:
    """settings.REMINDER_HOUR and NO_VISIT_DAYS, as the sweeps get them."""

    remind_at: time = REMIND_AT
    no_visit_days: int = NO_VISIT_DAYS

    @classmethod
    def of(cls, settings: Settings) -> ReminderSettings:
        return cls(remind_at=time(settings.reminder_hour, 0), no_visit_days=settings.no_visit_days)

    def due_on(self, day: date, timezone: str) -> datetime:
        """The moment a reminder for `day` falls due: the reminder hour there."""
        return local_time.local_moment(day, self.remind_at, timezone)


DEFAULTS = ReminderSettings()
Sweep = Callable[[AsyncSession, datetime, ReminderSettings], Awaitable[int]]


def _fresh(day: date, today: date) -> bool:
    return today - timedelta(days=CUTOFF_DAYS) <= day <= today


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


async def event_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """The day before and an hour before, to those signed up; withdrawn ones are cancelled."""
    rows = await session.execute(
        select(Event, EventRegistration.person_id, Municipality.timezone)
        .join(EventRegistration, EventRegistration.event_id == Event.id)
        .join(Municipality, Municipality.id == Event.municipality_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=2),
            EventRegistration.state == RegistrationState.REGISTERED,
        )
    )
    queued = 0
    for event, person_id, timezone in rows:
        for label, before in event_reminders.REMINDERS:
            queued += await outbox.add_once(
                session, event_reminders.reminder(event, label, before, person_id, timezone)
            )
    await _cancel_withdrawn_event_reminders(session)
    return queued


async def _cancel_withdrawn_event_reminders(session: AsyncSession) -> None:
    """A pending event reminder whose sign-up was withdrawn (or event cancelled) is dropped."""
    pending = await session.scalars(
        select(Notification).where(
            # Only reminders: a pending announcement or feedback request is not a sign-up's.
            Notification.subject == event_reminders.SUBJECT,
            Notification.state == NotificationState.PENDING,
        )
    )
    for row in pending:
        event_id = row.subject_id
        registered = await session.scalar(
            select(EventRegistration.id)
            .join(Event, Event.id == EventRegistration.event_id)
            .where(
                EventRegistration.event_id == event_id,
                EventRegistration.person_id == row.recipient_person_id,
                EventRegistration.state == RegistrationState.REGISTERED,
                Event.status == EventStatus.PUBLISHED,
            )
        )
        if registered is None:
            await session.execute(
                update(Notification)
                .where(Notification.id == row.id)
                .values(state=NotificationState.CANCELLED, last_error="withdrawn")
            )


SWEEPS: list[Sweep] = [
    deadline_sweep,
    recurring_sweep,
    follow_up_sweep,
    no_visit_sweep,
    review_wait_sweep,
    event_sweep,
]


DIGEST_WEEKDAY = 0  # Monday


async def digest_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """Monday from 09:00 local: each bound person with a role gets the week of their scope.

    Sent on Monday or, if the bot was down, by Tuesday; later it is stale and skipped.
    """
    from bot.models import Person, RoleAssignment, TelegramAccount
    from bot.services.access.actors import load_actor
    from bot.services.notifications.digest import build_digest

    rows = await session.execute(
        select(
            TelegramAccount.telegram_user_id, Person.id, Person.muted_kinds, Municipality.timezone
        )
        .join(Person, Person.id == TelegramAccount.person_id)
        .outerjoin(Municipality, Municipality.id == Person.municipality_id)
        .where(
            TelegramAccount.unreachable_since.is_(None),
            Person.id.in_(
                select(RoleAssignment.person_id).where(RoleAssignment.revoked_at.is_(None))
            ),
        )
    )
    queued = 0
    for telegram_id, person_id, muted, timezone in rows.all():
        timezone = timezone or local_time.default_zone()
        local = local_time.local_now(now, timezone)
        monday = local.date() - timedelta(days=local.weekday())
        if local < settings.due_on(monday, timezone) or local.date() > monday + timedelta(days=1):
            continue
        if "digest" in (muted or []):
            continue
        key = f"digest:{monday.isoformat()}:person {person_id}"
        if await session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        actor = await load_actor(session, telegram_id, now.date())
        if actor is None:
            continue
        digest = await build_digest(session, actor, local.date(), now=now)
        queued += await outbox.enqueue(
            session,
            dedupe_key=key,
            recipient_person_id=person_id,
            kind="digest",
            due_at=settings.due_on(monday, timezone),
            text=texts.digest_text(digest, timezone),
        )
        queued += await _enqueue_digest_chart(
            session, key, person_id, digest, settings.due_on(monday, timezone)
        )
    return queued


SWEEPS.append(digest_sweep)


async def _enqueue_digest_chart(
    session: AsyncSession, key: str, person_id: int, digest: Digest, due_at: datetime
) -> int:
    """The progress picture after the digest's text, where people would rather look than read."""
    import asyncio

    from bot.reports.chart import progress_chart_png
    from bot.services.roadmaps.roadmap_summary import roadmap_progress

    if not digest.schools:
        return 0
    progress = await roadmap_progress(session, [s.school_id for s in digest.schools], due_at.date())
    rows = [
        (
            s.school,
            progress[s.school_id].accepted if s.school_id in progress else 0,
            progress[s.school_id].total if s.school_id in progress else 0,
        )
        for s in digest.schools[:40]
    ]
    png = await asyncio.to_thread(progress_chart_png, rows)
    return int(
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:chart",
            recipient_person_id=person_id,
            kind="digest",
            due_at=due_at,
            text=texts.DIGEST_CHART_CAPTION,
            document_name="progress.png",
            document_bytes=png,
        )
    )

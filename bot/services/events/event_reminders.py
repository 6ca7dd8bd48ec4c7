"""Reminders to those signed up: queued at sign-up, moved with the event, dropped on withdrawal.

Each is an outbox row with a fixed key (`event 5:remind:T-1d:person 9`), due at the reminder
moment, so no sweep is needed; `event_sweep` below (run by the scheduler) only backs this up.
Both build the row with `reminder`; its subject ("event_reminder", the event's id) is what
`drop` finds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import (
    Event,
    EventRegistration,
    EventStatus,
    Municipality,
    Notification,
    NotificationState,
    RegistrationState,
)
from bot.services import local_time
from bot.services.notifications import outbox
from bot.services.notifications.reminders import DEFAULTS, ReminderSettings

SUBJECT = "event_reminder"
DAY_BEFORE, HOUR_BEFORE = "T-1d", "T-1h"
REMINDERS = ((DAY_BEFORE, timedelta(days=1)), (HOUR_BEFORE, timedelta(hours=1)))


def reminder_key(event_id: int, label: str, person_id: int) -> str:
    return f"event {event_id}:remind:{label}:person {person_id}"


def reminder(
    event: Event, label: str, before: timedelta, person_id: int, timezone: str
) -> Notification:
    """The day-before (or hour-before) reminder of `event` to one person, not yet added."""
    soon = label == HOUR_BEFORE
    return outbox.notification(
        dedupe_key=reminder_key(event.id, label, person_id),
        recipient_person_id=person_id,
        kind="event",
        subject=SUBJECT,
        subject_id=event.id,
        # An evening event's hour-before reminder would come after it if held till morning.
        quiet_hours_exempt=soon,
        text=texts.event_reminder(event.title, event.starts_at, timezone, soon),
        buttons=[[(texts.BUTTON_OPEN_EVENT, cb.EventOpen(event.id).pack())]],
        due_at=event.starts_at - before,
    )


async def schedule(
    session: AsyncSession, event: Event, person_ids: list[int], now: datetime
) -> int:
    """Queue (or move, or revive) the day-before and hour-before reminders; returns how many
    are pending afterwards. A moment already past is not queued."""
    timezone = await local_time.municipality_zone(session, event.municipality_id)
    keys = {
        reminder_key(event.id, label, person_id): (label, before, person_id)
        for person_id in person_ids
        for label, before in REMINDERS
    }
    if not keys:
        return 0
    existing = {
        row.dedupe_key: row
        for row in await session.scalars(
            select(Notification).where(Notification.dedupe_key.in_(list(keys)))
        )
    }
    pending = 0
    for key, (label, before, person_id) in keys.items():
        fresh = reminder(event, label, before, person_id, timezone)
        due_at = fresh.due_at
        row = existing.get(key)
        if row is not None and row.state not in {
            NotificationState.PENDING,
            NotificationState.CANCELLED,
        }:
            continue  # already sent (or being sent): not sent twice
        if due_at <= now:
            if row is not None and row.state == NotificationState.PENDING:
                row.state = NotificationState.CANCELLED
                row.last_error = "moment passed"
            continue
        if row is None:
            session.add(fresh)
        else:
            row.state = NotificationState.PENDING
            row.due_at = due_at
            row.text = fresh.text
            row.last_error = None
            row.attempts = 0
        pending += 1
    await session.flush()
    return pending


async def drop(session: AsyncSession, event_id: int, person_id: int | None = None) -> int:
    """Cancel the pending reminders of an event (or of one person's sign-up to it)."""
    statement = update(Notification).where(
        Notification.subject == SUBJECT,
        Notification.subject_id == event_id,
        Notification.state == NotificationState.PENDING,
    )
    if person_id is not None:
        statement = statement.where(Notification.recipient_person_id == person_id)
    result = await session.execute(
        statement.values(
            state=NotificationState.CANCELLED, last_error="withdrawn"
        ).execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


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
        for label, before in REMINDERS:
            queued += await outbox.add_once(
                session, reminder(event, label, before, person_id, timezone)
            )
    await _cancel_withdrawn_event_reminders(session)
    return queued


async def _cancel_withdrawn_event_reminders(session: AsyncSession) -> None:
    """A pending event reminder whose sign-up was withdrawn (or event cancelled) is dropped."""
    pending = await session.scalars(
        select(Notification).where(
            # Only reminders: a pending announcement or feedback request is not a sign-up's.
            Notification.subject == SUBJECT,
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

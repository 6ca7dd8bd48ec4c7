"""A person's notification preferences and snoozes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Person
from bot.services import local_time
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import NotFound
from bot.services.notifications import delivery
from bot.services.notifications.recipients import municipality_timezone
from bot.services.notifications.reminders import DEFAULTS, ReminderSettings

KINDS = ("digest", "deadline", "overdue", "followup", "novisit", "review", "event", "visit")


async def muted_kinds(session: AsyncSession, actor: Actor) -> list[str]:
    person = await session.get(Person, actor.person_id)
    return list(person.muted_kinds or []) if person else []


async def toggle_mute(session: AsyncSession, actor: Actor, kind: str) -> bool:
    """True when the kind is muted after the toggle."""
    if kind not in KINDS:
        raise NotFound()
    person = await session.get(Person, actor.person_id)
    assert person is not None
    muted = set(person.muted_kinds or [])
    muted.symmetric_difference_update({kind})
    person.muted_kinds = sorted(muted)
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="settings.mute_toggled",
        object_type="person",
        object_id=person.id,
        details={"kind": kind, "muted": kind in muted},
    )
    return kind in muted


async def snooze(
    session: AsyncSession,
    actor: Actor,
    notification_id: int,
    days: int,
    now: datetime,
    settings: ReminderSettings = DEFAULTS,
) -> date:
    if days not in (1, 3, 7):
        raise NotFound()
    timezone = await municipality_timezone(session, actor.municipality_id or 0)
    until = local_time.local_today(now, timezone) + timedelta(days=days)
    if not await delivery.snooze(
        session, actor.person_id, notification_id, settings.due_on(until, timezone)
    ):
        raise NotFound("snooze_unknown")
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="notification.snoozed",
        object_type="notification",
        object_id=notification_id,
        details={"until": until.isoformat()},
    )
    return until

"""What the reminder sweeps share: their settings, their type, when a reminder is fresh.

The sweeps live with their features (services/roadmaps/reminders.py,
services/visits/reminders.py, services/events/event_reminders.py,
services/notifications/digest.py) and are listed, in the order they run, in
bot/scheduler/sweeps.py `SWEEPS`. Due reminders become outbox rows with stable dedupe keys.
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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import local_time

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

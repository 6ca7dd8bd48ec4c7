"""The periodic sweeps that turn the database's dates into outbox rows (idempotent).

Each sweep lives with its feature; `SWEEPS` lists them in the order they run. What they
share (ReminderSettings, the Sweep type, freshness) is services/notifications/reminders.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.db import SessionFactory, unit_of_work
from bot.services.events.event_reminders import event_sweep
from bot.services.notifications.digest import digest_sweep
from bot.services.notifications.reminders import ReminderSettings, Sweep
from bot.services.roadmaps.reminders import deadline_sweep, recurring_sweep, review_wait_sweep
from bot.services.visits.reminders import follow_up_sweep, no_visit_sweep
from bot.sqlite_inline import off_loop

log = logging.getLogger(__name__)

SWEEPS: list[Sweep] = [
    deadline_sweep,
    recurring_sweep,
    follow_up_sweep,
    no_visit_sweep,
    review_wait_sweep,
    event_sweep,
    digest_sweep,
]


async def run_sweeps(
    session_factory: SessionFactory, clock: Callable[[], datetime], settings: Settings
) -> int:
    """Every sweep in its own unit of work; returns how many rows were queued."""
    reminder_settings = ReminderSettings.of(settings)
    queued = 0
    for sweep in SWEEPS:
        try:
            async with unit_of_work(session_factory) as session:
                # SQLite: a sweep reads every school's dates; not on the loop chats share.
                await off_loop(session)
                queued += await sweep(session, clock(), reminder_settings)
        except Exception:  # one broken sweep must not stop the others
            log.exception("reminder sweep %s failed", sweep.__name__)
    return queued

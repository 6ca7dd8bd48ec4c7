"""The periodic sweeps that turn the database's dates into outbox rows (idempotent)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.db import SessionFactory, unit_of_work

log = logging.getLogger(__name__)


async def run_sweeps(
    session_factory: SessionFactory, clock: Callable[[], datetime], settings: Settings
) -> int:
    """Every sweep in its own unit of work; returns how many rows were queued."""
    from bot.services.notifications import reminders

    reminder_settings = reminders.ReminderSettings.of(settings)
    queued = 0
    for sweep in reminders.SWEEPS:
        try:
            async with unit_of_work(session_factory) as session:
                queued += await sweep(session, clock(), reminder_settings)
        except Exception:  # one broken sweep must not stop the others
            log.exception("reminder sweep %s failed", sweep.__name__)
    return queued

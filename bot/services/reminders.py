"""Reminder sweeps: which reminders are due, as outbox rows with stable dedupe keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

Sweep = Callable[[AsyncSession, datetime], Awaitable[int]]

SWEEPS: list[Sweep] = []

"""Event date and time as typed in the municipality's zone: «ДД.ММ.ГГГГ ЧЧ:ММ»."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError

_DATETIME = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s+(\d{1,2})[:.](\d{2})\s*$")


def parse_local_datetime(text: str, timezone: str) -> datetime:
    match = _DATETIME.match(text or "")
    if match is None:
        raise DomainError("event_datetime_unreadable")
    day, month, year, hour, minute = (int(g) for g in match.groups())
    year = year + 2000 if year < 100 else year
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(timezone))
    except ValueError:
        raise DomainError("date_impossible") from None
    return local.astimezone(UTC)


def at_local(day: date, clock: time, timezone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)

"""Dates as people type them: «15.03.2023», «15.3.23», «15.03»."""

from __future__ import annotations

import re
from datetime import date

from bot.services.errors import DomainError

_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?\s*(?:г\.?)?\s*$")


def parse_user_date(text: str, today: date) -> date:
    """ДД.ММ.ГГГГ, Д.М.ГГ or ДД.ММ (this year). DomainError("date_unreadable") otherwise."""
    match = _DATE.match(text or "")
    if match is None:
        raise DomainError("date_unreadable")
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is None:
        year = today.year
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError("date_impossible") from None


def parse_past_date(text: str, today: date) -> date:
    """A day that has already happened: «28.12» typed in January means last December."""
    day = parse_user_date(text, today)
    match = _DATE.match(text)
    if match is not None and match.group(3) is None and day > today:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29.02 of a leap year has no twin a year before
            raise DomainError("date_impossible") from None
    return day


def find_trailing_date(text: str, today: date) -> tuple[str, date] | None:
    """Split «Провести педсовет — 15.03.2026» into the words and the date, if it ends in one."""
    match = re.search(r"(?:^|[\s—–-]+)(?:до\s+)?(\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?)\s*$", text)
    if match is None:
        return None
    words = text[: match.start()].strip(" —–-:,;")
    return words, parse_user_date(match.group(1), today)

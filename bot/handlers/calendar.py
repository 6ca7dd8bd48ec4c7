"""An inline month calendar: days as buttons, ‹ › to move between months.

Callback data: `data("m:YYYYMM")` to show a month, `data("d:YYYYMMDD")` for a day, `data("noop")`
for a label (the caller's button family packs them, e.g. `bot.callbacks.VisitCalendar`).
Days after `latest` are not offered (a visit cannot be in the future).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

from bot import texts
from bot.handlers.replies import Buttons
from bot.services.numbers import plain_digits

NOOP = "noop"


def month_keyboard(
    data: Callable[[str], str], year: int, month: int, latest: date | None = None
) -> Buttons:
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    rows: Buttons = [
        [
            ("‹", data(f"m:{previous[0]:04d}{previous[1]:02d}")),
            (f"{texts.CALENDAR_MONTHS[month - 1]} {year}", data(NOOP)),
            ("›", data(f"m:{following[0]:04d}{following[1]:02d}")),
        ]
    ]
    rows.append([(name, data(NOOP)) for name in texts.CALENDAR_WEEKDAYS])
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        row = []
        for day in week:
            if day == 0 or (latest is not None and date(year, month, day) > latest):
                row.append(("·", data(NOOP)))
            else:
                row.append((str(day), data(f"d:{year:04d}{month:02d}{day:02d}")))
        rows.append(row)
    return rows


def parse_month(value: str) -> tuple[int, int] | None:
    if len(value) != 6 or not plain_digits(value):
        return None
    year, month = int(value[:4]), int(value[4:])
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def parse_day(value: str) -> date | None:
    if len(value) != 8 or not plain_digits(value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None

"""Deadlines as people write them in roadmaps → a due date (the end of the period) or recurring.

«15.03.2023», «до 20.03.2021», «ноябрь–декабрь 2019 г.», «в течение года», «I полугодие 2022»,
«ежемесячно», «2019-2020 учебный год». The wording itself is always kept beside the result.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
RECURRING = re.compile(
    r"ежедневн|еженедельн|ежемесячн|ежеквартальн|ежегодн|постоянн|систематическ|регулярн|"
    r"по мере|по необходимости|в течение всего|каждую|каждый|каждое|по графику|по плану"
)
_MONTH_WORD = re.compile(
    r"(январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?(?!\d)")
_SCHOOL_YEAR = re.compile(r"(20\d{2})\s*[-–—/]\s*(20\d{2}|\d{2})")
_HALF = re.compile(r"\b(i{1,2}|1|2)\s*(?:-?е\s*)?полугоди")
_QUARTER = re.compile(r"\b(i{1,3}|iv|[1-4])\s*(?:-?й\s*)?квартал")
SCHOOL_YEAR_END = (5, 31)


@dataclass(frozen=True)
class Deadline:
    due: date | None
    recurring: bool


class DeadlineUnreadable(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _roman(value: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(value, 0) or int(value)


def parse_deadline(text: str, default_year: int) -> Deadline:
    """The end of the period named, in `default_year` when it names no year."""
    wording = (text or "").strip().lower().replace("ё", "е")
    if not wording:
        raise DeadlineUnreadable(text)
    dates = _DATE.findall(wording)
    if dates:
        day, month, year = dates[-1]
        year_number = default_year if not year else int(year) + (2000 if len(year) == 2 else 0)
        try:
            return Deadline(date(year_number, int(month), int(day)), False)
        except ValueError:
            raise DeadlineUnreadable(text) from None
    school_year = _SCHOOL_YEAR.search(wording)
    if school_year and ("учебн" in wording or "уч." in wording or "г.г" in wording):
        end_year = school_year.group(2)
        end = int(end_year) if len(end_year) == 4 else 2000 + int(end_year)
        return Deadline(date(end, *SCHOOL_YEAR_END), False)
    years = [int(y) for y in _YEAR.findall(wording)]
    year = years[-1] if years else default_year
    half = _HALF.search(wording)
    if half:
        return Deadline(
            date(year, 6, 30) if _roman(half.group(1)) == 1 else date(year, 12, 31), False
        )
    quarter = _QUARTER.search(wording)
    if quarter:
        return Deadline(_month_end(year, _roman(quarter.group(1)) * 3), False)
    months = [_month_number(m.group(0)) for m in _MONTH_WORD.finditer(wording)]
    if months:
        return Deadline(_month_end(year, months[-1]), False)
    if RECURRING.search(wording):
        return Deadline(None, True)
    if ("в течение" in wording and "год" in wording) or wording in {"год", "в течение года"}:
        if school_year:
            return Deadline(date(int(school_year.group(1)) + 1, *SCHOOL_YEAR_END), False)
        return Deadline(date(year, 12, 31), False)
    if years:
        return Deadline(date(year, 12, 31), False)
    raise DeadlineUnreadable(text)


def _month_number(word: str) -> int:
    for stem, number in MONTHS.items():
        if word.startswith(stem):
            return number
    raise DeadlineUnreadable(word)

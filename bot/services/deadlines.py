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
    r"по мере|по необходимости|в течение всего|весь период|кажд|раз в|по графику|по плану|"
    r"четверт"  # «по итогам четверти», «1 раз в четверть»: a numbered quarter is read before
)
_MONTH_WORD = re.compile(
    r"(январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?(?!\d)")
_SCHOOL_YEAR = re.compile(r"(20\d{2})\s*[-–—/]\s*(20\d{2}|\d{2})")
_HALF = re.compile(r"\b(i{1,2}|1|2)\s*(?:-?е\s*)?полугоди")
_QUARTER = re.compile(r"\b(i{1,3}|iv|[1-4])\s*(?:-?й\s*)?квартал")
_TERM = re.compile(r"\b(i{1,3}|iv|[1-4])\s*(?:-?я\s*)?четверт")
_DAY_MONTH = re.compile(
    r"(?<!\d)(\d{1,2})\s+(январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|"
    r"ноябр|декабр)[а-я]*(?:\s+(20\d{2}))?"
)
_YEAR_END = re.compile(r"конц[аеу]?\s+(?:\d{4}\s+)?год|конец\s+(?:\d{4}\s+)?год")
# School terms (четверти) end roughly here; the year is the calendar year they fall in.
TERM_END = {1: (10, 31), 2: (12, 31), 3: (3, 31), 4: (5, 31)}
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
    exact = _exact_date(wording, default_year)
    if exact is not None:
        return Deadline(exact, False)
    school_year = _SCHOOL_YEAR.search(wording)
    years = [int(y) for y in _YEAR.findall(wording)]
    year = years[-1] if years else default_year
    if school_year:
        start = int(school_year.group(1))
        end = int(school_year.group(2)) if len(school_year.group(2)) == 4 else start + 1
        bare = wording == school_year.group(0) and end == start + 1  # «2019-2020»
        within = date(end, *SCHOOL_YEAR_END) if bare else _within_school_year(wording, start, end)
        if within is not None:
            return Deadline(within, False)
    half = _HALF.search(wording)
    if half:
        return Deadline(
            date(year, 6, 30) if _roman(half.group(1)) == 1 else date(year, 12, 31), False
        )
    quarter = _QUARTER.search(wording)
    if quarter:
        return Deadline(_month_end(year, _roman(quarter.group(1)) * 3), False)
    term = _TERM.search(wording)
    if term:
        return Deadline(date(year, *TERM_END[_roman(term.group(1))]), False)
    months = [_month_number(m.group(0)) for m in _MONTH_WORD.finditer(wording)]
    if months:
        return Deadline(_month_end(year, months[-1]), False)
    if RECURRING.search(wording):
        return Deadline(None, True)
    if _YEAR_END.search(wording) or ("в течение" in wording and "год" in wording):
        return Deadline(date(year, 12, 31), False)
    if wording in {"год", "в течение года"} or years:
        return Deadline(date(year, 12, 31), False)
    raise DeadlineUnreadable(text)


def _exact_date(wording: str, default_year: int) -> date | None:
    """«15.03.2023», «до 30.12.22», «до 1 сентября 2023», «к 15 мая»: the last one named."""
    dates = _DATE.findall(wording)
    try:
        if dates:
            day, month, year = dates[-1]
            number = default_year if not year else int(year) + (2000 if len(year) == 2 else 0)
            return date(number, int(month), int(day))
        named = list(_DAY_MONTH.finditer(wording))
        if named:
            last = named[-1]
            years = _YEAR.findall(wording)
            number = int(last.group(3) or (years[-1] if years else default_year))
            return date(number, _month_number(last.group(2)), int(last.group(1)))
    except ValueError:
        raise DeadlineUnreadable(wording) from None
    return None


def _within_school_year(wording: str, start: int, end: int) -> date | None:
    """«I полугодие 2022/2023 учебного года» ends in December; the school year itself in May."""
    if not ("учебн" in wording or "уч." in wording or "г.г" in wording or "год" in wording):
        return None
    half = _HALF.search(wording)
    if half:
        return date(start, 12, 31) if _roman(half.group(1)) == 1 else date(end, *SCHOOL_YEAR_END)
    term = _TERM.search(wording)
    if term:
        number = _roman(term.group(1))
        return date(start if number <= 2 else end, *TERM_END[number])
    if "учебн" in wording or "уч." in wording or "г.г" in wording or "в течение" in wording:
        return date(end, *SCHOOL_YEAR_END)
    return None


def _month_number(word: str) -> int:
    for stem, number in MONTHS.items():
        if word.startswith(stem):
            return number
    raise DeadlineUnreadable(word)

"""Deadlines as people write them in roadmaps → a due date (the end of the period) or recurring.

«15.03.2023», «до 20.03.2021», «ноябрь–декабрь 2019 г.», «в течение года», «I полугодие 2022»,
«ежемесячно», «2019-2020 учебный год». The wording itself is always kept beside the result.

Two readings of a wording that names no year:

* **inside a school-year plan** (`parse_deadline(text, SchoolYear(2026))`, what a roadmap is:
  `Roadmap.year` is the school year's start). Every period lands inside 1 Sep 2026 – 31 Aug
  2027, at the end of the period:

  - «сентябрь» … «декабрь» → the month's last day in 2026 (30.09.2026 …);
  - «январь» … «август», «март» → the month's last day in 2027 (31.03.2027);
  - «апрель–май», «ноябрь–декабрь» → the last month named: 31.05.2027, 31.12.2026;
  - «I полугодие» → 31.12.2026 (September–December);
  - «II полугодие» → 31.05.2027 (January–May, the end of teaching);
  - «I квартал» … «IV квартал» → the calendar quarter inside the school year:
    31.03.2027, 30.06.2027, 30.09.2026, 31.12.2026;
  - «1 четверть» … «4 четверть» → 31.10.2026, 31.12.2026, 31.03.2027, 31.05.2027;
  - «15.03», «к 15 мая» → that day inside the school year: 15.03.2027, 15.05.2027;
  - «до конца года» → 31.05.2027;
  - «в течение года», «в течение учебного года», «постоянно», «по графику»,
    «по мере необходимости», «ежеквартально», «1 раз в четверть», «по итогам четверти»
    → recurring, reminded quarterly (25.10, 20.12, 20.03, 20.05);
  - «ежемесячно», «еженедельно», «ежедневно», «до 25 числа каждого месяца»
    → recurring, reminded monthly (the 25th, September–May);
  - «2 раза в год (начало и конец учебного года)» → recurring, reminded 20.09 and 20.05;
  - «ежегодно», «1 раз в год» → recurring, reminded 20.05.

  So a 2026/27 plan imported on 1 September 2026 has nothing overdue on arrival.

* **a calendar year** (`parse_deadline(text, 2022)`, an int: the older reading, kept for plans
  titled by a calendar year): «март» → 31.03.2022, «I полугодие» → 30.06.2022,
  «в течение года» → 31.12.2022.

A year written in the wording always wins over either reading: «I квартал 2023» →
31.03.2023, «до 15.03.2023» → 15.03.2023, «I полугодие 2022/2023 учебного года» →
31.12.2022; an Excel date cell never comes here (the import takes it as the date).

Recurring items have no due date; `Deadline.cadence` (and `cadence_of(wording)` for a stored
item) says how often the school is reminded — see `reminder_days` and
bot/services/roadmaps/reminders.py `recurring_sweep`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.services.school_year import SchoolYear

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
    r"по мере|по необходимости|в течение всего|весь период|кажд|раза? в|по графику|по плану|"
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


class Cadence(StrEnum):
    """How often a recurring item is reminded (days in `reminder_days`)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TWICE_A_YEAR = "twice_a_year"
    YEARLY = "yearly"


_MONTHLY = re.compile(
    r"ежемесячн|еженедельн|ежедневн|кажд\w* (?:месяц|недел|день|дн)|в месяц|в неделю"
)
_TWICE = re.compile(
    r"(?:2|два|дважды)\s*(?:раза?\s*)?в\s*(?:учебн\w*\s*)?год|дважды|начал\w* и конц?\w* "
)
_YEARLY = re.compile(r"ежегодн|(?:1|один)\s*раз\s*в\s*(?:учебн\w*\s*)?год")
# Reminder days of each cadence, as (month, day) inside the school year: shortly before
# the end of a month, a school term or the year, when there is something to report.
CADENCE_DAYS = {
    Cadence.MONTHLY: [(month, 25) for month in (9, 10, 11, 12, 1, 2, 3, 4, 5)],
    Cadence.QUARTERLY: [(10, 25), (12, 20), (3, 20), (5, 20)],
    Cadence.TWICE_A_YEAR: [(9, 20), (5, 20)],
    Cadence.YEARLY: [(5, 20)],
}


@dataclass(frozen=True)
class Deadline:
    due: date | None
    recurring: bool
    # Left out of equality: two readings are the same deadline whatever the reminder rhythm.
    cadence: Cadence | None = field(default=None, compare=False)


def cadence_of(wording: str | None) -> Cadence:
    """The reminder cadence of a recurring wording; quarterly when it says no more."""
    text = (wording or "").lower().replace("ё", "е")
    if _TWICE.search(text):
        return Cadence.TWICE_A_YEAR
    if _MONTHLY.search(text):
        return Cadence.MONTHLY
    if _YEARLY.search(text):
        return Cadence.YEARLY
    return Cadence.QUARTERLY


def reminder_days(cadence: Cadence, school_year: SchoolYear) -> list[date]:
    """The days inside `school_year` on which a recurring item of `cadence` is reminded."""
    return [
        date(school_year.start if month >= 9 else school_year.start + 1, month, day)
        for month, day in CADENCE_DAYS[cadence]
    ]


def _recurring(wording: str) -> Deadline:
    return Deadline(None, True, cadence_of(wording))


class DeadlineUnreadable(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _roman(value: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(value, 0) or int(value)


def parse_deadline(text: str, default_year: int | SchoolYear) -> Deadline:
    """The end of the period named: inside the school-year plan when given a `SchoolYear`,
    in the calendar year when given an int (see the module's table)."""
    wording = (text or "").strip().lower().replace("ё", "е")
    if not wording:
        raise DeadlineUnreadable(text)
    plan = default_year if isinstance(default_year, SchoolYear) else None
    calendar_year = default_year.start if isinstance(default_year, SchoolYear) else default_year

    def year_of(month: int) -> int:
        """The year a month named without one falls in."""
        if plan is None:
            return calendar_year
        return plan.start if month >= 9 else plan.start + 1

    exact = _exact_date(wording, year_of)
    if exact is not None:
        return Deadline(exact, False)
    school_year = _SCHOOL_YEAR.search(wording)
    years = [int(y) for y in _YEAR.findall(wording)]
    if school_year:
        start = int(school_year.group(1))
        end = int(school_year.group(2)) if len(school_year.group(2)) == 4 else start + 1
        bare = wording == school_year.group(0) and end == start + 1  # «2019-2020»
        within = date(end, *SCHOOL_YEAR_END) if bare else _within_school_year(wording, start, end)
        if within is not None:
            return Deadline(within, False)
    if plan is not None and not years:
        within_plan = _within_plan(wording, plan)
        if within_plan is not None:
            return within_plan
    year = years[-1] if years else calendar_year
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
        return _recurring(wording)
    if _YEAR_END.search(wording) or ("в течение" in wording and "год" in wording):
        return Deadline(date(year, 12, 31), False)
    if wording in {"год", "в течение года"} or years:
        return Deadline(date(year, 12, 31), False)
    raise DeadlineUnreadable(text)


def _within_plan(wording: str, plan: SchoolYear) -> Deadline | None:
    """A wording without a year inside a school-year plan (the module's table)."""
    if _TWICE.search(wording) or _YEARLY.search(wording):
        return _recurring(wording)
    half = _HALF.search(wording)
    if half:
        first = _roman(half.group(1)) == 1
        return Deadline(
            date(plan.start, 12, 31) if first else date(plan.start + 1, *SCHOOL_YEAR_END), False
        )
    quarter = _QUARTER.search(wording)
    if quarter:
        month = _roman(quarter.group(1)) * 3
        return Deadline(_month_end(plan.start if month >= 9 else plan.start + 1, month), False)
    term = _TERM.search(wording)
    if term:
        number = _roman(term.group(1))
        return Deadline(
            date(plan.start if number <= 2 else plan.start + 1, *TERM_END[number]), False
        )
    months = [_month_number(m.group(0)) for m in _MONTH_WORD.finditer(wording)]
    if months:
        month = months[-1]
        return Deadline(_month_end(plan.start if month >= 9 else plan.start + 1, month), False)
    # Numbered periods and months are read first: «1 четверть» is a term, not «раз в четверть».
    if RECURRING.search(wording):
        return _recurring(wording)
    if "в течение" in wording and "год" in wording:
        return _recurring(wording)  # «в течение (учебного) года»: all year long
    if wording in {"год", "учебный год"}:
        return _recurring(wording)
    if _YEAR_END.search(wording):
        return Deadline(date(plan.start + 1, *SCHOOL_YEAR_END), False)
    return None


def _exact_date(wording: str, year_of: Callable[[int], int]) -> date | None:
    """«15.03.2023», «до 30.12.22», «до 1 сентября 2023», «к 15 мая»: the last one named."""
    dates = _DATE.findall(wording)
    try:
        if dates:
            day, month, year = dates[-1]
            if year:
                number = int(year) + (2000 if len(year) == 2 else 0)
            else:
                number = year_of(int(month)) if 1 <= int(month) <= 12 else 0
            return date(number, int(month), int(day))
        named = list(_DAY_MONTH.finditer(wording))
        if named:
            last = named[-1]
            years = _YEAR.findall(wording)
            month = _month_number(last.group(2))
            number = int(last.group(3) or (years[-1] if years else year_of(month)))
            return date(number, month, int(last.group(1)))
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

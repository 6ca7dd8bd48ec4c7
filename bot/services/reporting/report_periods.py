"""The periods /report offers: halves of the school year and halves of the calendar year.

* school-year halves: «I полугодие 2026/2027» = 01.09.2026 – 31.12.2026,
  «II полугодие 2026/2027» = 01.01.2027 – 30.06.2027 (June kept: exams and the year's end);
* calendar halves (how seed 000 reports «за первое полугодие и второе полугодие 2022
  года»): «первое полугодие 2026» = 01.01 – 30.06.2026, «второе» = 01.07 – 31.12.2026.

A period is an explicit value (first day, last day, title) handed to the report builder;
its button data is «s2026:1» / «c2026:2» (kind, year, half), a few bytes of the 64 allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import texts
from bot.services.errors import NotFound
from bot.services.school_year import SchoolYear

SCHOOL, CALENDAR = "s", "c"


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # SCHOOL or CALENDAR
    year: int  # the school year's start, or the calendar year
    half: int  # 1 or 2
    first: date
    last: date
    title: str  # «первое полугодие 2026/27 учебного года», «второе полугодие 2022 года»
    button: str  # «I полугодие 2026/2027», «Второе полугодие 2022 (июль–декабрь)»

    @property
    def key(self) -> str:
        return f"{self.kind}{self.year}:{self.half}"

    @property
    def file_stem(self) -> str:
        if self.kind == SCHOOL:
            return f"otchet_{SchoolYear(self.year).label.replace('/', '-')}_{self.half}_polugodie"
        return f"otchet_{self.year}_{self.half}_polugodie_kalendarnyj"


def period(kind: str, year: int, half: int) -> ReportPeriod:
    """The period a button names; a year outside 2000–2100 or a half not 1/2 only comes
    from a forged button: not found."""
    if not 2000 <= year <= 2100 or half not in (1, 2) or kind not in (SCHOOL, CALENDAR):
        raise NotFound()
    if kind == SCHOOL:
        label = f"{year}/{year + 1}"  # as the seeds and ИС МЭДК write it
        first, last = (
            (date(year, 9, 1), date(year, 12, 31))
            if half == 1
            else (date(year + 1, 1, 1), date(year + 1, 6, 30))
        )
        title = texts.school_half_title(half, label)
        button = texts.school_half_button(half, label)
    else:
        first, last = (
            (date(year, 1, 1), date(year, 6, 30))
            if half == 1
            else (date(year, 7, 1), date(year, 12, 31))
        )
        title = texts.calendar_half_title(half, year)
        button = texts.calendar_half_button(half, year)
    return ReportPeriod(kind, year, half, first, last, title, button)


def from_key(key: str) -> ReportPeriod:
    """«s2026:1», «c2022:2», or the older «2026:1» (a school-year half)."""
    year_part, half = key.split(":")
    kind = year_part[0] if year_part[:1] in (SCHOOL, CALENDAR) else SCHOOL
    return period(kind, int(year_part.lstrip(SCHOOL + CALENDAR)), int(half))


def offered(today: date) -> list[ReportPeriod]:
    """The school year's two halves and the previous school year's second; the calendar
    year's halves begun so far and the previous calendar year's second."""
    school = SchoolYear.containing(today).start
    calendar = [period(CALENDAR, today.year, 1)]
    if today.month >= 7:
        calendar.append(period(CALENDAR, today.year, 2))
    calendar.append(period(CALENDAR, today.year - 1, 2))
    return [
        period(SCHOOL, school, 1),
        period(SCHOOL, school, 2),
        period(SCHOOL, school - 1, 2),
        *calendar,
    ]

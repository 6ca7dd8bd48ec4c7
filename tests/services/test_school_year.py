"""The school year as a period: its arithmetic, deadlines read inside a school-year plan,
reminder cadences of recurring items, and the report periods /report offers."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.errors import NotFound
from bot.services.reporting.report_periods import from_key, offered, period
from bot.services.roadmaps.deadlines import Cadence, cadence_of, parse_deadline, reminder_days
from bot.services.school_year import SchoolYear


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2027, 8, 31), 2026),
        (date(2027, 9, 1), 2027),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_the_school_year_turns_on_the_first_of_september(day: date, start: int) -> None:
    assert SchoolYear.containing(day) == SchoolYear(start)
    assert day in SchoolYear(start) and day not in SchoolYear(start + 1)


def test_school_year_names_and_bounds() -> None:
    year = SchoolYear(2026)
    assert (year.label, year.first_day, year.last_day) == (
        "2026/27",
        date(2026, 9, 1),
        date(2027, 8, 31),
    )
    assert year.next() == SchoolYear(2027) and SchoolYear(2099).next().label == "2100/01"
    for text in ("2026/27", "2026/2027", "2026-2027", "2026 – 27", "2026", "2026/27 уч. г."):
        assert SchoolYear.parse(text) == year, text
    for text in ("2026/28", "27/28", "", "двадцать", "1999/00", "2026/2026"):
        assert SchoolYear.parse(text) is None, text


PLAN = SchoolYear(2026)


@pytest.mark.parametrize(
    ("wording", "due"),
    [
        ("I полугодие", date(2026, 12, 31)),
        ("1 полугодие", date(2026, 12, 31)),
        ("II полугодие", date(2027, 5, 31)),
        ("в течение I полугодия", date(2026, 12, 31)),
        ("март", date(2027, 3, 31)),
        ("Сентябрь", date(2026, 9, 30)),
        ("декабрь", date(2026, 12, 31)),
        ("август", date(2027, 8, 31)),
        ("апрель–май", date(2027, 5, 31)),
        ("ноябрь - декабрь", date(2026, 12, 31)),
        ("I квартал", date(2027, 3, 31)),
        ("II квартал", date(2027, 6, 30)),
        ("III квартал", date(2026, 9, 30)),
        ("IV квартал", date(2026, 12, 31)),
        ("1 четверть", date(2026, 10, 31)),
        ("3 четверть", date(2027, 3, 31)),
        ("до 15.03", date(2027, 3, 15)),
        ("до 01.10", date(2026, 10, 1)),
        ("к 15 мая", date(2027, 5, 15)),
        ("до конца года", date(2027, 5, 31)),
        # An explicit year always wins over the plan's school year.
        ("I квартал 2023", date(2023, 3, 31)),
        ("до 15.03.2023", date(2023, 3, 15)),
        ("март 2028", date(2028, 3, 31)),
        ("I полугодие 2022", date(2022, 6, 30)),
        ("1 полугодие 2022/2023 учебного года", date(2022, 12, 31)),
        ("2019-2020 учебный год", date(2020, 5, 31)),
    ],
)
def test_a_wording_lands_inside_the_school_year_of_the_plan(wording: str, due: date) -> None:
    deadline = parse_deadline(wording, PLAN)
    assert (deadline.due, deadline.recurring) == (due, False)


@pytest.mark.parametrize(
    ("wording", "cadence"),
    [
        ("в течение года", Cadence.QUARTERLY),
        ("В течение учебного года", Cadence.QUARTERLY),
        ("по графику", Cadence.QUARTERLY),
        ("по графику ВШК", Cadence.QUARTERLY),
        ("ежеквартально", Cadence.QUARTERLY),
        ("постоянно", Cadence.QUARTERLY),
        ("по мере необходимости", Cadence.QUARTERLY),
        ("1 раз в четверть", Cadence.QUARTERLY),
        ("ежемесячно", Cadence.MONTHLY),
        ("еженедельно", Cadence.MONTHLY),
        ("до 25 числа каждого месяца", Cadence.MONTHLY),
        ("2 раза в год (начало и конец учебного года)", Cadence.TWICE_A_YEAR),
        ("2 раза в год", Cadence.TWICE_A_YEAR),
        ("ежегодно", Cadence.YEARLY),
        ("1 раз в год", Cadence.YEARLY),
    ],
)
def test_recurring_wordings_get_a_reminder_cadence(wording: str, cadence: Cadence) -> None:
    deadline = parse_deadline(wording, PLAN)
    assert (deadline.due, deadline.recurring, deadline.cadence) == (None, True, cadence)
    assert cadence_of(wording) == cadence


def test_twice_a_year_is_recurring_in_a_calendar_plan_too() -> None:
    """The old pattern matched «раз в» but not «раза в»."""
    assert parse_deadline("2 раза в год (начало и конец учебного года)", 2022).recurring


def test_a_plan_imported_on_the_first_of_september_has_nothing_overdue() -> None:
    arrival = date(2026, 9, 1)
    plan = SchoolYear.containing(arrival)
    for wording in ("март", "I полугодие", "в течение года", "сентябрь", "I квартал", "май"):
        deadline = parse_deadline(wording, plan)
        assert deadline.recurring or (deadline.due is not None and deadline.due >= arrival)


def test_reminder_days_fall_inside_the_school_year() -> None:
    assert reminder_days(Cadence.TWICE_A_YEAR, PLAN) == [date(2026, 9, 20), date(2027, 5, 20)]
    assert reminder_days(Cadence.QUARTERLY, PLAN) == [
        date(2026, 10, 25),
        date(2026, 12, 20),
        date(2027, 3, 20),
        date(2027, 5, 20),
    ]
    monthly = reminder_days(Cadence.MONTHLY, PLAN)
    assert len(monthly) == 9 and all(day in PLAN for day in monthly)
    assert reminder_days(Cadence.YEARLY, PLAN) == [date(2027, 5, 20)]


def test_report_periods_school_and_calendar_halves() -> None:
    school_first = period("s", 2026, 1)
    assert (school_first.first, school_first.last) == (date(2026, 9, 1), date(2026, 12, 31))
    school_second = from_key("s2026:2")
    assert (school_second.first, school_second.last) == (date(2027, 1, 1), date(2027, 6, 30))
    calendar_first = from_key("c2022:1")
    assert (calendar_first.first, calendar_first.last) == (date(2022, 1, 1), date(2022, 6, 30))
    assert calendar_first.title == "первое полугодие 2022 года"
    calendar_second = from_key("c2022:2")
    assert (calendar_second.first, calendar_second.last) == (date(2022, 7, 1), date(2022, 12, 31))
    assert from_key("2026:1") == school_first  # buttons sent before calendar halves existed
    for forged in ("c1999:1", "s2026:3", "x2026:1", "c2101:2"):
        with pytest.raises((NotFound, ValueError)):
            from_key(forged)


def test_report_offers_both_kinds_of_halves() -> None:
    keys = [p.key for p in offered(date(2026, 11, 24))]
    assert keys == ["s2026:1", "s2026:2", "s2025:2", "c2026:1", "c2026:2", "c2025:2"]
    keys = [p.key for p in offered(date(2027, 3, 10))]
    assert keys == ["s2026:1", "s2026:2", "s2025:2", "c2027:1", "c2026:2"]
    longest = max(len(f"rep:g:{p.key}:999999999") for p in offered(date(2026, 11, 24)))
    assert longest <= 64

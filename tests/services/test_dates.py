from __future__ import annotations

from datetime import date

import pytest

from bot.services.dates import find_trailing_date, parse_past_date, parse_user_date
from bot.services.errors import DomainError

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.03.2023", date(2023, 3, 15)),
        ("15.3.23", date(2023, 3, 15)),
        ("5.3.2023", date(2023, 3, 5)),
        ("15.03", date(2026, 3, 15)),
        (" 01.09.2022 г.", date(2022, 9, 1)),
        ("01-09-2022", date(2022, 9, 1)),
    ],
)
def test_typed_dates(text: str, expected: date) -> None:
    assert parse_user_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.02.2023", "date_impossible"),
        ("вчера?", "date_unreadable"),
        ("", "date_unreadable"),
        ("15.13.2023", "date_impossible"),
        ("2023-03-15", "date_unreadable"),
    ],
)
def test_bad_dates(text: str, code: str) -> None:
    with pytest.raises(DomainError) as error:
        parse_user_date(text, TODAY)
    assert error.value.code == code


def test_trailing_date() -> None:
    assert find_trailing_date("Провести педсовет — 15.12.2026", TODAY) == (
        "Провести педсовет",
        date(2026, 12, 15),
    )
    assert find_trailing_date("Анализ ВПР до 01.02", TODAY) == ("Анализ ВПР", date(2026, 2, 1))
    assert find_trailing_date("без даты", TODAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("28.12", date(2027, 1, 10), date(2026, 12, 28)),  # a day-month ahead: last year
        ("05.01", date(2027, 1, 10), date(2027, 1, 5)),
        ("10.01", date(2027, 1, 10), date(2027, 1, 10)),  # today is not the future
        ("28.12.2027", date(2027, 1, 10), date(2027, 12, 28)),  # a typed year is kept
    ],
)
def test_past_dates_without_a_year(text: str, today: date, expected: date) -> None:
    assert parse_past_date(text, today) == expected


def test_a_leap_day_ahead_has_no_twin_last_year() -> None:
    with pytest.raises(DomainError) as refused:
        parse_past_date("29.02", date(2028, 1, 10))
    assert refused.value.code == "date_impossible"

"""People type school names every which way; the number and the kind decide."""

from __future__ import annotations

import pytest

from bot.models import School, SchoolKind
from bot.services.school_names import match_schools, parse_school_name


def _school(ident: int, kind: SchoolKind, number: int, short: str, full: str) -> School:
    return School(
        id=ident, municipality_id=1, kind=kind, number=number, short_name=short, full_name=full
    )


SCHOOLS = [
    _school(
        1,
        SchoolKind.SECONDARY,
        17,
        "СШ № 17",
        "Средняя школа № 17 с углублённым изучением отдельных предметов",
    ),
    _school(2, SchoolKind.LYCEUM, 9, "Лицей № 9", "Лицей № 9"),
    _school(3, SchoolKind.SECONDARY, 9, "СШ № 9", "Средняя школа № 9"),
    _school(4, SchoolKind.BASIC, 27, "ОШ № 27", "Основная школа № 27"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("СШ № 17", [1]),
        ("сш 17", [1]),
        ("школа №17", [1]),
        ("17", [1]),
        ("Средняя школа № 17", [1]),
        ("лицей9", [2]),
        ("Лицей № 9", [2]),
        ("сош 9", [3]),
        ("9", [2, 3]),
        ("основная школа 27", [4]),
        ("гимназия 9", []),
        ("углублённым изучением", [1]),
    ],
)
def test_match_schools(query: str, expected: list[int]) -> None:
    assert [school.id for school in match_schools(SCHOOLS, query)] == expected


def test_parse_school_name() -> None:
    assert parse_school_name("МОУ «СОШ № 38»") == (SchoolKind.SECONDARY, 38)
    assert parse_school_name("лицей") == (SchoolKind.LYCEUM, None)

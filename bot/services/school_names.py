"""Finding a school by the name people type: «сш 17», «школа №17», «лицей9», «Лицей № 9»."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import School, SchoolKind

# Longest first, so «средняя общеобразовательная школа» wins over «школа».
_KIND_WORDS: list[tuple[str, SchoolKind | None]] = [
    ("средняя общеобразовательная школа", SchoolKind.SECONDARY),
    ("основная общеобразовательная школа", SchoolKind.BASIC),
    ("средняя школа", SchoolKind.SECONDARY),
    ("основная школа", SchoolKind.BASIC),
    ("гимназия", SchoolKind.GYMNASIUM),
    ("лицей", SchoolKind.LYCEUM),
    ("сош", SchoolKind.SECONDARY),
    ("оош", SchoolKind.BASIC),
    ("сш", SchoolKind.SECONDARY),
    ("ош", SchoolKind.BASIC),
    ("моу", None),
    ("мбоу", None),
    ("маоу", None),
    ("оу", None),
    ("школа", None),
]

SHORT_PREFIX = {
    SchoolKind.SECONDARY: "СШ",
    SchoolKind.BASIC: "ОШ",
    SchoolKind.LYCEUM: "Лицей",
    SchoolKind.GYMNASIUM: "Гимназия",
}


def parse_school_name(text: str) -> tuple[SchoolKind | None, int | None]:
    """Kind and number from free text; either may be missing."""
    lowered = text.lower().replace("ё", "е")
    number_match = re.search(r"(\d{1,4})", lowered)
    number = int(number_match.group(1)) if number_match else None
    words = re.sub(r"[^a-zа-я ]+", " ", lowered)
    words = " " + re.sub(r"\s+", " ", words).strip() + " "
    kind: SchoolKind | None = None
    for phrase, phrase_kind in _KIND_WORDS:
        if phrase_kind is not None and f" {phrase} " in words:
            kind = phrase_kind
            break
    return kind, number


def short_name(kind: SchoolKind, number: int | None, fallback: str) -> str:
    prefix = SHORT_PREFIX.get(kind)
    if prefix is None or number is None:
        return fallback
    return f"{prefix} № {number}"


def _normalized(text: str) -> str:
    return re.sub(r"[^a-zа-я0-9]+", "", text.lower().replace("ё", "е"))


def match_schools(schools: Iterable[School], query: str) -> list[School]:
    """Schools matching the query, best matches only (several when it is ambiguous)."""
    candidates = list(schools)
    wanted = _normalized(query)
    exact = [
        s for s in candidates if wanted in {_normalized(s.short_name), _normalized(s.full_name)}
    ]
    if exact:
        return exact
    kind, number = parse_school_name(query)
    if number is not None:
        by_number = [s for s in candidates if s.number == number]
        if kind is not None:
            # «сш 17» for a lyceum № 17 is a near miss worth offering; «лицей 17» is not an СШ.
            by_kind = [s for s in by_number if s.kind == kind]
            strict = kind in {SchoolKind.LYCEUM, SchoolKind.GYMNASIUM}
            return by_kind or ([] if strict else by_number)
        return by_number
    if len(wanted) >= 4:
        return [s for s in candidates if wanted in _normalized(s.full_name)]
    return []


async def find_schools(
    session: AsyncSession, query: str, *, municipality_id: int | None = None
) -> list[School]:
    statement = select(School)
    if municipality_id is not None:
        statement = statement.where(School.municipality_id == municipality_id)
    _kind, number = parse_school_name(query)
    if number is not None:
        statement = statement.where(School.number == number)
    return match_schools((await session.scalars(statement)).all(), query)


async def short_name_of(session: AsyncSession, school_id: int | None) -> str | None:
    """The school's short name (a draft's school), None without one or when it is gone."""
    school = await session.get(School, school_id) if school_id else None
    return school.short_name if school else None

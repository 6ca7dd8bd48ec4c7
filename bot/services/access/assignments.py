"""Which curator assignments hold today: the rule every reader of `CuratorAssignment` follows.

`CuratorAssignment.year` is the start of the school year (`SchoolYear.start`, 2026 for
2026/27). An assignment is **valid on a day** when

1. it is not ended (`ended_at` is empty), and
2. its year is the school's *directory year* on that day: the latest year for which the
   school has any assignment (ended ones count too), among years not after the school year
   containing the day.

So on 1 September nothing vanishes: until someone runs the rollover (`new-school-year`)
the school's latest year is still the old one and its curators keep their access. Once the
rollover (or the coordinator) writes rows for the new year, those rows take over for that
school — and only for that school, so regions roll over independently. Rows written in
advance for a school year that has not begun yet (a rollover run in August) wait until
1 September. Ended rows count towards the latest year, so ending a new-year row never
brings the previous year's row back.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BindParameter, ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import CuratorAssignment
from bot.services.school_year import SchoolYear


def _latest_year_of_school(current: int | BindParameter[int]) -> ColumnElement[int]:
    other = aliased(CuratorAssignment)
    return (
        select(func.max(other.year))
        .where(other.school_id == CuratorAssignment.school_id, other.year <= current)
        .correlate(CuratorAssignment)
        .scalar_subquery()
    )


def valid_clause(current: int | BindParameter[int]) -> ColumnElement[bool]:
    """WHERE clause on `CuratorAssignment`: valid in the school year starting in `current`."""
    return CuratorAssignment.ended_at.is_(None) & (
        CuratorAssignment.year == _latest_year_of_school(current)
    )


def valid_on(day: date) -> ColumnElement[bool]:
    """WHERE clause on `CuratorAssignment`: the assignments that hold on `day`."""
    return valid_clause(SchoolYear.containing(day).start)


async def directory_year(session: AsyncSession, school_id: int, day: date) -> int:
    """The year a new assignment of this school is written with on `day`.

    The school's latest year when it has one (so a curator added before the rollover joins
    the others instead of pushing the school into the new year alone), else the current
    school year.
    """
    current = SchoolYear.containing(day).start
    latest = await session.scalar(
        select(func.max(CuratorAssignment.year)).where(
            CuratorAssignment.school_id == school_id, CuratorAssignment.year <= current
        )
    )
    return int(latest) if latest is not None else current

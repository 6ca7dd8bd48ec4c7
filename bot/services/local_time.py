"""«Today» and «now» where the person is: in the municipality's time zone.

Stored times are UTC; a day (a summary's date, overdue days, a school card, the digest's
week) is the day on the municipality's calendar. A municipality without a zone, or a person
without a municipality (a regional coordinator), gets settings.DEFAULT_TIMEZONE — set once
at start by `configure`; no zone is written into the code elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Municipality, School

_default_zone: str = Settings.model_fields["default_timezone"].default


def configure(default_timezone: str) -> None:
    """settings.DEFAULT_TIMEZONE, set by build_application."""
    global _default_zone
    ZoneInfo(default_timezone)  # an unknown zone fails at start, not at the first summary
    _default_zone = default_timezone


def default_zone() -> str:
    return _default_zone


def zone_info(zone: str | None = None) -> ZoneInfo:
    """The zone, or settings.DEFAULT_TIMEZONE where none is known."""
    return ZoneInfo(zone or _default_zone)


def local_now(now: datetime, zone: str | None = None) -> datetime:
    return now.astimezone(zone_info(zone))


def local_today(now: datetime, zone: str | None = None) -> date:
    return local_now(now, zone).date()


def local_moment(day: date, clock: time, zone: str | None = None) -> datetime:
    """`clock` o'clock on `day` where the zone is (an aware datetime)."""
    return datetime.combine(day, clock, tzinfo=zone_info(zone))


async def municipality_zone(session: AsyncSession, municipality_id: int | None) -> str:
    if municipality_id is None:
        return _default_zone
    zone = await session.scalar(
        select(Municipality.timezone).where(Municipality.id == municipality_id)
    )
    return zone or _default_zone


async def _zone_of_school(session: AsyncSession, school_id: int) -> str | None:
    return await session.scalar(
        select(Municipality.timezone)
        .join(School, School.municipality_id == Municipality.id)
        .where(School.id == school_id)
    )


async def school_zone(session: AsyncSession, school_id: int) -> str:
    return await _zone_of_school(session, school_id) or _default_zone


async def today_in_municipality(
    session: AsyncSession, municipality_id: int | None, now: datetime
) -> date:
    return local_today(now, await municipality_zone(session, municipality_id))


async def today_at_school(session: AsyncSession, school_id: int, now: datetime) -> date:
    return local_today(now, await school_zone(session, school_id))


async def school_with_today(
    session: AsyncSession, school_id: int, now: datetime
) -> tuple[School, date] | None:
    """The school and the day it is there, in one query (None when there is no such school)."""
    row = (
        await session.execute(
            select(School, Municipality.timezone)
            .join(Municipality, School.municipality_id == Municipality.id)
            .where(School.id == school_id)
        )
    ).first()
    if row is None:
        return None
    school, zone = row
    return school, local_today(now, zone)


async def today_at_school_or_in(
    session: AsyncSession, school_id: int | None, municipality_id: int | None, now: datetime
) -> date:
    """Today at the school (its municipality's zone), else in the municipality, else in
    DEFAULT_TIMEZONE: «Сегодня» of a form about a school is the user's day."""
    zone = await _zone_of_school(session, school_id) if school_id is not None else None
    return local_today(now, zone or await municipality_zone(session, municipality_id))

"""Who should hear about a school or a municipality: people with active roles there."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CuratorAssignment, Role, RoleAssignment, School, utcnow
from bot.services import local_time
from bot.services.access.assignments import valid_on


async def school_staff(session: AsyncSession, school_id: int) -> list[int]:
    rows = await session.scalars(
        select(RoleAssignment.person_id).where(
            RoleAssignment.role == Role.SCHOOL_STAFF,
            RoleAssignment.school_id == school_id,
            RoleAssignment.revoked_at.is_(None),
        )
    )
    return sorted(set(rows.all()))


async def curators_of(
    session: AsyncSession, school_id: int, today: date | None = None
) -> list[int]:
    """The school's curators by the assignments valid today (directory/assignments.py)."""
    rows = await session.scalars(
        select(CuratorAssignment.curator_person_id).where(
            CuratorAssignment.school_id == school_id, valid_on(today or utcnow().date())
        )
    )
    return sorted(set(rows.all()))


async def municipal_coordinators(session: AsyncSession, municipality_id: int) -> list[int]:
    rows = await session.scalars(
        select(RoleAssignment.person_id).where(
            RoleAssignment.role == Role.MUNICIPAL_COORDINATOR,
            RoleAssignment.municipality_id == municipality_id,
            RoleAssignment.revoked_at.is_(None),
        )
    )
    return sorted(set(rows.all()))


async def coordinators_of_school(session: AsyncSession, school_id: int) -> list[int]:
    school = await session.get(School, school_id)
    return await municipal_coordinators(session, school.municipality_id) if school else []


async def municipality_timezone(session: AsyncSession, municipality_id: int) -> str:
    return await local_time.municipality_zone(session, municipality_id)

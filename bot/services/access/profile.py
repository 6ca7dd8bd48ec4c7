"""What a bound person may see about themselves: roles with scope names, their schools."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Municipality, Region, Role, RoleAssignment, School
from bot.services.access.actors import Actor
from bot.services.access.permissions import commands_for


@dataclass(frozen=True)
class Profile:
    full_name: str
    roles: list[tuple[Role, str]]
    schools: list[str]
    commands: list[str]


async def load_profile(session: AsyncSession, actor: Actor) -> Profile:
    assignments = (
        await session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.person_id == actor.person_id, RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.id)
        )
    ).all()
    roles: list[tuple[Role, str]] = []
    for assignment in assignments:
        scope = ""
        if assignment.school_id:
            school = await session.get(School, assignment.school_id)
            scope = school.short_name if school else ""
        elif assignment.municipality_id:
            municipality = await session.get(Municipality, assignment.municipality_id)
            scope = municipality.name if municipality else ""
        elif assignment.region_id:
            region = await session.get(Region, assignment.region_id)
            scope = region.name if region else ""
        roles.append((assignment.role, scope))
    school_ids = actor.curated_school_ids | actor.staff_school_ids
    schools = []
    if school_ids:
        rows = await session.scalars(
            select(School).where(School.id.in_(school_ids)).order_by(School.number)
        )
        schools = [school.short_name for school in rows]
    return Profile(
        full_name=actor.full_name,
        roles=roles,
        schools=schools,
        commands=commands_for(actor.roles),
    )

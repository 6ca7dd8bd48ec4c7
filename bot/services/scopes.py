"""Turning a typed scope name («СШ № 17», «Каменск-Уральский») into an invite scope."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Municipality, Region, Role
from bot.services.errors import DomainError
from bot.services.invites import InviteScope
from bot.services.school_names import find_schools


async def _municipality(session: AsyncSession, name: str) -> Municipality | None:
    pattern = f"%{name.strip().lower()}%"
    rows = (
        await session.scalars(
            select(Municipality).where(func.lower(Municipality.name).like(pattern))
        )
    ).all()
    return rows[0] if len(rows) == 1 else None


async def resolve_scope(
    session: AsyncSession, role: Role, text: str, municipality_name: str | None = None
) -> InviteScope:
    if role == Role.ADMIN:
        return InviteScope()
    if role == Role.REGIONAL_COORDINATOR:
        pattern = f"%{text.strip().lower()}%"
        regions = (
            await session.scalars(select(Region).where(func.lower(Region.name).like(pattern)))
        ).all()
        if len(regions) != 1:
            raise DomainError("scope_not_found")
        return InviteScope(region_id=regions[0].id)
    municipality = await _municipality(session, text) if text else None
    if role in {Role.MUNICIPAL_COORDINATOR, Role.CURATOR} and municipality is not None:
        return InviteScope(municipality_id=municipality.id)
    if role == Role.MUNICIPAL_COORDINATOR:
        raise DomainError("scope_not_found")
    within = await _municipality(session, municipality_name) if municipality_name else None
    schools = await find_schools(session, text, municipality_id=within.id if within else None)
    if len(schools) != 1:
        raise DomainError("scope_not_found")
    school = schools[0]
    if role == Role.CURATOR:
        return InviteScope(municipality_id=school.municipality_id, curated_school_id=school.id)
    return InviteScope(school_id=school.id)

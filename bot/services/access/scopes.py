"""Turning a typed scope name («СШ № 17», «Каменск-Уральский») into an invite scope."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Municipality, Region, Role
from bot.services.access.invites import InviteScope
from bot.services.errors import DomainError
from bot.services.school_names import find_schools

T = TypeVar("T")


def name_key(name: str) -> str:
    """A name as compared: Unicode case folding (SQLite's lower() folds ASCII only, so the
    match is done here, not in SQL), ё as е, runs of spaces as one."""
    return " ".join(name.casefold().replace("ё", "е").split())


def match_by_name(rows: Sequence[T], typed: str, name_of: Callable[[T], str]) -> T | None:
    """The one row whose name is the typed text, else the one that contains it; None when
    nothing or several match."""
    wanted = name_key(typed)
    if not wanted:
        return None
    exact = [row for row in rows if name_key(name_of(row)) == wanted]
    found = exact or [row for row in rows if wanted in name_key(name_of(row))]
    return found[0] if len(found) == 1 else None


async def _municipality(session: AsyncSession, name: str) -> Municipality | None:
    rows = (await session.scalars(select(Municipality))).all()
    return match_by_name(rows, name, lambda municipality: municipality.name)


async def resolve_scope(
    session: AsyncSession, role: Role, text: str, municipality_name: str | None = None
) -> InviteScope:
    if role == Role.ADMIN:
        return InviteScope()
    if role == Role.REGIONAL_COORDINATOR:
        regions = (await session.scalars(select(Region))).all()
        region = match_by_name(regions, text, lambda region: region.name)
        if region is None:
            raise DomainError("scope_not_found")
        return InviteScope(region_id=region.id)
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

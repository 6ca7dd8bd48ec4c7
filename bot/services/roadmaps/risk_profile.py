"""A school's risk profile: which of the ten factors apply, and how strongly.

A profile belongs to a school year (`SchoolRiskProfileEntry.year` is `SchoolYear.start`,
2026 for 2026/27), like roadmaps and curator assignments: /risks, /summary and the school
card read the school year containing the municipality's today (`profile_year`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import RiskFactor, RiskLevel, SchoolRiskProfileEntry
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import NotFound
from bot.services.roadmaps.roadmaps import editable_school
from bot.services.school_year import SchoolYear

# A tap moves a factor along this cycle: not set → high → medium → low → not set.
NEXT_LEVEL: dict[RiskLevel | None, RiskLevel | None] = {
    None: RiskLevel.HIGH,
    RiskLevel.HIGH: RiskLevel.MEDIUM,
    RiskLevel.MEDIUM: RiskLevel.LOW,
    RiskLevel.LOW: None,
}


def profile_year(today: date) -> int:
    """The profile year read and written on `today` (a local date)."""
    return SchoolYear.containing(today).start


@dataclass(frozen=True)
class FactorLevel:
    factor_id: int
    title: str
    level: RiskLevel | None


async def profile(session: AsyncSession, school_id: int, year: int) -> list[FactorLevel]:
    levels = dict(
        (
            await session.execute(
                select(SchoolRiskProfileEntry.risk_factor_id, SchoolRiskProfileEntry.level).where(
                    SchoolRiskProfileEntry.school_id == school_id,
                    SchoolRiskProfileEntry.year == year,
                )
            )
        ).all()
    )
    factors = await session.execute(select(RiskFactor.id, RiskFactor.title).order_by(RiskFactor.id))
    return [FactorLevel(fid, title, levels.get(fid)) for fid, title in factors]


async def toggle(
    session: AsyncSession, actor: Actor, school_id: int, factor_id: int, year: int
) -> RiskLevel | None:
    school = await editable_school(session, actor, school_id)
    if await session.get(RiskFactor, factor_id) is None:
        raise NotFound()
    entry = await session.scalar(
        select(SchoolRiskProfileEntry).where(
            SchoolRiskProfileEntry.school_id == school.id,
            SchoolRiskProfileEntry.risk_factor_id == factor_id,
            SchoolRiskProfileEntry.year == year,
        )
    )
    new_level = NEXT_LEVEL[entry.level if entry else None]
    if entry is None:
        entry = SchoolRiskProfileEntry(
            school_id=school.id,
            risk_factor_id=factor_id,
            year=year,
            level=new_level,
            updated_by_person_id=actor.person_id,
        )
        session.add(entry)
    elif new_level is None:
        await session.delete(entry)
    else:
        entry.level = new_level
        entry.updated_by_person_id = actor.person_id
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="risk_profile.changed",
        object_type="school",
        object_id=school.id,
        details={
            "factor": factor_id,
            "level": new_level.value if new_level else None,
            "year": year,
        },
    )
    return new_level

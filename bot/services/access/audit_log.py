"""Reading the audit log back, for admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditRecord, Person


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str | None
    action: str
    object_type: str
    object_id: int | None
    details: dict[str, Any] | None


async def recent(session: AsyncSession, limit: int = 20) -> list[AuditLine]:
    rows = await session.execute(
        select(AuditRecord, Person.full_name)
        .outerjoin(Person, Person.id == AuditRecord.actor_person_id)
        .order_by(AuditRecord.id.desc())
        .limit(limit)
    )
    return [
        AuditLine(
            at=record.at,
            actor=name,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            details=record.details,
        )
        for record, name in rows
    ]

"""Every change to data writes an audit record in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditRecord


async def record(
    session: AsyncSession,
    *,
    actor_person_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    entry = AuditRecord(
        actor_person_id=actor_person_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(entry)
    await session.flush()
    return entry

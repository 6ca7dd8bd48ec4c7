"""Writing to the notification outbox, in the caller's transaction.

A row per recipient with a unique dedupe key: enqueueing the same key twice is a no-op,
so a cause (a saved visit, a deadline sweep run twice) can never send one message twice.
The sender (bot/scheduler) drains due rows at Telegram's pace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Notification, utcnow

ButtonRows = list[list[tuple[str, str]]]


def inline_markup(rows: ButtonRows) -> dict[str, Any]:
    """Bot API InlineKeyboardMarkup as JSON, from rows of (text, callback_data)."""
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row] for row in rows
        ]
    }


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient_person_id: int,
    kind: str,
    text: str,
    due_at: datetime | None = None,
    buttons: ButtonRows | None = None,
    document_name: str | None = None,
    document_bytes: bytes | None = None,
) -> bool:
    """Queue one message; False when that key was queued before (nothing is added)."""
    existing = await session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return False
    session.add(
        Notification(
            dedupe_key=dedupe_key[:200],
            recipient_person_id=recipient_person_id,
            kind=kind,
            text=text,
            reply_markup=inline_markup(buttons) if buttons else None,
            document_name=document_name,
            document_bytes=document_bytes,
            due_at=due_at or utcnow(),
        )
    )
    await session.flush()
    return True


async def enqueue_for_each(
    session: AsyncSession,
    recipients: Iterable[int],
    *,
    key_prefix: str,
    kind: str,
    text: str,
    due_at: datetime | None = None,
    buttons: ButtonRows | None = None,
    document_name: str | None = None,
    document_bytes: bytes | None = None,
) -> int:
    """The same message to several people; the key gets `:person N`. Returns how many queued."""
    queued = 0
    for person_id in sorted(set(recipients)):
        queued += await enqueue(
            session,
            dedupe_key=f"{key_prefix}:person {person_id}",
            recipient_person_id=person_id,
            kind=kind,
            text=text,
            due_at=due_at,
            buttons=buttons,
            document_name=document_name,
            document_bytes=document_bytes,
        )
    return queued

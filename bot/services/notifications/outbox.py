"""Writing to the notification outbox, in the caller's transaction.

A row per recipient with a unique dedupe key: enqueueing the same key twice is a no-op,
so a cause (a saved visit, a deadline sweep run twice) can never send one message twice.
The sender (bot/scheduler) drains due rows at Telegram's pace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import Notification, utcnow

ButtonRows = list[list[tuple[str, str]]]
SNOOZE_DAYS: tuple[Literal[1, 3, 7], ...] = (1, 3, 7)


def snooze_row(notification_id: int) -> list[tuple[str, str]]:
    """«Snooze 1/3/7 days» for one outbox row, named by its id."""
    labels = {1: texts.BUTTON_SNOOZE_1, 3: texts.BUTTON_SNOOZE_3, 7: texts.BUTTON_SNOOZE_7}
    return [(labels[days], cb.Snooze(notification_id, days).pack()) for days in SNOOZE_DAYS]


def markup_to_send(
    notification_id: int, reply_markup: dict[str, Any] | None, snoozable: bool
) -> dict[str, Any] | None:
    """The stored buttons of a row, with its snooze row (naming this row) when it has one."""
    if not snoozable:
        return reply_markup
    snooze = inline_markup([snooze_row(notification_id)])["inline_keyboard"]
    rows = list((reply_markup or {}).get("inline_keyboard", []))
    return {**(reply_markup or {}), "inline_keyboard": [*rows, *snooze]}


def inline_markup(rows: ButtonRows) -> dict[str, Any]:
    """Bot API InlineKeyboardMarkup as JSON, from rows of (text, callback_data)."""
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row] for row in rows
        ]
    }


def notification(
    *,
    dedupe_key: str,
    recipient_person_id: int,
    kind: str,
    text: str,
    due_at: datetime | None = None,
    buttons: ButtonRows | None = None,
    snoozable: bool = False,
    subject: str | None = None,
    subject_id: int | None = None,
    quiet_hours_exempt: bool = False,
    document_name: str | None = None,
    document_bytes: bytes | None = None,
) -> Notification:
    """One outbox row, not yet added.

    `buttons` are sent as they are; `snoozable` adds the «snooze» row naming this row
    (built when it is sent, see `markup_to_send`). `subject`/`subject_id` name what the
    message is about for those who withdraw it; `quiet_hours_exempt` lets it go out at night.
    """
    return Notification(
        dedupe_key=dedupe_key,
        recipient_person_id=recipient_person_id,
        kind=kind,
        subject=subject,
        subject_id=subject_id,
        quiet_hours_exempt=quiet_hours_exempt,
        text=text,
        reply_markup=inline_markup(buttons) if buttons else None,
        snoozable=snoozable,
        document_name=document_name,
        document_bytes=document_bytes,
        due_at=due_at or utcnow(),
    )


async def add_once(session: AsyncSession, row: Notification) -> bool:
    """Queue the row; False when its key was queued before (nothing is added)."""
    existing = await session.scalar(
        select(Notification.id).where(Notification.dedupe_key == row.dedupe_key)
    )
    if existing is not None:
        return False
    session.add(row)
    await session.flush()
    return True


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    recipient_person_id: int,
    kind: str,
    text: str,
    due_at: datetime | None = None,
    buttons: ButtonRows | None = None,
    snoozable: bool = False,
    subject: str | None = None,
    subject_id: int | None = None,
    quiet_hours_exempt: bool = False,
    document_name: str | None = None,
    document_bytes: bytes | None = None,
) -> bool:
    """Queue one message (see `notification`); False when that key was queued before."""
    return await add_once(
        session,
        notification(
            dedupe_key=dedupe_key,
            recipient_person_id=recipient_person_id,
            kind=kind,
            text=text,
            due_at=due_at,
            buttons=buttons,
            snoozable=snoozable,
            subject=subject,
            subject_id=subject_id,
            quiet_hours_exempt=quiet_hours_exempt,
            document_name=document_name,
            document_bytes=document_bytes,
        ),
    )


async def enqueue_for_each(
    session: AsyncSession,
    recipients: Iterable[int],
    *,
    key_prefix: str,
    kind: str,
    text: str,
    due_at: datetime | None = None,
    buttons: ButtonRows | None = None,
    snoozable: bool = False,
    subject: str | None = None,
    subject_id: int | None = None,
    quiet_hours_exempt: bool = False,
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
            snoozable=snoozable,
            subject=subject,
            subject_id=subject_id,
            quiet_hours_exempt=quiet_hours_exempt,
            document_name=document_name,
            document_bytes=document_bytes,
        )
    return queued

"""The outbox's state machine, without Telegram: claim due rows, then record the outcome.

Delivery is at-least-once at one edge: if the process dies after Telegram accepted a
message but before `mark_sent` committed, the row stays `sending` and is reclaimed after
CLAIM_TIMEOUT and sent again. Every other path sends a key at most once: claiming is a
committed state change (PostgreSQL: FOR UPDATE SKIP LOCKED, so two senders never take one
row), a row is handed to Telegram only by the sender that holds its claim (`hand_over`),
and a sent row is never claimed again.

A batch is claimed at once, but only the message in flight is ambiguous when a sender
dies: the rest of its batch was never handed over and is free again after
UNSENT_CLAIM_TIMEOUT, so a standby finishes a dead leader's batch within a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Municipality,
    Notification,
    NotificationState,
    Person,
    TelegramAccount,
)
from bot.services import local_time
from bot.services.notifications.outbox import markup_to_send

CLAIM_TIMEOUT = timedelta(minutes=5)
UNSENT_CLAIM_TIMEOUT = timedelta(seconds=30)
MAX_ATTEMPTS = 8
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


@dataclass(frozen=True)
class Outgoing:
    id: int
    dedupe_key: str
    kind: str
    chat_id: int | None
    person_id: int
    text: str
    reply_markup: dict[str, Any] | None
    document_name: str | None
    document_bytes: bytes | None
    timezone: str
    muted: bool
    # The hour-before reminder of an evening event is only useful at its moment: moving it
    # to the next morning would deliver it after the event. Everything else waits for 08:00.
    quiet_hours_exempt: bool = False


async def claim_due(
    session: AsyncSession, now: datetime, *, limit: int, worker: str
) -> list[Outgoing]:
    """Take up to `limit` due rows (and rows stuck in `sending`), mark them `sending`."""
    sending = Notification.state == NotificationState.SENDING
    due = or_(
        (Notification.state == NotificationState.PENDING) & (Notification.due_at <= now),
        # A dead sender's claim that never reached Telegram: safe to take soon.
        sending
        & Notification.handed_over_at.is_(None)
        & (Notification.claimed_at < now - UNSENT_CLAIM_TIMEOUT),
        # The message in flight when its sender died: Telegram may have it (the edge).
        sending & (Notification.handed_over_at < now - CLAIM_TIMEOUT),
    )
    statement = select(Notification.id).where(due).order_by(Notification.due_at, Notification.id)
    statement = statement.limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    ids = list((await session.scalars(statement)).all())
    if not ids:
        return []
    await session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(
            state=NotificationState.SENDING,
            claimed_at=now,
            claimed_by=worker,
            handed_over_at=None,
            attempts=Notification.attempts + 1,
        )
    )
    rows = await session.execute(
        select(Notification, TelegramAccount, Person.muted_kinds, Municipality.timezone)
        .join(Person, Person.id == Notification.recipient_person_id)
        .outerjoin(TelegramAccount, TelegramAccount.person_id == Person.id)
        .outerjoin(Municipality, Municipality.id == Person.municipality_id)
        .where(Notification.id.in_(ids))
        .order_by(Notification.due_at, Notification.id)
    )
    result = []
    for notification, account, muted_kinds, timezone in rows:
        reachable = account is not None and account.unreachable_since is None
        result.append(
            Outgoing(
                id=notification.id,
                dedupe_key=notification.dedupe_key,
                kind=notification.kind,
                chat_id=account.chat_id if reachable else None,
                person_id=notification.recipient_person_id,
                text=notification.text,
                reply_markup=markup_to_send(
                    notification.id, notification.reply_markup, notification.snoozable
                ),
                document_name=notification.document_name,
                document_bytes=notification.document_bytes,
                timezone=timezone or local_time.default_zone(),
                muted=notification.kind in (muted_kinds or []),
                quiet_hours_exempt=notification.quiet_hours_exempt,
            )
        )
    return result


def quiet_until(now: datetime, timezone: str) -> datetime | None:
    """If it is night (21:00–08:00) where the recipient lives, the next 08:00 there."""
    local = local_time.local_now(now, timezone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    morning = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return local_time.local_moment(morning, QUIET_UNTIL, timezone)


async def _set(session: AsyncSession, notification_id: int, **values: Any) -> None:
    await session.execute(
        update(Notification).where(Notification.id == notification_id).values(**values)
    )


async def hand_over(
    session: AsyncSession, notification_id: int, now: datetime, worker: str
) -> bool:
    """Record that `worker` now sends this row; False if another sender has taken it over
    meanwhile (its claim expired), and then it must not be sent from here."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.state == NotificationState.SENDING,
            Notification.claimed_by == worker,
            Notification.handed_over_at.is_(None),
        )
        .values(handed_over_at=now)
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def mark_sent(
    session: AsyncSession, notification_id: int, now: datetime, message_id: int | None
) -> None:
    await _set(
        session,
        notification_id,
        state=NotificationState.SENT,
        sent_at=now,
        telegram_message_id=message_id,
        last_error=None,
    )


async def postpone(
    session: AsyncSession, notification_id: int, until: datetime, reason: str
) -> None:
    """Back to pending for later: does not count as a failed attempt."""
    await _set(
        session,
        notification_id,
        state=NotificationState.PENDING,
        due_at=until,
        attempts=Notification.attempts - 1,
        last_error=reason,
    )


async def retry_later(session: AsyncSession, outgoing: Outgoing, now: datetime, error: str) -> None:
    """A transient failure (timeout, 5xx): back off exponentially, give up after a while."""
    row = await session.get(Notification, outgoing.id)
    assert row is not None
    if row.attempts >= MAX_ATTEMPTS:
        await fail(session, outgoing.id, f"gave up after {row.attempts} attempts: {error}")
        return
    delay = timedelta(seconds=min(3600, 5 * 2**row.attempts))
    await _set(
        session, outgoing.id, state=NotificationState.PENDING, due_at=now + delay, last_error=error
    )


async def fail(session: AsyncSession, notification_id: int, error: str) -> None:
    await _set(session, notification_id, state=NotificationState.FAILED, last_error=error[:500])


async def cancel(session: AsyncSession, notification_id: int, reason: str) -> None:
    await _set(session, notification_id, state=NotificationState.CANCELLED, last_error=reason)


async def mark_unreachable(session: AsyncSession, person_id: int, now: datetime) -> None:
    """403: the person blocked the bot. Stop sending; summaries show it."""
    await session.execute(
        update(TelegramAccount)
        .where(TelegramAccount.person_id == person_id, TelegramAccount.unreachable_since.is_(None))
        .values(unreachable_since=now)
    )


async def snooze(
    session: AsyncSession, person_id: int, notification_id: int, until: datetime
) -> bool:
    """Move one sent reminder to `until` as a new row; the schedule of others is untouched."""
    original = await session.get(Notification, notification_id)
    if original is None or original.recipient_person_id != person_id:
        return False
    key = f"{original.dedupe_key}:snoozed {until:%Y%m%d%H%M}"
    exists = await session.scalar(select(Notification.id).where(Notification.dedupe_key == key))
    if exists is None:
        session.add(
            Notification(
                dedupe_key=key,
                recipient_person_id=person_id,
                kind=original.kind,
                subject=original.subject,
                subject_id=original.subject_id,
                quiet_hours_exempt=original.quiet_hours_exempt,
                text=original.text,
                reply_markup=original.reply_markup,
                snoozable=original.snoozable,
                due_at=until,
            )
        )
        await session.flush()
    return True

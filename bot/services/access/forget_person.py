"""Erasing a person's personal data on request (152-FZ, art. 21) while keeping the counts.

What goes: the name (a placeholder «Участник удалён (№ id)» takes its place, also inside
notification texts and audit details), position and organisation, the Telegram binding
(user id, chat id, username), their conversation drafts and unhandled updates, unused
invites made for them, notifications not yet sent to them, and the comments they wrote as
event feedback (personal opinions). Their roles are revoked.

What stays: the rows that count work — visits, progress reports, roadmap items, events,
registrations and ratings, audit records — with their texts. Those texts are the project's
records about schools, written in a work role, and the reports are built from them; they
are attributed to the placeholder from now on. This is the documented choice (SECURITY.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    AuditRecord,
    BotStateEntry,
    EventRegistration,
    Invite,
    Notification,
    Person,
    RoleAssignment,
    TelegramAccount,
    utcnow,
)
from bot.models.outbox import NotificationState
from bot.services.access import audit
from bot.services.access.scopes import name_key
from bot.services.errors import DomainError

UNSENT = (NotificationState.PENDING, NotificationState.SENDING)


def placeholder(person_id: int) -> str:
    return texts.forgotten_person(person_id)


@dataclass
class Forgotten:
    person_id: int
    placeholder: str
    unbound: bool = False
    roles_revoked: int = 0
    invites_revoked: int = 0
    notifications_dropped: int = 0
    texts_scrubbed: int = 0
    feedback_blanked: int = 0
    states_dropped: int = 0
    notes: list[str] = field(default_factory=list)


async def find_people(session: AsyncSession, full_name: str) -> list[Person]:
    """People whose name is the given ФИО, in any case (ё = е)."""
    wanted = name_key(full_name)
    people = (await session.scalars(select(Person).order_by(Person.id))).all()
    return [person for person in people if name_key(person.full_name) == wanted]


async def forget_person(
    session: AsyncSession, person_id: int, now: datetime | None = None
) -> Forgotten:
    now = now or utcnow()
    person = await session.get(Person, person_id)
    if person is None:
        raise DomainError("not_found")
    name = person.full_name
    result = Forgotten(person_id=person.id, placeholder=placeholder(person.id))
    if name == result.placeholder:
        result.notes.append("already forgotten")
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.person_id == person.id)
    )
    if account is not None:
        result.states_dropped = await _drop_bot_state(
            session, account.telegram_user_id, account.chat_id
        )
        await session.delete(account)
        result.unbound = True

    person.full_name = result.placeholder
    person.position = None
    person.organisation = None
    person.muted_kinds = []

    revoked = await session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.person_id == person.id, RoleAssignment.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    result.roles_revoked = cast(CursorResult[Any], revoked).rowcount or 0
    invites = await session.execute(
        update(Invite)
        .where(Invite.person_id == person.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    result.invites_revoked = cast(CursorResult[Any], invites).rowcount or 0
    await session.execute(update(Invite).where(Invite.person_id == person.id).values(note=None))

    dropped = await session.execute(
        delete(Notification).where(
            Notification.recipient_person_id == person.id, Notification.state.in_(UNSENT)
        )
    )
    result.notifications_dropped = cast(CursorResult[Any], dropped).rowcount or 0
    blanked = await session.execute(
        update(EventRegistration)
        .where(
            EventRegistration.person_id == person.id,
            EventRegistration.feedback_comment.is_not(None),
        )
        .values(feedback_comment=None)
    )
    result.feedback_blanked = cast(CursorResult[Any], blanked).rowcount or 0
    if name and name != result.placeholder:
        result.texts_scrubbed = await _scrub_name(session, name, result.placeholder)

    await audit.record(
        session,
        actor_person_id=None,
        action="person_forgotten",
        object_type="person",
        object_id=person.id,
        details={"by": "command line"},
    )
    await session.flush()
    return result


async def _drop_bot_state(session: AsyncSession, user_id: int, chat_id: int) -> int:
    """Drafts and conversation states of the account, updates of theirs not yet handled and
    replies to them not yet sent."""
    dropped = 0
    rows = (await session.scalars(select(BotStateEntry))).all()
    for row in rows:
        if _belongs_to(row, user_id, chat_id):
            await session.delete(row)
            dropped += 1
    return dropped


def _belongs_to(row: BotStateEntry, user_id: int, chat_id: int) -> bool:
    if row.namespace == "user_data":
        return row.key == str(user_id)
    if row.namespace.startswith("conversation:"):
        try:
            key = json.loads(row.key)
        except ValueError:
            return False
        return isinstance(key, list) and (user_id in key or chat_id in key)
    if row.namespace == "inbox":
        # An update of theirs, or replies to their chat held until sent (bot/update_work.py).
        return _mentions_user(row.data, user_id) or row.data.get("chat_id") == chat_id
    return False


def _mentions_user(data: Any, user_id: int) -> bool:
    if isinstance(data, dict):
        sender = data.get("from")
        if isinstance(sender, dict) and sender.get("id") == user_id:
            return True
        return any(_mentions_user(value, user_id) for value in data.values())
    if isinstance(data, list):
        return any(_mentions_user(value, user_id) for value in data)
    return False


async def _scrub_name(session: AsyncSession, name: str, replacement: str) -> int:
    """The name inside texts the bot generated: notifications and audit details."""
    scrubbed = 0
    notifications = await session.scalars(
        select(Notification).where(Notification.text.contains(name, autoescape=True))
    )
    for notification in notifications:
        notification.text = notification.text.replace(name, replacement)
        scrubbed += 1
    # JSON may hold the name \u-escaped: compared in Python, not with LIKE.
    records = await session.scalars(select(AuditRecord).where(AuditRecord.details.is_not(None)))
    for record in records:
        cleaned = _replace_in(record.details, name, replacement)
        if cleaned != record.details:
            record.details = cleaned
            scrubbed += 1
    return scrubbed


def _replace_in(data: Any, name: str, replacement: str) -> Any:
    if isinstance(data, str):
        return data.replace(name, replacement)
    if isinstance(data, dict):
        return {key: _replace_in(value, name, replacement) for key, value in data.items()}
    if isinstance(data, list):
        return [_replace_in(value, name, replacement) for value in data]
    return data

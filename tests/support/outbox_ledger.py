"""Counting deliveries across SIGKILLs: each outbox row reaches its chat exactly once, except
at the one documented edge (Telegram had the message, the process died before the "sent"
mark committed; the row is sent again when its claim is reclaimed)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.server import SEND_METHODS
from bot.models import (
    Notification,
    NotificationState,
    Person,
    Role,
    TelegramAccount,
    utcnow,
)
from bot.services.notifications import outbox
from bot.services.notifications.delivery import CLAIM_TIMEOUT
from tests.support.factories import make_municipality, make_person

Message = tuple[int, str]  # (chat, text): what Telegram shows the person


class OutboxLedger:
    def __init__(self, fake: FakeTelegram, factory: SessionFactory) -> None:
        self.fake, self.factory = fake, factory
        self.resent: Counter[Message] = Counter()  # the edge, as met at each kill
        self.in_flight_at_kills = 0  # rows handed to Telegram and not yet marked, over all kills

    async def _rows(self) -> list[tuple[NotificationState, Message | None, bool]]:
        async with self.factory() as session:
            rows = await session.execute(
                select(
                    Notification.state,
                    TelegramAccount.chat_id,
                    Notification.text,
                    Notification.document_bytes.is_not(None),
                    Notification.handed_over_at.is_not(None),
                )
                .join(Person, Person.id == Notification.recipient_person_id)
                .outerjoin(TelegramAccount, TelegramAccount.person_id == Person.id)
            )
            return [
                (state, None if chat is None else (chat, text[:1024] if doc else text), handed)
                for state, chat, text, doc, handed in rows
            ]

    def _delivered(self) -> Counter[Message]:
        return Counter(
            (m.chat_id, m.text or "")
            for m in self.fake.sent
            if m.method in SEND_METHODS and not m.edited
        )

    async def after_kill(self) -> int:
        """With no sender running: account for what Telegram has but the outbox does not know
        it has. Returns how many such messages (the edge) this kill left."""
        rows = await self._rows()
        marked = Counter(m for state, m, _ in rows if m and state is NotificationState.SENT)
        in_flight = Counter(
            m for state, m, handed in rows if m and handed and state is NotificationState.SENDING
        )
        delivered = self._delivered()
        self.in_flight_at_kills += sum(in_flight.values())
        found = 0
        for message in set(marked) | set(in_flight):
            unmarked = delivered[message] - marked[message] - self.resent[message]
            # Negative: a row marked sent that Telegram never got (a lost message).
            # Above in_flight: a second copy no crash explains (a double send).
            assert 0 <= unmarked <= in_flight[message], (
                f"{message}: delivered {delivered[message]}, marked sent {marked[message]}, "
                f"resent at the edge {self.resent[message]}, in flight {in_flight[message]}"
            )
            self.resent[message] += unmarked
            found += unmarked
        return found

    async def assert_exactly_once(self) -> None:
        """At the end, nothing in flight: every marked row delivered once, plus the edge."""
        rows = await self._rows()
        states = Counter(state for state, _, _ in rows)
        assert states[NotificationState.SENDING] == 0, states
        async with self.factory() as session:
            due = await session.scalar(
                select(Notification.id).where(
                    Notification.state == NotificationState.PENDING,
                    Notification.due_at <= utcnow(),
                )
            )
        assert due is None, f"a due row was never sent: {states}"
        marked = Counter(m for state, m, _ in rows if m and state is NotificationState.SENT)
        delivered = self._delivered()
        # Every row's message, whatever its state: a failed or cancelled row sends nothing.
        known = {m for _, m, _ in rows if m}
        wrong = {
            message: (delivered[message], marked[message], self.resent[message])
            for message in known | set(self.resent)
            if delivered[message] != marked[message] + self.resent[message]
        }
        assert not wrong, f"(delivered, rows sent, documented resends): {wrong}"

    async def age_claims(self) -> None:
        """As if CLAIM_TIMEOUT passed: every claim left by a dead sender may be taken again."""
        async with self.factory() as session:
            claimed = await session.scalars(
                select(Notification).where(Notification.state == NotificationState.SENDING)
            )
            for row in claimed:
                assert row.claimed_at is not None
                row.claimed_at -= CLAIM_TIMEOUT
                if row.handed_over_at is not None:
                    row.handed_over_at -= CLAIM_TIMEOUT
            await session.commit()


async def queue_reminders(
    factory: SessionFactory, fake: FakeTelegram, prefix: str, count: int, timezone: str
) -> list[str]:
    """`count` reminders due since yesterday, each to a new person with a Telegram chat."""
    keys = [f"{prefix}:{n}" for n in range(count)]
    people = []
    async with factory() as session:
        city = await make_municipality(session, timezone=timezone)
        for key in keys:
            person = await make_person(session, Role.CURATOR, municipality=city)
            # Only the queued reminders may reach them: on a Monday or Tuesday the digest
            # sweep would otherwise add a weekly digest per person to what Telegram gets.
            person.muted_kinds = ["digest"]
            people.append(person.id)
            await outbox.enqueue(
                session,
                dedupe_key=key,
                recipient_person_id=person.id,
                kind="test",
                text=f"Напоминание {key}",
                due_at=utcnow() - timedelta(days=1),  # due, whatever the hour
            )
        await session.commit()
        chats = await session.scalars(
            select(TelegramAccount.chat_id).where(TelegramAccount.person_id.in_(people))
        )
        for chat_id in chats:
            fake.user(chat_id)
    return keys

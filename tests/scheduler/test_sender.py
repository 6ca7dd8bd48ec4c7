"""The outbox sender against the fake Bot API with Telegram's real pace enforced."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from telegram import Bot
from telegram.ext import ExtBot

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.models import Notification, Role, TelegramAccount
from bot.rate_limit import RollingWindowRateLimiter
from bot.scheduler.pacing import Pacer
from bot.scheduler.sender import OutboxSender
from bot.services.notifications import delivery, outbox
from bot.services.notifications.delivery import CLAIM_TIMEOUT, UNSENT_CLAIM_TIMEOUT
from tests.support.factories import make_municipality, make_person

TOKEN = "777000:SENDER-TEST-TOKEN"
NOON = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def limited_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, rate_limits=True) as fake:
        yield fake


@pytest.fixture
async def client(limited_fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=limited_fake.base_url) as bot:
        yield bot


async def _people(factory: SessionFactory, fake: FakeTelegram, count: int) -> list[int]:
    async with factory() as session:
        city = await make_municipality(session)
        ids = []
        for _ in range(count):
            person = await make_person(session, Role.CURATOR, municipality=city)
            ids.append(person.id)
        await session.commit()
        accounts = (await session.scalars(select(TelegramAccount))).all()
    for account in accounts:
        fake.user(account.chat_id)
    return ids


async def _queue(factory: SessionFactory, person_ids: list[int], per_person: int = 1) -> None:
    async with factory() as session:
        for person_id in person_ids:
            for n in range(per_person):
                await outbox.enqueue(
                    session,
                    dedupe_key=f"test:{person_id}:{n}",
                    recipient_person_id=person_id,
                    kind="test",
                    text=f"Напоминание {person_id}/{n}",
                    due_at=NOON,
                )
        await session.commit()


async def _states(factory: SessionFactory) -> Counter[str]:
    async with factory() as session:
        rows = await session.execute(
            select(Notification.state, func.count()).group_by(Notification.state)
        )
        return Counter({state.value: count for state, count in rows})


@pytest.mark.slow
async def test_three_hundred_notifications_all_once_and_no_429(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 100)
    await _queue(session_factory, people, per_person=3)  # each person thrice: 1/s per chat
    sender = OutboxSender(client, session_factory, Clock(NOON), batch_size=100)
    report = await sender.drain()
    assert report.sent == 300
    assert limited_fake.stats["429"] == 0
    texts = Counter(message.text for message in limited_fake.sent)
    assert len(texts) == 300 and set(texts.values()) == {1}
    assert await _states(session_factory) == Counter({"sent": 300})


@pytest.mark.slow
async def test_a_fan_out_and_replies_at_once_share_one_pace_and_draw_no_429(
    session_factory: SessionFactory, limited_fake: FakeTelegram
) -> None:
    """The bot as it runs: the sender and the replies go through one ExtBot and one Pacer."""
    people = await _people(session_factory, limited_fake, 150)
    await _queue(session_factory, people)
    async with session_factory() as session:  # the same people also talk to the bot meanwhile
        chats = sorted((await session.scalars(select(TelegramAccount.chat_id))).all())
    pacer = Pacer()
    limiter = RollingWindowRateLimiter(pacer)
    async with ExtBot(TOKEN, base_url=limited_fake.base_url, rate_limiter=limiter) as bot:
        sender = OutboxSender(bot, session_factory, Clock(NOON), pacer=pacer, batch_size=50)
        replies = [bot.send_message(chat, f"ответ {chat}") for chat in chats[:60]]
        report, *_ = await asyncio.gather(sender.drain(), *replies)
        while report.sent < 150:  # a reply may have just taken a person's second: next tick
            report.sent += (await sender.drain()).sent
    assert limited_fake.stats["429"] == 0
    assert len(limited_fake.sent) == 210


async def test_retry_after_is_honoured(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 5)
    await _queue(session_factory, people)
    limited_fake.inject_fault("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    sender = OutboxSender(client, session_factory, Clock(NOON))
    first = await sender.drain()
    assert first.rate_limited == 1 and first.sent == 0
    started = asyncio.get_running_loop().time()
    second = await sender.drain()
    assert second.sent == 5
    assert asyncio.get_running_loop().time() - started >= 0.9  # waited as told
    assert len(limited_fake.sent) == 5


async def test_blocked_user_is_marked_and_skipped(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 2)
    await _queue(session_factory, people, per_person=2)
    async with session_factory() as session:
        blocked_chat = (
            await session.scalars(
                select(TelegramAccount.chat_id).where(TelegramAccount.person_id == people[0])
            )
        ).one()
    limited_fake.block(limited_fake.user(blocked_chat))
    await OutboxSender(client, session_factory, Clock(NOON)).drain()
    async with session_factory() as session:
        account = (
            await session.scalars(
                select(TelegramAccount).where(TelegramAccount.person_id == people[0])
            )
        ).one()
    assert account.unreachable_since == NOON
    assert await _states(session_factory) == Counter({"sent": 2, "failed": 2})
    assert limited_fake.stats["sendMessage"] == 3  # the second row to the blocker never went out


async def test_quiet_hours_postpone_to_morning(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 1)
    await _queue(session_factory, people)
    night = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 22:00 in Yekaterinburg
    clock = Clock(night)
    report = await OutboxSender(client, session_factory, clock).drain()
    assert report.postponed == 1 and limited_fake.sent == []
    async with session_factory() as session:
        due = (await session.scalars(select(Notification.due_at))).one()
    assert due == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 08:00 local
    clock.now = due
    assert (await OutboxSender(client, session_factory, clock).drain()).sent == 1


class CrashingPacer(Pacer):
    """Paces normally, then hangs before the 11th send: where the test kills the process."""

    def __init__(self, crash_after: int) -> None:
        super().__init__()
        self.crash_after = crash_after
        self.sends = 0
        self.reached = asyncio.Event()

    async def wait(self, chat_id: int) -> None:
        if self.sends == self.crash_after:
            self.reached.set()
            await asyncio.sleep(3600)
        self.sends += 1
        await super().wait(chat_id)


async def test_a_crash_mid_batch_then_restart_delivers_the_rest_once_and_soon(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 40)
    await _queue(session_factory, people)
    clock = Clock(NOON)
    pacer = CrashingPacer(crash_after=10)
    task = asyncio.create_task(
        OutboxSender(client, session_factory, clock, pacer=pacer, batch_size=40).drain()
    )
    await asyncio.wait_for(pacer.reached.wait(), 30)
    task.cancel()  # the process dies between two sends of a batch
    with pytest.raises(asyncio.CancelledError):
        await task
    states = await _states(session_factory)
    assert states["sent"] == 10 and states["sending"] == 30  # claimed, not yet sent
    # None of the 30 was offered to Telegram: the next sender need not wait out the
    # claim timeout meant for a message that may have gone out.
    clock.now = NOON + UNSENT_CLAIM_TIMEOUT + timedelta(seconds=1)
    # A restart takes more than a second: the new process's pacer cannot know the rolling
    # second of the dead one's sends, and Telegram's window has moved on by then.
    limited_fake.clock = lambda: time.monotonic() + 1.0
    await OutboxSender(client, session_factory, clock, batch_size=40).drain()
    texts = Counter(message.text for message in limited_fake.sent)
    assert len(texts) == 40 and set(texts.values()) == {1}
    assert await _states(session_factory) == Counter({"sent": 40})
    assert limited_fake.stats["429"] == 0


async def test_a_crash_with_a_message_in_flight_resends_only_that_one_after_the_timeout(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    await _queue(session_factory, await _people(session_factory, limited_fake, 5))
    limited_fake.inject_delay("sendMessage", 1.0)  # Telegram takes the first one slowly
    clock = Clock(NOON)
    task = asyncio.create_task(OutboxSender(client, session_factory, clock).drain())
    await limited_fake.wait_for(lambda: limited_fake.stats["sendMessage"] >= 1)
    task.cancel()  # the process dies waiting for Telegram's answer
    with pytest.raises(asyncio.CancelledError):
        await task
    await limited_fake.wait_for(lambda: len(limited_fake.sent) == 1)  # Telegram got it
    clock.now = NOON + UNSENT_CLAIM_TIMEOUT + timedelta(seconds=1)
    assert (await OutboxSender(client, session_factory, clock).drain()).sent == 4
    assert await _states(session_factory) == Counter({"sent": 4, "sending": 1})
    clock.now = NOON + CLAIM_TIMEOUT + timedelta(seconds=1)
    limited_fake.clock = lambda: time.monotonic() + 1.0  # the restart took a second at least
    assert (await OutboxSender(client, session_factory, clock).drain()).sent == 1
    # The documented at-least-once edge, and only for the message that was in flight.
    texts = Counter(message.text for message in limited_fake.sent)
    assert sorted(texts.values()) == [1, 1, 1, 1, 2]
    assert texts[limited_fake.sent[0].text] == 2


async def test_one_person_many_messages_are_paced(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 1)
    await _queue(session_factory, people, per_person=4)
    await OutboxSender(client, session_factory, Clock(NOON)).drain()
    assert len(limited_fake.sent) == 4
    assert limited_fake.stats["429"] == 0


async def test_server_errors_and_dropped_connections_are_retried_with_backoff(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 1)
    await _queue(session_factory, people)
    limited_fake.inject_fault("sendMessage", 502, "Bad Gateway")
    clock = Clock(NOON)
    sender = OutboxSender(client, session_factory, clock)
    first = await sender.drain()
    assert first.retried == 1 and first.sent == 0 and limited_fake.sent == []
    async with session_factory() as session:
        row = (await session.scalars(select(Notification))).one()
    assert row.state.value == "pending" and "network" in (row.last_error or "")
    first_delay = row.due_at - NOON
    assert timedelta(seconds=5) <= first_delay <= timedelta(minutes=1)
    assert (await sender.drain()).handled == 0  # not before its back-off is over
    limited_fake.drop_connection("sendMessage")
    clock.now = row.due_at
    assert (await sender.drain()).retried == 1
    async with session_factory() as session:
        row = (await session.scalars(select(Notification))).one()
    assert row.due_at - clock.now > first_delay  # the wait grows with each attempt
    clock.now = row.due_at
    assert (await sender.drain()).sent == 1
    assert len(limited_fake.sent) == 1
    assert await _states(session_factory) == Counter({"sent": 1})


async def test_a_fresh_claim_of_another_sender_is_left_alone(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 3)
    await _queue(session_factory, people)
    async with session_factory() as session:
        taken = await delivery.claim_due(session, NOON, limit=2, worker="other")
        assert await delivery.hand_over(session, taken[0].id, NOON, "other")
        await session.commit()
    assert len(taken) == 2
    clock = Clock(NOON + UNSENT_CLAIM_TIMEOUT - timedelta(seconds=1))
    assert (await OutboxSender(client, session_factory, clock).drain()).sent == 1
    assert await _states(session_factory) == Counter({"sent": 1, "sending": 2})
    # Later the one it never handed to Telegram is taken over; the one in flight is not.
    clock.now = NOON + UNSENT_CLAIM_TIMEOUT + timedelta(seconds=1)
    assert (await OutboxSender(client, session_factory, clock).drain()).sent == 1
    assert await _states(session_factory) == Counter({"sent": 2, "sending": 1})


async def test_a_sender_whose_claim_was_taken_over_does_not_send(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    await _queue(session_factory, await _people(session_factory, limited_fake, 1))
    async with session_factory() as session:
        (slow,) = await delivery.claim_due(session, NOON, limit=1, worker="slow")
        await session.commit()
    later = NOON + UNSENT_CLAIM_TIMEOUT + timedelta(seconds=1)
    async with session_factory() as session:
        (taken,) = await delivery.claim_due(session, later, limit=1, worker="standby")
        await session.commit()
    assert taken.id == slow.id
    async with session_factory() as session:
        assert not await delivery.hand_over(session, slow.id, later, "slow")
        assert await delivery.hand_over(session, taken.id, later, "standby")


async def test_the_hour_before_an_evening_event_is_not_held_for_morning(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    people = await _people(session_factory, limited_fake, 1)
    async with session_factory() as session:
        for key, exempt in (
            (f"event 1:remind:T-1h:person {people[0]}", True),
            (f"deadline:item 1:T-0:person {people[0]}", False),
        ):
            await outbox.enqueue(
                session,
                dedupe_key=key,
                recipient_person_id=people[0],
                kind="event",
                text=key,
                due_at=NOON,
                quiet_hours_exempt=exempt,
            )
        await session.commit()
    night = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 21:30 in Yekaterinburg
    report = await OutboxSender(client, session_factory, Clock(night)).drain()
    assert (report.sent, report.postponed) == (1, 1)
    assert [m.text for m in limited_fake.sent] == [f"event 1:remind:T-1h:person {people[0]}"]


async def test_a_stop_finishes_the_message_in_flight_and_hands_the_rest_back(
    session_factory: SessionFactory, limited_fake: FakeTelegram, client: Bot
) -> None:
    await _queue(session_factory, await _people(session_factory, limited_fake, 10))
    limited_fake.inject_delay("sendMessage", 1.0)  # the first message is slow to go out
    sender = OutboxSender(client, session_factory, Clock(NOON))
    draining = asyncio.create_task(sender.drain())
    await limited_fake.wait_for(lambda: limited_fake.stats["sendMessage"] >= 1)
    sender.request_stop()
    report = await asyncio.wait_for(draining, 5)
    assert report.sent == 1  # the one in flight was finished and recorded
    assert await _states(session_factory) == {"sent": 1, "pending": 9}  # none left `sending`
    again = await OutboxSender(client, session_factory, Clock(NOON)).drain()
    assert again.sent == 9  # due at once for the next leader, no claim timeout to wait out
    assert len(limited_fake.sent) == 10  # every reminder exactly once
    assert len({m.chat_id for m in limited_fake.sent}) == 10

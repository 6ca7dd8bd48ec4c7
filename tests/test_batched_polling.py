"""The next batch is fetched when a lane is free, not when every update in hand is done."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot import inbox
from bot.db import SessionFactory
from bot.inbox import BatchedPolling
from bot.persistence import DatabasePersistence

LANES = 3


class _Telegram:
    """getUpdates answering at once with the next update id, counting the calls."""

    def __init__(self) -> None:
        self.polls = 0

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        self.polls += 1
        return (Update(update_id=100 + self.polls),)


@pytest.fixture
def polling(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> tuple[BatchedPolling, DatabasePersistence, _Telegram]:
    # Long enough that a test passing only by the hold's end would time out instead.
    monkeypatch.setattr(inbox, "HOLD_SECONDS", 60.0)
    persistence = DatabasePersistence(session_factory)
    persistence.room_from = LANES
    telegram = _Telegram()
    return BatchedPolling(telegram, persistence), persistence, telegram  # type: ignore[arg-type]


async def test_a_slow_update_in_hand_does_not_hold_the_next_fetch(
    polling: tuple[BatchedPolling, DatabasePersistence, _Telegram],
) -> None:
    batched, persistence, telegram = polling
    await persistence.record_batch([(1, {"update_id": 1})])  # in hand, and stays there

    fetched = await asyncio.wait_for(batched.get_updates(timeout=10), 10)

    assert telegram.polls == 1
    assert [update.update_id for update in fetched] == [101]
    assert persistence.is_recorded(101)  # written down before it is queued


async def test_with_every_lane_busy_the_fetch_waits_for_one_to_be_free(
    polling: tuple[BatchedPolling, DatabasePersistence, _Telegram],
) -> None:
    batched, persistence, telegram = polling
    await persistence.record_batch([(n, {"update_id": n}) for n in range(1, LANES + 1)])

    fetch = asyncio.create_task(batched.get_updates(timeout=10))
    for _ in range(5):
        await asyncio.sleep(0)  # let the fetch run as far as it may
    assert telegram.polls == 0 and not fetch.done()

    persistence.mark_handled(2)
    fetched = await asyncio.wait_for(fetch, 10)
    assert telegram.polls == 1
    assert [update.update_id for update in fetched] == [101]


async def test_without_lanes_the_fetch_waits_until_everything_is_handled(
    polling: tuple[BatchedPolling, DatabasePersistence, _Telegram],
) -> None:
    batched, persistence, telegram = polling
    persistence.room_from = 1  # the default: one update at a time
    await persistence.record_batch([(1, {"update_id": 1}), (2, {"update_id": 2})])

    fetch = asyncio.create_task(batched.get_updates(timeout=10))
    persistence.mark_handled(1)
    for _ in range(5):
        await asyncio.sleep(0)
    assert telegram.polls == 0

    persistence.mark_handled(2)
    await asyncio.wait_for(fetch, 10)
    assert telegram.polls == 1

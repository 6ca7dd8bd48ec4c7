"""The fake Bot API counts Telegram's limits in rolling windows, as the real server does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.fake_bot_api import FakeTelegram

TOKEN = "515151:ROLLING-WINDOW-TESTS"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, rate_limits=True) as server:
        server.clock = FakeClock()
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


def _at(fake: FakeTelegram, seconds: float) -> None:
    fake.clock.now = 1000.0 + seconds  # type: ignore[attr-defined]


async def _send(bot: Bot, chat_id: int) -> None:
    await bot.send_message(chat_id, f"для {chat_id}")


async def _refused(bot: Bot, chat_id: int) -> int:
    with pytest.raises(RetryAfter) as refusal:
        await _send(bot, chat_id)
    value = refusal.value.retry_after
    return int(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def test_thirty_in_any_rolling_second_overall(fake: FakeTelegram, bot: Bot) -> None:
    users = [fake.user(100 + n).id for n in range(80)]
    _at(fake, 0.0)
    for chat in users[:15]:
        await _send(bot, chat)
    _at(fake, 0.9)
    for chat in users[15:30]:
        await _send(bot, chat)
    _at(fake, 0.95)
    assert await _refused(bot, users[30]) == 1
    _at(fake, 1.1)  # the first 15 left the window: 15 more fit, not one more
    for chat in users[30:45]:
        await _send(bot, chat)
    # A token bucket (30 at once, 30 a second) would take this one: 0.6 s refilled 18 tokens.
    _at(fake, 1.5)
    assert await _refused(bot, users[45]) == 1
    _at(fake, 1.9)  # those sent at 0.9 leave the window exactly now
    for chat in users[45:60]:
        await _send(bot, chat)
    assert fake.stats["429"] == 2
    assert len(fake.sent) == 60  # refused messages were not delivered


async def test_one_a_second_to_a_private_chat(fake: FakeTelegram, bot: Bot) -> None:
    anna, boris = fake.user(201).id, fake.user(202).id
    _at(fake, 0.0)
    await _send(bot, anna)
    await _send(bot, boris)  # another chat is not held up
    _at(fake, 0.99)
    assert await _refused(bot, anna) == 1
    async with httpx.AsyncClient() as raw:  # the wire format of the real server's refusal
        answer = await raw.post(
            f"{fake.base_url}{TOKEN}/sendMessage", json={"chat_id": anna, "text": "ещё"}
        )
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    _at(fake, 1.0)
    await _send(bot, anna)
    assert [m.chat_id for m in fake.sent] == [anna, boris, anna]


async def test_twenty_a_minute_to_a_group(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.user(-1001234).id
    for n in range(20):
        _at(fake, n * 1.5)
        await _send(bot, group)
    _at(fake, 40.0)
    assert await _refused(bot, group) == 20  # until the first leaves the minute
    _at(fake, 60.0)
    await _send(bot, group)
    _at(fake, 60.5)
    assert await _refused(bot, group) == 1
    assert fake.stats["429"] == 2

"""Flood control holds when Telegram fails to take its «slow down» message."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from tests.support.faults import BLOCKED
from tests.support.harness import BotHarness


@pytest.fixture
async def strict_bot(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(fake_telegram, session_factory, database_url, flood_burst=2)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.mark.parametrize(
    ("code", "description"), [(502, "Bad Gateway"), (403, BLOCKED)], ids=["502", "403"]
)
async def test_a_throttled_update_stays_stopped_when_the_warning_fails(
    strict_bot: BotHarness, code: int, description: str
) -> None:
    bot = strict_bot
    user = bot.stranger()
    assert texts.STRANGER_WELCOME in (await bot.send(user, "/help")).text
    await bot.send(user, "/help")
    bot.fake.inject_fault("sendMessage", code, description, times=3)
    throttled = await bot.send(user, "/help")
    assert throttled.messages == []  # neither the warning, nor the help, nor «не сохранено»
    assert bot.fake.stats["injected_faults"] <= 2  # the warning, maybe once more; no help

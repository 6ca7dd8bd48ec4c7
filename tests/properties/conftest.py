"""The bot for property tests: one bot takes every example of a test, so a single user
sends thousands of updates in seconds; flood control (tested in tests/services/test_flood.py)
would rightly stop answering them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.harness import BotHarness


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(
        fake_telegram,
        session_factory,
        database_url,
        admin_ids=[ADMIN_TELEGRAM_ID],
        flood_burst=1_000_000,
    )
    await harness.start()
    yield harness
    await harness.stop()
    assert fake_telegram.errors == [], fake_telegram.errors

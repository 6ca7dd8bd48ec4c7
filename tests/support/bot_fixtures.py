"""pytest fixtures for end-to-end tests: the fake Bot API and the bot polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from tests.support.error_log import ErrorLog
from tests.support.factories import load_demo_data

if TYPE_CHECKING:  # imported by the `bot` fixture: a run of service tests never builds the app
    from tests.support.harness import BotHarness

FAKE_TOKEN = "123456789:TEST-TOKEN-FOR-THE-FAKE-API"
BOT_USERNAME = "shnor500_bot"
ADMIN_TELEGRAM_ID = 4_000_001
# The demo's clock: a Tuesday, 12:00 in Kamensk-Uralsky (Yekaterinburg time).
DEMO_NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(token=FAKE_TOKEN, bot_username=BOT_USERNAME)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> AsyncIterator[BotHarness]:
    from tests.support.harness import BotHarness

    harness = BotHarness(
        fake_telegram, session_factory, database_url, admin_ids=[ADMIN_TELEGRAM_ID]
    )
    await harness.start()
    yield harness
    await harness.stop()
    # Whatever the flow, the bot must never have sent something Telegram refuses.
    assert fake_telegram.errors == [], fake_telegram.errors


@pytest.fixture
def logged_errors() -> Iterator[ErrorLog]:
    """ERROR records of any logger during the test: where a handler's exception ends up."""
    with ErrorLog().installed() as errors:
        yield errors


@pytest.fixture
async def demo(bot: BotHarness, session_factory: SessionFactory) -> BotHarness:
    """The bot over the Kamensk-Uralsky 2022 demo data, its clock at `DEMO_NOW`."""
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(DEMO_NOW)
    return bot

"""«Открыть панель» under /summary and the chat's menu button: coordinators, when
MINIAPP_URL is set; nobody otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import ConfigurationError, load_settings
from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.seed.activity import load_demo_activity
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID, DEMO_NOW
from tests.support.factories import load_demo_data
from tests.support.harness import BotHarness
from tests.support.personas import PLOTNIKOVA, SMIRNOVA

APP_URL = "https://bot.example.ru/app/"


async def _demo_bot(
    fake: FakeTelegram, session_factory: SessionFactory, database_url: str, **overrides: object
) -> AsyncIterator[BotHarness]:
    async with session_factory() as session:
        await load_demo_data(session)
        await load_demo_activity(session, now=DEMO_NOW)
        await session.commit()
    harness = BotHarness(
        fake,
        session_factory,
        database_url,
        admin_ids=[ADMIN_TELEGRAM_ID],
        settings_overrides=overrides,
    )
    await harness.start()
    harness.clock.set(DEMO_NOW)
    yield harness
    await harness.stop()
    assert fake.errors == [], fake.errors


def _web_apps(markup: dict | None) -> list[tuple[str, str]]:
    return [
        (button["text"], button["web_app"]["url"])
        for row in (markup or {}).get("inline_keyboard", [])
        for button in row
        if "web_app" in button
    ]


async def test_a_coordinator_gets_the_panel_button_under_the_summary(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> None:
    async for bot in _demo_bot(fake_telegram, session_factory, database_url, miniapp_url=APP_URL):
        coordinator = await bot.login(PLOTNIKOVA)
        reply = await bot.send(coordinator, "/summary")
        photo = reply.messages[-1]
        assert photo.photo_bytes
        assert _web_apps(photo.reply_markup) == [("Открыть панель", APP_URL)]
        menu = fake_telegram.menu_buttons[coordinator.id]
        assert menu == {"type": "web_app", "text": "Панель", "web_app": {"url": APP_URL}}
        # A curator's /summary has no panel button (the app is the coordinators').
        curator = await bot.login(SMIRNOVA)
        reply = await bot.send(curator, "/summary")
        assert all(not _web_apps(message.reply_markup) for message in reply.messages)
        assert curator.id not in fake_telegram.menu_buttons


async def test_without_miniapp_url_there_is_no_panel_button(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> None:
    async for bot in _demo_bot(fake_telegram, session_factory, database_url):
        coordinator = await bot.login(PLOTNIKOVA)
        reply = await bot.send(coordinator, "/summary")
        assert all(not _web_apps(message.reply_markup) for message in reply.messages)
        assert fake_telegram.menu_buttons == {}


def test_the_app_url_must_be_https() -> None:
    with pytest.raises(ConfigurationError, match="MINIAPP_URL"):
        load_settings(_env_file=None, miniapp_url="http://bot.example.ru/app/")

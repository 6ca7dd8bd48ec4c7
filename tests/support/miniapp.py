"""The Mini App on a real aiohttp server on 127.0.0.1 over the living demo, and signed
init data for its people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.db import SessionFactory
from bot.miniapp.init_data import init_data_for
from bot.miniapp.server import MiniApp
from bot.models import Role
from bot.seed.activity import load_demo_activity
from tests.support.bot_fixtures import DEMO_NOW, FAKE_TOKEN
from tests.support.factories import (
    bind_account,
    load_demo_data,
    make_municipality,
    make_person,
    person_named,
)
from tests.support.personas import COORDINATOR, CURATOR

COORDINATOR_ID = 7_100_001
CURATOR_ID = 7_100_002
OUTSIDER_ID = 7_100_003  # a coordinator of another municipality
STRANGER_ID = 7_100_004  # nobody bound


@dataclass
class Dashboard:
    client: TestClient
    base_url: str
    now: datetime

    def init_data(self, user_id: int, token: str = FAKE_TOKEN, at: datetime | None = None) -> str:
        return init_data_for(user_id, token, at or self.now, first_name="Тамара")

    def auth(self, user_id: int, **options: object) -> dict[str, str]:
        return {"Authorization": "tma " + self.init_data(user_id, **options)}  # type: ignore[arg-type]


async def load_dashboard_demo(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        await load_demo_data(session)
        await load_demo_activity(session, now=DEMO_NOW)
        await bind_account(session, await person_named(session, COORDINATOR), COORDINATOR_ID)
        await bind_account(session, await person_named(session, CURATOR), CURATOR_ID)
        elsewhere = await make_municipality(session)
        await make_person(
            session, Role.MUNICIPAL_COORDINATOR, municipality=elsewhere, telegram_id=OUTSIDER_ID
        )
        await session.commit()


async def start_dashboard(
    session_factory: SessionFactory, now: datetime = DEMO_NOW
) -> AsyncIterator[Dashboard]:
    """The bot's own server (BotServer, as in polling mode with MINIAPP_PORT) with the app."""
    miniapp = MiniApp(session_factory, FAKE_TOKEN, "Asia/Yekaterinburg", now=lambda: now)
    app = web.Application()
    miniapp.install(app)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Dashboard(client, str(client.make_url("/app/")), now)

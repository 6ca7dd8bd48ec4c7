"""The Mini App over the living demo, on a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db import SessionFactory
from tests.support.miniapp import Dashboard, load_dashboard_demo, start_dashboard


@pytest.fixture
async def dashboard(session_factory: SessionFactory) -> AsyncIterator[Dashboard]:
    await load_dashboard_demo(session_factory)
    async for running in start_dashboard(session_factory):
        yield running

"""A pooled PostgreSQL connection the server has ended is replaced, not handed to an update
(bot/db.py `_replace_closed`, which stands in for `pool_pre_ping`'s three round trips)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_session_factory, unit_of_work
from tests.support.databases import selected_databases

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [d for d in selected_databases() if d == "postgresql"], indirect=True
)


async def _backend(engine: AsyncEngine) -> tuple[int, asyncpg.Connection]:
    """The server process of the connection a unit of work got, and that connection."""
    async with unit_of_work(make_session_factory(engine)) as session:
        pid = int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        raw = await (await session.connection()).get_raw_connection()
        return pid, raw.driver_connection


async def _closed(connection: asyncpg.Connection, limit: float = 30.0) -> None:
    """Until asyncpg has read the server's goodbye (it arrives on the idle socket)."""
    deadline = asyncio.get_running_loop().time() + limit
    while not connection.is_closed():
        assert asyncio.get_running_loop().time() < deadline, "the server's close never arrived"
        await asyncio.sleep(0.01)


@POSTGRES_ONLY
async def test_a_connection_the_server_ended_is_replaced_at_checkout(
    engine: AsyncEngine, database_url: str
) -> None:
    first_pid, pooled = await _backend(engine)
    # As a restart of PostgreSQL does to every connection: the backend is ended.
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first_pid)
    finally:
        await admin.close()
    await _closed(pooled)
    # The next unit of work gets a live connection and its statement succeeds.
    second_pid, _ = await _backend(engine)
    assert second_pid != first_pid
    assert pooled.is_closed()

"""SQLite statements on the loop's thread (bot/sqlite_inline.py): waiting for the write lock
never holds the loop, a wait has an end, and long work goes to aiosqlite's thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import sqlite_inline
from bot.db import make_engine, make_session_factory
from bot.sqlite_inline import InlineConnection, off_loop


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "inline.db"


@pytest.fixture
async def engine(path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE marks (n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def holder(path: Path, engine: AsyncEngine) -> sqlite3.Connection:
    """Another writer (as another process would be) holding the write lock."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO marks VALUES (1)")
    return connection


@pytest.fixture
def refusals(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set when a statement was refused with SQLITE_BUSY and is waiting to try again."""
    refused = asyncio.Event()
    real_wait = sqlite_inline._wait

    async def noting(delay: float) -> None:
        refused.set()
        await real_wait(delay)

    monkeypatch.setattr(sqlite_inline, "_wait", noting)
    return refused


async def _mark(engine: AsyncEngine, n: int) -> None:
    async with make_session_factory(engine)() as session:
        await session.execute(text("INSERT INTO marks VALUES (:n)"), {"n": n})
        await session.commit()


async def _marks(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT n FROM marks ORDER BY n"))).scalars())


async def test_a_write_waiting_for_the_lock_leaves_the_loop_free(
    engine: AsyncEngine, holder: sqlite3.Connection, refusals: asyncio.Event
) -> None:
    writer = asyncio.create_task(_mark(engine, 2))
    # The writer was refused and waits; this coroutine running at all means the loop is free.
    await asyncio.wait_for(refusals.wait(), 10)
    assert not writer.done()
    holder.execute("COMMIT")
    await asyncio.wait_for(writer, 10)
    assert await _marks(engine) == [1, 2]


async def test_a_write_gives_up_after_the_busy_timeout_having_written_nothing(
    engine: AsyncEngine,
    holder: sqlite3.Connection,
    refusals: asyncio.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_TIMEOUT", 0.05)
    with pytest.raises(exc.OperationalError, match="database is locked"):
        await asyncio.wait_for(_mark(engine, 2), 10)
    assert refusals.is_set()
    holder.execute("COMMIT")
    assert await _marks(engine) == [1]


async def test_two_sessions_of_one_bot_write_in_turn(
    engine: AsyncEngine, refusals: asyncio.Event
) -> None:
    """One session holds the write lock across an await; the other waits for it, not the
    loop, and both land."""
    factory = make_session_factory(engine)
    second_refused = refusals
    async with factory() as first:
        await first.execute(text("INSERT INTO marks VALUES (1)"))
        second = asyncio.create_task(_mark(engine, 2))
        await asyncio.wait_for(second_refused.wait(), 10)
        await first.commit()
    await asyncio.wait_for(second, 10)
    assert await _marks(engine) == [1, 2]


def _driver(raw: object) -> InlineConnection:
    driver = getattr(raw, "driver_connection", None)
    assert isinstance(driver, InlineConnection)
    return driver


async def test_after_a_slow_statement_the_rest_of_the_work_runs_in_the_thread(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    through_thread: list[object] = []
    real_execute = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: object, *args: object) -> object:
        through_thread.append(fn)
        return await real_execute(self, fn, *args)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    async with make_session_factory(engine)() as session:
        await session.execute(text("SELECT 1"))
        driver = _driver(await (await session.connection()).get_raw_connection())
        assert not driver.off_loop and through_thread == []
        monkeypatch.setattr(sqlite_inline, "SLOW_SECONDS", -1.0)  # every call is "slow"
        await session.execute(text("SELECT 2"))
        assert driver.off_loop
        monkeypatch.setattr(sqlite_inline, "SLOW_SECONDS", 10.0)
        assert (await session.execute(text("SELECT 3"))).scalar() == 3
        assert through_thread, "a statement after the slow one went through the thread"
    # Checked in to the pool: the next unit of work starts on the loop again.
    assert not driver.off_loop


async def test_off_loop_sends_a_sessions_reads_to_the_thread_until_check_in(
    engine: AsyncEngine,
) -> None:
    async with make_session_factory(engine)() as session:
        await off_loop(session)
        driver = _driver(await (await session.connection()).get_raw_connection())
        assert driver.off_loop
        await session.execute(text("INSERT INTO marks VALUES (7)"))
        await session.commit()
    assert not driver.off_loop
    assert await _marks(engine) == [7]

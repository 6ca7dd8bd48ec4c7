"""SQLite on the event loop's own thread, with a busy wait that does not block the loop.

aiosqlite runs every call — each statement, fetch and commit — in a thread of its own and
hands the result back to the loop: about 26 hand-offs per update, each a thread wake-up, a
GIL hand-over and a loop wake-up. A profile of `bench.updates` put a fifth of the bot's
CPU there, for statements that take microseconds. `InlineConnection` is aiosqlite's
connection (so SQLAlchemy's aiosqlite dialect drives it unchanged) whose calls run inline.

Two things the thread gave for free are kept:
- **Waiting for the write lock.** SQLite's own busy handler sleeps in the calling thread; on
  the loop's thread that would freeze every chat, and the update holding the lock could
  never finish. These connections have no busy timeout: a statement refused with
  SQLITE_BUSY is tried again after an `asyncio.sleep` (backing off to 50 ms), for up to
  `BUSY_TIMEOUT` seconds — what `PRAGMA busy_timeout` gave. A refused statement has
  changed nothing, so trying it again is safe (and SQLite documents the same for COMMIT).
- **Long queries off the loop.** A unit of work whose statement held the loop longer than
  `SLOW_SECONDS` runs the rest of its statements in aiosqlite's thread, until its
  connection goes back to the pool; code that knows it reads a lot (a whole country's
  rows for a file) says so first with `off_loop(session)`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncSession

_LOGGER = logging.getLogger(__name__)

BUSY_TIMEOUT = 30.0  # seconds a statement waits for another writer, as PRAGMA busy_timeout did
SLOW_SECONDS = 0.01  # a statement holding the loop longer moves its unit of work to the thread
_FIRST_PAUSE = 0.001
_LONGEST_PAUSE = 0.05
# Calls that a SQLITE_BUSY refusal leaves undone and that can simply be made again.
_RETRIED_ON_BUSY = frozenset({"execute", "executemany", "commit"})
_wait = asyncio.sleep  # the pause before trying a refused statement again (tests watch it)


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, minus the thread hop for calls that do not need it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # True: calls go through aiosqlite's thread until the connection is checked in.
        self.off_loop = False

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        pause = _FIRST_PAUSE
        while True:
            try:
                return await self._run(fn, *args, **kwargs)
            except sqlite3.OperationalError as error:
                if not _retryable(fn, error):
                    raise
                now = loop.time()
                deadline = now + BUSY_TIMEOUT if deadline is None else deadline
                if now >= deadline:
                    raise
            await _wait(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.off_loop:
            return await super()._execute(fn, *args, **kwargs)
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")  # what aiosqlite says, which SQLAlchemy maps
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            held = time.perf_counter() - started
            if held > SLOW_SECONDS:
                self.off_loop = True
                _LOGGER.debug(
                    "a %.0f ms SQLite call: the rest of its work goes off the loop", held * 1000
                )


def _retryable(fn: Any, error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    # SQLITE_BUSY and its extended codes, except BUSY_SNAPSHOT (517): a read transaction
    # that another writer overtook cannot become a write one by waiting, as with SQLite's
    # own busy handler, which is not called for it either.
    if code is None or code & 0xFF != sqlite3.SQLITE_BUSY or code == 517:
        return False
    return getattr(fn, "__name__", None) in _RETRIED_ON_BUSY


def connect_inline(database: str, **kwargs: Any) -> InlineConnection:
    """What `aiosqlite.connect` does, making an `InlineConnection` (SQLAlchemy calls this
    with the URL's arguments through the dialect's `async_creator_fn`)."""
    kwargs["timeout"] = 0  # no busy handler in the thread: the wait is `_execute`'s
    kwargs["check_same_thread"] = False  # used from the loop's thread and aiosqlite's, in turn

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = InlineConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy makes aiosqlite's: never holds up exit
    return connection


def back_on_loop(driver_connection: object) -> None:
    """A connection checked in to the pool: its next unit of work starts inline again."""
    if isinstance(driver_connection, InlineConnection):
        driver_connection.off_loop = False


async def off_loop(session: AsyncSession) -> None:
    """Run this session's statements in aiosqlite's thread until its connection is checked
    in: for reading many rows, which would hold every chat while they are read. No-op on
    PostgreSQL, whose driver never blocks the loop."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if isinstance(driver, InlineConnection):
        driver.off_loop = True

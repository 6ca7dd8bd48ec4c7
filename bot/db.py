"""Engine, session factory and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from bot.sqlite_inline import back_on_loop, connect_inline

SessionFactory = async_sessionmaker[AsyncSession]


def make_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    # No rollback when a connection goes back to the pool: every session ends its own
    # transaction (commit, or rollback on close), so the pool's extra rollback was a
    # round trip per unit of work for nothing.
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            echo=echo,
            # Statements run on the loop's thread, waiting for the write lock without
            # blocking it (bot/sqlite_inline.py); the dialect stays SQLAlchemy's aiosqlite.
            connect_args={"async_creator_fn": connect_inline},
            pool_reset_on_return=None,
        )
        _configure_sqlite(engine.sync_engine)
        return engine
    asyncpg = database_url.startswith("postgresql+asyncpg")
    engine = create_async_engine(
        database_url,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        # asyncpg: `_replace_closed` below instead (no round trips); other drivers ping.
        pool_pre_ping=not asyncpg,
        pool_reset_on_return=None,
    )
    if asyncpg:
        event.listen(engine.sync_engine, "checkout", _replace_closed)
    return engine


def _replace_closed(
    _dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object
) -> None:
    """A pooled asyncpg connection the server has closed is replaced at checkout.

    When PostgreSQL restarts or ends a backend, it tells the client and closes the socket;
    asyncpg reads that at once (it always listens on its idle connections) and marks the
    connection closed. So asking asyncpg costs nothing, where `pool_pre_ping` made three
    round trips per checkout (BEGIN, an empty query, ROLLBACK): about two checkouts per
    update. The pool discards a connection refused with `DisconnectionError` and takes
    another (SQLAlchemy's «custom pessimistic» disconnect handling).
    """
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the database server closed this connection")


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, real FKs; the wait for the write lock is
    `InlineConnection`'s (an asyncio sleep), so SQLite's own busy timeout is 0.

    `synchronous=NORMAL` in WAL mode: a commit is in the WAL before it returns, so a killed
    process (SIGKILL included) loses nothing; only a power cut may lose the last commits.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=0")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        back_on_loop(record.driver_connection)


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back if it raises.

    Services only flush; this is the one place that commits (besides the update processor,
    bot/update_work.py, which uses `commit_or_discard` too).
    """
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await commit_or_discard(session)


async def commit_or_discard(session: AsyncSession) -> None:
    """Commit; if that fails, roll the driver's transaction back before the connection goes
    back to the pool. A commit that fails half-way leaves SQLAlchemy's transaction closed
    but the driver's open, and with no reset on return the next user of the connection
    would commit what was meant to be lost."""
    if not session.in_transaction():
        return
    connection = await session.connection()
    try:
        await session.commit()
    except BaseException:
        try:
            await connection.run_sync(_rollback_driver)
        except Exception:
            await session.invalidate()  # the connection is not fit to be reused
        raise


def _rollback_driver(connection: Connection) -> None:
    connection.connection.dbapi_connection.rollback()  # type: ignore[union-attr]

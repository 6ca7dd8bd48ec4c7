"""Every database test runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import SessionFactory, make_engine, make_session_factory
from tests.support import databases

pytest_plugins = ["tests.support.bot_fixtures"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.build_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[tuple[str, str]]:
    url, name = databases.create_postgres_database()
    yield url, name
    databases.drop_postgres_database(name)


@pytest.fixture(params=databases.selected_databases())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        return databases.fresh_sqlite(template, tmp_path)
    if request.param == "postgresql":
        url, name = request.getfixturevalue("postgres_database")
        databases.truncate_postgres(name)
        return url
    raise ValueError(f"unknown test database {request.param!r}")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
async def session(session_factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session for service tests; tests commit when they need to, like a handler would."""
    async with session_factory() as session:
        yield session
        await session.rollback()

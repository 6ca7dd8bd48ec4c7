"""Every database test runs once on SQLite and once on PostgreSQL.

`--db sqlite` (or TEST_DATABASES=sqlite) runs them on one only; the folders mark their tests
`e2e`, `production` or `slow` (markers registered in pyproject.toml), so that
`-m "not e2e and not production and not slow"` is the quick run; a test elsewhere that
starts a process or builds a big file is marked `slow` where it is defined.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import SessionFactory, make_engine, make_session_factory
from tests.support import databases

pytest_plugins = ["tests.support.bot_fixtures"]

TESTS = Path(__file__).resolve().parent
# The first folder under tests/ (or the file) → the marker its tests carry.
MARKED = {
    "e2e": "e2e",
    "production": "production",
    "properties": "slow",
    "cli": "slow",  # each test runs `python -m bot …` in a process of its own
    "test_browser.py": "slow",  # tests/miniapp: headless Chromium
    "test_open_button.py": "e2e",  # tests/miniapp: /summary through the fake Bot API
    "test_summaries_scale.py": "slow",  # tests/services: 500 schools
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        action="append",
        choices=("sqlite", "postgresql"),
        help="run the database tests on this database only (may repeat); "
        "the default is TEST_DATABASES, or both",
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` looks at the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = config.getoption("--db")
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        parts = item.path.relative_to(TESTS).parts
        for part in (parts[0], parts[-1]):
            if part in MARKED:
                item.add_marker(MARKED[part])
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        database = params.get("database_url", params.get("database"))
        if chosen and database is not None and database not in chosen:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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

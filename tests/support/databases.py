"""Test databases: a migrated SQLite file per test, a private PostgreSQL database per run.

Both are built by the real migrations, never by `create_all`. PostgreSQL must be reachable
unless TEST_DATABASES leaves it out: an unreachable server fails the run, never skips it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg

from bot.schema import upgrade_to_head

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
KEPT_TABLES = {"alembic_version", "risk_factors"}


def selected_databases() -> list[str]:
    value = os.environ.get("TEST_DATABASES", "sqlite,postgresql")
    return [name.strip() for name in value.split(",") if name.strip()]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def build_sqlite_template(folder: Path) -> Path:
    template = folder / "template.sqlite3"
    upgrade_to_head(sqlite_url(template))
    return template


def fresh_sqlite(template: Path, folder: Path) -> str:
    target = folder / "bot.sqlite3"
    shutil.copyfile(template, target)
    return sqlite_url(target)


def _asyncpg_dsn(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_DSN.rpartition("/")
    return f"{base}/{database}"


def url_of(name: str) -> str:
    return _asyncpg_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)


def create_postgres_database() -> tuple[str, str]:
    """A private, migrated database for this test run: (sqlalchemy url, name)."""
    name = create_empty_postgres_database()
    url = url_of(name)
    upgrade_to_head(url)
    return url, name


def create_empty_postgres_database() -> str:
    name = f"test_shnor_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(
            f"PostgreSQL at {POSTGRES_ADMIN_DSN} is required by the test suite and is not "
            f"reachable ({error}). Start it, or run with TEST_DATABASES=sqlite."
        ) from error
    return name


def drop_postgres_database(name: str) -> None:
    async def drop() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


def truncate_postgres(name: str) -> None:
    async def truncate() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(name), timeout=10)
        try:
            tables = [
                row["tablename"]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
                if row["tablename"] not in KEPT_TABLES
            ]
            if tables:
                quoted = ", ".join(f'"{table}"' for table in tables)
                await connection.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()

    asyncio.run(truncate())

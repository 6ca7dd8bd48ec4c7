"""`python -m bot backup` / `restore`: a consistent copy of the database while the bot runs.

Copies hold personal data: they are written 0600 into 0700 folders. PostgreSQL's tools get
the connection through PG* environment variables — the password never appears on a command
line, where every local user could read it in `ps`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.file_modes import private_file, private_folder

PG_TOOLS_ADVICE = (
    "Для PostgreSQL нужны pg_dump и pg_restore (пакет postgresql-client).\n"
    "Пароль передавайте через PGPASSWORD или файл ~/.pgpass (chmod 600), не в командной строке:\n"
    "  PGHOST={host} PGPORT={port} PGUSER={user} PGDATABASE={database} "
    "pg_dump --format=custom --file=backup.dump\n"
    "Восстановление: (те же PG*) pg_restore --clean --if-exists --dbname={database} backup.dump"
)


def default_target(folder: Path) -> Path:
    return folder / f"backup-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def postgres_environment(url: URL) -> dict[str, str]:
    """libpq's variables for the URL: what pg_dump/pg_restore need, the password included."""
    variables = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGDATABASE": url.database,
        "PGPASSWORD": url.password,
    }
    return {name: value for name, value in variables.items() if value}


def _pg_tool(name: str, url: URL) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise RuntimeError(
            PG_TOOLS_ADVICE.format(
                host=url.host or "localhost",
                port=url.port or 5432,
                user=url.username or "",
                database=url.database or "",
            )
        )
    return tool


def _run_pg_tool(arguments: list[str], url: URL) -> None:
    environment = {**os.environ, **postgres_environment(url)}
    subprocess.run(arguments, check=True, env=environment)


def backup(database_url: str, target: Path) -> Path:
    """SQLite: the online backup API (consistent even while writers work). PostgreSQL: pg_dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        destination = target.with_suffix(".sqlite3")
        private_folder(destination.parent)
        source = sqlite3.connect(url.database or "")
        try:
            copy = sqlite3.connect(destination)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        private_file(destination)
        return destination
    pg_dump = _pg_tool("pg_dump", url)
    destination = target.with_suffix(".dump")
    private_folder(destination.parent)
    _run_pg_tool([pg_dump, "--format=custom", f"--file={destination}"], url)
    private_file(destination)
    return destination


def restore(database_url: str, source: Path) -> None:
    """Put a copy made by `backup` back. Stop the bot first."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        copy = sqlite3.connect(source)
        try:
            database = sqlite3.connect(url.database or "")
            with database:
                copy.backup(database)
            database.close()
        finally:
            copy.close()
        return
    pg_restore = _pg_tool("pg_restore", url)
    options = ["--clean", "--if-exists", "--no-owner", f"--dbname={url.database}"]
    _run_pg_tool([pg_restore, *options, str(source)], url)

"""`python -m bot backup`: a consistent copy of the database while the bot runs."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PG_DUMP_ADVICE = (
    "Для PostgreSQL используйте pg_dump:\n"
    '  pg_dump --format=custom --file=backup.dump "{dsn}"\n'
    'Восстановление: pg_restore --clean --dbname="{dsn}" backup.dump'
)


def default_target(folder: Path) -> Path:
    return folder / f"backup-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def backup(database_url: str, target: Path) -> Path:
    """SQLite: the online backup API (consistent even while writers work). PostgreSQL: pg_dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        destination = target.with_suffix(".sqlite3")
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(url.database or "")
        try:
            copy = sqlite3.connect(destination)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        return destination
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    if shutil.which("pg_dump") is None:
        raise RuntimeError(PG_DUMP_ADVICE.format(dsn=url.set(drivername="postgresql")))
    destination = target.with_suffix(".dump")
    destination.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pg_dump", "--format=custom", f"--file={destination}", dsn], check=True)
    return destination

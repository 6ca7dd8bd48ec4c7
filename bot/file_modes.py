"""Files holding personal data are readable by the service user only (152-FZ).

The process runs under umask 0077, so everything it creates is 0600 (files) or 0700
(folders); files left by an older version or another tool are tightened at start.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".leader")


def restrict_process() -> None:
    """Everything this process creates from now on is private to its user."""
    os.umask(PRIVATE_UMASK)


def private_folder(folder: Path) -> Path:
    """Create the folder 0700 (parents too); an existing one is tightened to 0700."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        folder.chmod(PRIVATE_FOLDER)
    return folder


def private_file(path: Path) -> None:
    """Tighten an existing file to 0600; a missing one is fine (it will be created so)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        path.chmod(PRIVATE_FILE)


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("///", 1)[-1]
    if not path or ":memory:" in path:
        return None
    return Path(path)


def secure_sqlite_files(database_url: str) -> None:
    """The database's folder 0700; the database, its WAL/SHM/journal and leader file 0600."""
    database = sqlite_path(database_url)
    if database is None:
        return
    private_folder(database.parent)
    for suffix in SQLITE_COMPANIONS:
        private_file(database.with_name(database.name + suffix))

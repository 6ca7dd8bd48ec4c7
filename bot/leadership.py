"""Only one process may poll Telegram and run the scheduler: the leader.

PostgreSQL: a session-level advisory lock held on a dedicated connection. When the leader
dies its connection closes and the lock is free at once; a standby polling every few
seconds takes over. SQLite (one machine): an exclusive lock on a file beside the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO

import asyncpg
from sqlalchemy.engine import make_url

from bot.file_modes import PRIVATE_FILE, private_file, private_folder

log = logging.getLogger(__name__)

LOCK_KEY = 500_500_500  # the advisory lock's number: any constant the deployment shares
RETRY_SECONDS = 2.0
WATCH_SECONDS = 5.0


class Leadership:
    async def acquire(self) -> None:
        raise NotImplementedError

    async def lost(self) -> None:
        """Returns when leadership is lost (the lock's connection died)."""
        await asyncio.Event().wait()

    async def release(self) -> None:
        return None


class PostgresLeadership(Leadership):
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.connection: asyncpg.Connection | None = None

    async def acquire(self) -> None:
        announced = False
        while True:
            try:
                connection = await asyncpg.connect(self.dsn, timeout=10)
                if await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                    self.connection = connection
                    log.info("leader: advisory lock %s held", LOCK_KEY)
                    return
                await connection.close()
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("leader election: database unreachable (%s)", error)
            if not announced:
                log.info("standby: another process is the leader; waiting")
                announced = True
            await asyncio.sleep(RETRY_SECONDS)

    async def lost(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                assert self.connection is not None
                await self.connection.fetchval("SELECT 1", timeout=10)
            except Exception:  # any failure means the lock may be gone: stop leading
                log.error("leadership lost: the lock's connection failed")
                return

    async def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
            self.connection = None


class FileLeadership(Leadership):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    async def acquire(self) -> None:
        private_folder(self.path.parent)
        # 0600 whatever the umask: it sits beside the database in the private folder.
        handle = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE), "a+")
        private_file(self.path)
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.handle = handle
                handle.seek(0)
                handle.truncate()
                handle.write(str(os.getpid()))
                handle.flush()
                log.info("leader: lock file %s held", self.path)
                return
            except BlockingIOError:
                if not announced:
                    log.info("standby: another process holds %s; waiting", self.path)
                    announced = True
                await asyncio.sleep(RETRY_SECONDS)

    async def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def leadership_for(database_url: str) -> Leadership:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeadership(
            url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
    return FileLeadership(Path((url.database or "bot.sqlite3") + ".leader"))

"""Rows of a whole region or country, fetched in chunks and written by one worker thread.

A country's /report and /export read a few hundred thousand rows. Loading them as ORM
objects took about 1 GB; here each query is a Core `select` of the columns a file needs,
streamed (`session.stream` with `yield_per`: a server-side cursor on PostgreSQL, `fetchmany`
on SQLite) in chunks of `CHUNK_ROWS`. The loop fetches chunk k+1 while `FileWorker`'s thread
formats and writes chunk k, so at most two chunks are in memory and the CPU-heavy writing
(openpyxl, csv, zlib) never holds the event loop for more than a chunk's fetch.

Why the rows come through the update's own async session and not a synchronous connection
in the thread: it is the same transaction (the files show what the chat's other replies show),
it works the same on aiosqlite and asyncpg without a second, synchronous driver, and only
the writing — the slow part — needs the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access.actors import Actor
from bot.sqlite_inline import off_loop

AnyRow = Row[*tuple[Any, ...]]
AnySelect = Select[*tuple[Any, ...]]
CHUNK_ROWS = 2_000  # rows a chunk; tests lower it to cross chunk boundaries everywhere

T = TypeVar("T")
R = TypeVar("R")


async def off_loop_for_a_region(session: AsyncSession, actor: Actor) -> None:
    """SQLite: a region's or the country's reads (a summary, the Mini App's tables) run in
    aiosqlite's thread from the first statement, not only after one has held every chat;
    a municipality's stay on the loop's thread, where small statements are cheapest."""
    if actor.sees_a_region:
        await off_loop(session)


async def chunks(session: AsyncSession, statement: AnySelect) -> AsyncIterator[list[AnyRow]]:
    """The statement's rows, `CHUNK_ROWS` at a time, never all at once."""
    await off_loop(session)  # SQLite: reading a country's rows must not hold every chat
    result = await session.stream(statement.execution_options(yield_per=CHUNK_ROWS))
    try:
        async for part in result.partitions():
            yield list(part)
    finally:
        await result.close()


async def whole_groups(
    parts: AsyncIterator[list[T]], key: Callable[[T], Hashable]
) -> AsyncIterator[list[T]]:
    """The same rows re-cut so that consecutive rows with one key (an item and its
    attachments) are never split between two chunks."""
    carry: list[T] = []
    async for part in parts:
        if not part:
            continue
        last = key(part[-1])
        cut = len(part)
        while cut > 0 and key(part[cut - 1]) == last:
            cut -= 1
        if cut == 0:  # one key all along: it may go on in the next part
            carry += part
            continue
        ready, carry = carry + part[:cut], part[cut:]
        yield ready
    if carry:
        yield carry


async def collect(parts: AsyncIterator[Sequence[T]]) -> list[T]:
    return [row async for part in parts for row in part]


class FileWorker:
    """One thread that builds one file, fed chunk by chunk from the event loop.

    `write` hands a chunk to the thread and returns once the previous chunk is written, so
    the loop fetches the next chunk meanwhile and no more than two are held. Every call runs
    in the same thread, in order: the writer objects (openpyxl's workbook, a zip entry) are
    never touched by two threads.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="file-out")
        self._pending: asyncio.Future[Any] | None = None
        # Closes the writer when building stops half-way (an error, the time budget), while
        # its file is still open: else the writer finishes into a closed file when collected.
        # Set in the thread, by the call that makes the writer (see `starting`).
        self._on_abandon: Callable[[], object] | None = None

    async def __aenter__(self) -> FileWorker:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                await self.drain()
            else:
                if self._pending is not None:
                    with contextlib.suppress(BaseException):
                        await self._pending  # the first error is the one to report
                # Read in the thread, after every call handed to it: a writer made by a call
                # whose answer the cancellation cut off is closed too.
                loop = asyncio.get_running_loop()
                with contextlib.suppress(BaseException):
                    await loop.run_in_executor(self._executor, self._abandon)
        finally:
            self._pending = None
            self._executor.shutdown(wait=False)

    def _abandon(self) -> None:
        if self._on_abandon is not None:
            self._on_abandon()

    async def drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def write(self, action: Callable[[T], object], chunk: T) -> None:
        await self.drain()
        self._pending = asyncio.get_running_loop().run_in_executor(self._executor, action, chunk)

    async def starting(self, make: Callable[[], R], abandon: Callable[[R], object]) -> R:
        """`make()` the writer in the thread, registering `abandon(writer)` there at once."""

        def start() -> R:
            writer = make()
            self._on_abandon = partial(abandon, writer)
            return writer

        return await self.call(start)

    async def call(self, action: Callable[[], R]) -> R:
        """Run `action` in the thread after everything written so far; its result."""
        await self.drain()
        return await asyncio.get_running_loop().run_in_executor(self._executor, action)

    async def pump(
        self, parts: AsyncIterator[list[T]], action: Callable[[list[T]], object]
    ) -> None:
        async for part in parts:
            await self.write(action, part)
        await self.drain()

"""A small pool of worker processes for heavy parsing (bot/handlers/heavy.py).

A parse in a thread of the bot's own process holds the GIL for as long as it runs (~1 s
for the largest allowed roadmap), and every other chat waits that long. In a process of
its own it holds nobody up, and it can be stopped: past its time budget the worker is
killed (a thread cannot be) and a fresh one takes its place. Each worker caps its own
address space (RLIMIT_AS), so a file that unpacks into too much memory fails there with a
MemoryError instead of growing the bot.

The work is a top-level function (pickled by reference) taking bytes and plain values and
returning plain data. Workers are spawned (no fork of a process holding an event loop,
threads and database connections), started with the application (`start`, so the first
upload does not wait for a Python to start) and stopped with it (`close`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
_LOGGER = logging.getLogger(__name__)
_READY = "ready"
NICENESS = 10
# Imported by each worker as it starts (~0.5 s, ~70 MB), not by the first upload's budget:
# openpyxl and every parser off_lane runs.
PRELOAD = (
    "openpyxl",
    "bot.services.roadmaps.roadmap_import",
    "bot.services.directory.workbook",
    "bot.services.results.results",
    "bot.services.results.training",
)


class OverBudget(Exception):
    """The work ran past its time budget; its worker was killed."""


class WorkerLost(Exception):
    """The worker died before answering (killed by the system, out of memory, crashed)."""


def _serve(
    conn: Connection, memory_bytes: int | None, preload: tuple[str, ...], secrets: tuple[str, ...]
) -> None:
    """A worker's life: cap its memory, import what the work needs, then answer calls."""
    # It parses files people sent: the bot's token and database URL are not its business.
    # (Spawned, it inherited them; /proc/<pid>/environ keeps the original block, readable
    # only by the bot's own user.)
    for name in secrets:
        os.environ.pop(name, None)
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Below the bot and its database in the CPU's queue: on a busy machine a parse waits,
    # not the people the bot is answering.
    os.nice(NICENESS)
    for name in preload:
        importlib.import_module(name)
    conn.send(_READY)
    while True:
        try:
            call = conn.recv()
        except (EOFError, OSError):
            return
        if call is None:
            return
        work, args, kwargs = call
        try:
            answer: tuple[bool, Any] = (True, work(*args, **kwargs))
        except BaseException as error:
            answer = (False, error)
        try:
            conn.send(answer)
        except OSError:
            return  # the bot is gone (killed mid-call): no one to answer, nothing to report
        except Exception as error:  # the result or the exception would not pickle
            conn.send((False, RuntimeError(f"{type(error).__name__}: {error}")))
        if not answer[0] and isinstance(answer[1], MemoryError):
            return  # a worker that ran out of memory is not trusted with the next call


def _secret_names() -> tuple[str, ...]:
    from bot.config import without_secrets  # in the bot, which has it loaded already

    return tuple(set(os.environ) - set(without_secrets(os.environ)))


class _Worker:
    def __init__(
        self,
        context: multiprocessing.context.SpawnContext,
        memory_bytes: int | None,
        preload: tuple[str, ...],
    ) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child, memory_bytes, preload, _secret_names()),
            name="bot-parse-worker",
            daemon=True,  # never outlives the bot, whatever happens to it
        )
        self.process.start()
        child.close()
        self._ready = False
        self._lock = threading.Lock()

    def wait_ready(self) -> None:
        """Blocking (in a thread): until the worker has started and imported its modules."""
        with self._lock:
            if self._ready:
                return
            try:
                hello = self.conn.recv()
            except (EOFError, OSError) as error:
                raise WorkerLost(f"a worker did not start: {error!r}") from None
            if hello != _READY:
                raise WorkerLost("a worker started wrong")
            self._ready = True

    def call(self, work: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Blocking (in a thread): one call; the work's own exception is raised here."""
        try:
            self.conn.send((work, args, kwargs))
            ok, value = self.conn.recv()
        except (EOFError, OSError, ConnectionError) as error:
            raise WorkerLost(str(error) or type(error).__name__) from None
        if not ok:
            raise value
        return value

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


class WorkerPool:
    """`size` long-lived worker processes; a call waits for an idle one."""

    def __init__(
        self, size: int = 2, memory_mb: int | None = 1024, preload: Iterable[str] = PRELOAD
    ) -> None:
        self.size = size
        self._memory = memory_mb * 1024 * 1024 if memory_mb else None
        self._preload = tuple(preload)
        self._context = multiprocessing.get_context("spawn")
        self._all: set[_Worker] = set()
        self._idle: asyncio.Queue[_Worker] | None = None
        # Threads that wait on the workers' pipes: the event loop never blocks on one.
        self._threads: ThreadPoolExecutor | None = None
        self._started = False

    @property
    def started(self) -> bool:
        return self._started

    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        """The worker processes alive now (for tests and health)."""
        return [w.process for w in self._all if w.process.is_alive()]

    def start(self) -> None:
        """Spawn the workers now (they start up while the bot goes on); idempotent."""
        if self._started:
            return
        self._started = True
        self._threads = ThreadPoolExecutor(self.size * 2, thread_name_prefix="bot-parse")
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    async def ready(self) -> None:
        """Until every worker has started and imported what the work needs."""
        self.start()
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._threads, worker.wait_ready) for worker in self._all)
        )

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._memory, self._preload)
        self._all.add(worker)
        return worker

    async def run(
        self,
        work: Callable[..., T],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        budget: float,
    ) -> T:
        """`work(*args, **kwargs)` in a worker, given `budget` seconds once it has a worker.

        Raises the work's own exception, `OverBudget` (the worker was killed) or
        `WorkerLost`. Cancelled, the worker is killed too: nothing waits for its answer."""
        self.start()
        worker = await self._take()
        loop = asyncio.get_running_loop()
        keep = False
        try:
            await loop.run_in_executor(self._threads, worker.wait_ready)
            call = loop.run_in_executor(self._threads, worker.call, work, args, kwargs or {})
            try:
                result = await asyncio.wait_for(asyncio.shield(call), budget)
            except TimeoutError:
                call.add_done_callback(_consume)
                raise OverBudget(f"{getattr(work, '__name__', work)} over {budget:g} s") from None
            except asyncio.CancelledError:
                call.add_done_callback(_consume)
                raise
            keep = True
            return result
        except (OverBudget, WorkerLost, MemoryError):
            raise  # killed, dead, or ended by _serve (out of memory): replaced below
        except Exception:
            keep = worker.process.is_alive()  # the work's own error: the worker goes on
            raise
        finally:
            self._give_back(worker, keep)

    async def _take(self) -> _Worker:
        assert self._idle is not None
        return await self._idle.get()

    def _give_back(self, worker: _Worker, keep: bool) -> None:
        if not keep or not self._started:
            self._all.discard(worker)
            worker.kill()  # over budget, cancelled, dead or closed
            if not self._started:
                return
            worker = self._spawn()  # a fresh one takes its place
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def close(self) -> None:
        """Stop every worker (a call still running ends with WorkerLost)."""
        if not self._started:
            return
        self._started = False
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._idle = None
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()

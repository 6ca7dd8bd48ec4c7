"""Heavy work (parsing an upload, building a file, drawing a chart) off the chat's lane.

`off_lane` parses uploads in worker processes; `building` watches a file built for the
person (a report, an export) with the same notice and a time budget.

The work runs in a worker process (bot/workers.py: the pool started with the
application), so neither the event loop nor the GIL is held while other chats are served;
a person whose file takes more than a second is told it is being processed; past the time
budget the worker is killed and they are told the file is too heavy, as they are when the
worker runs out of its memory cap or dies. The work must be a top-level function taking
bytes and plain values and returning plain data (it is pickled to the worker and back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update

from bot import texts
from bot.handlers.replies import deliver
from bot.runtime import BotContext
from bot.services.errors import DomainError
from bot.workers import OverBudget, WorkerLost

T = TypeVar("T")
log = logging.getLogger(__name__)


async def off_lane(
    update: Update,
    context: BotContext,
    work: Callable[..., T],
    *args: Any,
    **kwargs: Any,
) -> T:
    """`work(*args, **kwargs)` in a worker process; its exceptions come back as raised.

    Times come from the settings: `file_notice_after`, `file_time_budget` (counted from
    when a worker takes the work)."""
    runtime = context.runtime
    notice_after, budget = runtime.settings.file_notice_after, runtime.settings.file_time_budget
    task = asyncio.ensure_future(runtime.workers.run(work, args, kwargs, budget=budget))
    await _notice_if_slow(update, task, notice_after, texts.FILE_PROCESSING)
    try:
        return await task
    except OverBudget:
        log.warning("heavy work %s over its %g s budget: worker killed", _name(work), budget)
        raise DomainError("file_too_heavy") from None
    except MemoryError:
        log.warning("heavy work %s over the worker's memory cap", _name(work))
        raise DomainError("file_too_heavy") from None
    except WorkerLost as lost:
        log.warning("heavy work %s: worker lost (%s)", _name(work), lost)
        raise DomainError("file_too_heavy") from None


async def building(update: Update, context: BotContext, work: Awaitable[T]) -> T:
    """A file built for the person (a report, an export), awaited in the update.

    The rows stream in the update's session and the file is written in a thread
    (bot/services/reporting/streaming.py), so other chats are served meanwhile; this adds
    «Готовлю файл…» past `file_notice_after`, and past `file_time_budget` stops the
    building and asks for a smaller scope."""
    settings = context.runtime.settings
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.file_time_budget
    task = asyncio.ensure_future(work)
    try:
        await _notice_if_slow(update, task, settings.file_notice_after, texts.FILE_BUILDING)
        return await asyncio.wait_for(task, max(0.0, deadline - loop.time()))
    except TimeoutError:
        log.warning("a file over its %g s budget: stopped", settings.file_time_budget)
        raise DomainError("file_build_too_long") from None
    finally:
        task.cancel()  # a no-op when it is done; else (the stop, a failed notice) it stops


async def _notice_if_slow(
    update: Update, task: asyncio.Future[Any], after: float, notice: str
) -> None:
    done, _ = await asyncio.wait({task}, timeout=after)
    if not done and update.effective_chat is not None:
        chat = update.effective_chat
        # A progress notice, sent at once (not after the commit like replies): the work is
        # still running, and the notice claims nothing about saved data.
        await deliver(lambda: chat.send_message(notice), notice=True)


def _name(work: Callable[..., Any]) -> str:
    return getattr(work, "__name__", type(work).__name__)

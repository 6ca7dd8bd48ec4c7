"""Heavy work (parsing an upload, building a file, drawing a chart) off the chat's lane.

The work runs in a worker thread so the event loop keeps serving other chats; a person
whose file takes more than a second is told it is being processed; past the time budget
they are told the file is too heavy (the thread cannot be killed: it finishes unobserved).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from telegram import Update

from bot import texts
from bot.handlers.replies import deliver
from bot.runtime import BotContext
from bot.services.errors import DomainError

T = TypeVar("T")
log = logging.getLogger(__name__)


async def off_lane(
    update: Update,
    context: BotContext,
    work: Callable[..., T],
    *args: Any,
    **kwargs: Any,
) -> T:
    """`work(*args, **kwargs)` in a worker thread; its exceptions come back as raised.

    Times come from the settings: `file_notice_after`, `file_time_budget`."""
    settings = context.runtime.settings
    notice_after, budget = settings.file_notice_after, settings.file_time_budget
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.ensure_future(asyncio.to_thread(work, *args, **kwargs))
    done, _ = await asyncio.wait({task}, timeout=min(notice_after, budget))
    if not done and update.effective_chat is not None:
        chat = update.effective_chat
        # A progress notice, sent at once (not after the commit like replies): the work is
        # still running, and «обрабатывается» claims nothing about saved data.
        await deliver(lambda: chat.send_message(texts.FILE_PROCESSING), notice=True)
    try:
        return await asyncio.wait_for(
            asyncio.shield(task), max(0.0, budget - (loop.time() - started))
        )
    except TimeoutError:
        log.warning("heavy work %s over its %.0f s budget", work.__name__, budget)
        task.add_done_callback(_consume)
        raise DomainError("file_too_heavy") from None


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()

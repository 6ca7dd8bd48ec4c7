"""Timed work (APScheduler inside the bot's process), started and stopped with the bot.

Jobs derive what to do from the database, so nothing must survive in memory: a restart
(or a second process) rebuilds nothing by hand. Fixed job ids with replace_existing=True.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.ext import Application

from bot.runtime import Runtime
from bot.scheduler.sender import OutboxSender

log = logging.getLogger(__name__)

SCHEDULER_KEY = "scheduler"
SENDER_KEY = "outbox_sender"
RUNNING_KEY = "running_jobs"
# How long a stop waits for a job in flight (a sweep, a batch being handed back) to end
# on its own before cancelling it; systemd's TimeoutStopSec is longer.
STOP_GRACE_SECONDS = 10.0
SENDER_EVERY_SECONDS = 3
SWEEP_EVERY_MINUTES = 5


def build_scheduler(application: Application) -> AsyncIOScheduler:
    runtime: Runtime = application.bot_data["runtime"]
    # The bot's rate limiter and the sender share one Pacer (see bot/rate_limit.py).
    pacer = getattr(application.bot.rate_limiter, "pacer", None)
    sender = OutboxSender(application.bot, runtime.session_factory, runtime.clock, pacer=pacer)
    application.bot_data[SENDER_KEY] = sender
    running: set[asyncio.Task[Any]] = set()
    application.bot_data[RUNNING_KEY] = running
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        _tracked(running, sender.drain),
        "interval",
        seconds=SENDER_EVERY_SECONDS,
        id="outbox_sender",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    from bot.scheduler.sweeps import run_sweeps

    scheduler.add_job(
        _tracked(running, run_sweeps),
        "interval",
        minutes=SWEEP_EVERY_MINUTES,
        id="reminder_sweeps",
        args=[runtime.session_factory, runtime.clock, runtime.settings],
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        # Also once right at start: what fell due while the bot was down goes out now.
        next_run_time=runtime.clock(),
    )
    return scheduler


async def start_scheduler(application: Application) -> None:
    scheduler = build_scheduler(application)
    application.bot_data[SCHEDULER_KEY] = scheduler
    scheduler.start()
    log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))


def _tracked(
    running: set[asyncio.Task[Any]], job: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    """The job, with its task in `running` while it runs, so a stop can wait for it."""

    @functools.wraps(job)
    async def run(*args: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            return await job(*args)
        except asyncio.CancelledError:
            # Only a stop cancels a job (stop_scheduler, after its grace period): a line in
            # the log, not APScheduler's traceback of a job that «raised an exception».
            log.warning("%s cancelled by the stop; the next start runs it again", job.__name__)
            return None
        finally:
            running.discard(task)

    return run


async def stop_scheduler(application: Application) -> None:
    """No new runs; jobs in flight end (or are cancelled) before the database goes away.

    APScheduler's own shutdown cancels running jobs without waiting for them: a job
    cancelled after the engine was disposed left its SQLite connection (and that
    connection's thread) open, and the process never exited.
    """
    scheduler: AsyncIOScheduler | None = application.bot_data.pop(SCHEDULER_KEY, None)
    if scheduler is None or not scheduler.running:
        return
    scheduler.pause()
    sender: OutboxSender | None = application.bot_data.get(SENDER_KEY)
    if sender is not None:
        sender.request_stop()
    in_flight = set(application.bot_data.get(RUNNING_KEY, ()))
    if in_flight:
        _done, late = await asyncio.wait(in_flight, timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    scheduler.shutdown(wait=False)

"""Timed work (APScheduler inside the bot's process), started and stopped with the bot.

Jobs derive what to do from the database, so nothing must survive in memory: a restart
(or a second process) rebuilds nothing by hand. Fixed job ids with replace_existing=True.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.ext import Application

from bot.runtime import Runtime
from bot.scheduler.sender import OutboxSender

log = logging.getLogger(__name__)

SCHEDULER_KEY = "scheduler"
SENDER_KEY = "outbox_sender"
SENDER_EVERY_SECONDS = 3
SWEEP_EVERY_MINUTES = 5


def build_scheduler(application: Application) -> AsyncIOScheduler:
    runtime: Runtime = application.bot_data["runtime"]
    sender = OutboxSender(application.bot, runtime.session_factory, runtime.clock)
    application.bot_data[SENDER_KEY] = sender
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sender.drain,
        "interval",
        seconds=SENDER_EVERY_SECONDS,
        id="outbox_sender",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    from bot.scheduler.sweeps import run_sweeps

    scheduler.add_job(
        run_sweeps,
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


async def stop_scheduler(application: Application) -> None:
    scheduler: AsyncIOScheduler | None = application.bot_data.pop(SCHEDULER_KEY, None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)

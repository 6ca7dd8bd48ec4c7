"""Timed work (APScheduler inside the bot's process), started and stopped with the bot."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.ext import Application

log = logging.getLogger(__name__)

SCHEDULER_KEY = "scheduler"


def build_scheduler(application: Application) -> AsyncIOScheduler:
    """A scheduler whose jobs derive what to do from the database, so none must persist.

    Every job has a fixed id with replace_existing=True: a restart never duplicates it.
    """
    scheduler = AsyncIOScheduler(timezone="UTC")
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

"""One bot, in a process of its own, for `bench.updates`: ours or PTB's bare echo bot.

    python -m bench.update_bot ours|strict|echo  (environment: TELEGRAM_BOT_TOKEN,
                                              TELEGRAM_API_BASE_URL, DATABASE_URL for ours)

Polls the fake Bot API like a deployed bot polls Telegram and prints the id of every
update it has finished handling, one per line, so the driver can time update → reply
without sharing this process's CPU. Runs until its standard input closes.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import sys
import time

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, MessageHandler
from telegram.ext import filters as telegram_filters

from bench.gc_pauses import GcClock
from bot.app import build_application, freeze_start_up_objects
from bot.config import load_settings
from bot.db import make_engine, make_session_factory
from bot.runtime import SequentialPersistingProcessor
from bot.update_work import UpdateWork

# BENCH_TRACE=1: each report line also gives, per update, when it was fetched, written to
# the inbox, started in its lane, its handler done, committed, and finished (replies sent).
# perf_counter is CLOCK_MONOTONIC, so the driver can compare it with its own clock. Last on
# the line: the milliseconds this process spent collecting garbage since the fetch.
TRACE_STAGES = ("fetched", "recorded", "started", "worked", "committed")
_marks: dict[int, dict[str, float]] = {}
_gc = GcClock()


def _report(update: object) -> None:
    update_id = getattr(update, "update_id", None)
    if update_id is None:
        return
    marks = _marks.pop(update_id, None)
    if marks is None:
        sys.stdout.write(f"{update_id}\n")
    else:
        times = " ".join(f"{marks.get(stage, 0.0):.6f}" for stage in TRACE_STAGES)
        collecting = (_gc.total - marks.get("gc", _gc.total)) * 1000
        sys.stdout.write(f"{update_id} {times} {time.perf_counter():.6f} {collecting:.3f}\n")
    sys.stdout.flush()


def _mark(update: object, stage: str) -> None:
    update_id = getattr(update, "update_id", None)
    if update_id is not None:
        _marks.setdefault(update_id, {})[stage] = time.perf_counter()


class _FetchTimer:
    """The bot under BatchedPolling, noting when each fetched update arrived."""

    def __init__(self, bot: object) -> None:
        self._bot = bot

    def __getattr__(self, name: str) -> object:
        return getattr(self._bot, name)

    async def get_updates(self, *args: object, **kwargs: object) -> tuple[Update, ...]:
        updates: tuple[Update, ...] = await self._bot.get_updates(*args, **kwargs)  # type: ignore[attr-defined]
        for update in updates:
            _mark(update, "fetched")
            _marks[update.update_id]["gc"] = _gc.total
        return updates


def _trace(application: Application) -> None:
    """Wraps the stages of update handling with marks (a benchmark's diagnosis only)."""
    polling = application.updater.bot  # BatchedPolling (bot/inbox.py)
    polling._bot = _FetchTimer(polling._bot)
    persistence = application.persistence
    record_batch = persistence.record_batch

    async def recorded(updates: list) -> None:
        await record_batch(updates)
        now = time.perf_counter()
        for update_id, _payload in updates:
            _marks.setdefault(update_id, {})["recorded"] = now

    persistence.record_batch = recorded
    process = SequentialPersistingProcessor.do_process_update

    async def started(
        self: SequentialPersistingProcessor, update: object, coroutine: object
    ) -> None:
        _mark(update, "started")
        await process(self, update, coroutine)

    SequentialPersistingProcessor.do_process_update = started
    processor = application.update_processor
    commit_update = processor._commit

    async def worked(update: object, work: UpdateWork) -> None:
        _mark(update, "worked")
        commit = work.commit

        async def committed() -> None:
            await commit()
            _mark(update, "committed")

        work.commit = committed  # type: ignore[method-assign]
        await commit_update(update, work)

    processor._commit = worked


def _ours(strict: bool = False) -> Application:
    """strict: flood control at its default limits (bench.busy has a flooder)."""
    settings = load_settings(
        _env_file=None,
        # The benchmark's users tap faster than people; flood control has its own test.
        **({} if strict else {"flood_burst": 10**6}),
    )
    factory = make_session_factory(make_engine(settings.database_url))
    # As in production, minus two things a benchmark cannot have: the 30 messages a
    # second of the rate limiter (the point is to go past it) and the scheduler's jobs.
    application = build_application(settings, factory, with_scheduler=False, rate_limiter=False)
    processor = application.update_processor
    assert isinstance(processor, SequentialPersistingProcessor)
    processor.listeners.append(_report)
    if os.environ.get("BENCH_TRACE"):
        _trace(application)
    return application


def _echo() -> Application:
    """python-telegram-bot's echo example, answering button presses as well."""

    async def echo(update: Update, _context: object) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        elif update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)
        _report(update)

    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(telegram_filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(echo))
    return application


async def _serve(application: Application) -> None:
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        if isinstance(application.update_processor, SequentialPersistingProcessor):
            freeze_start_up_objects()  # as `bot run` does (bot/cli.py)
            if os.environ.get("BENCH_TRACE"):
                _gc.install()  # the pauses of handling updates, not start-up's collection
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        # The driver closes our stdin when it is done with us.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await application.updater.stop()
        await application.stop()
    if _gc.count:
        print(f"bot's garbage collector: {_gc.summary()}", file=sys.stderr)


def main() -> None:
    which = sys.argv[1]
    application = _ours(strict=which == "strict") if which in ("ours", "strict") else _echo()
    profile_to = os.environ.get("BENCH_PROFILE")  # a path: where CPU-time stats go
    if not profile_to:
        asyncio.run(_serve(application))
        return
    # CPU time, not wall time: waiting for the fake API's answer is not our cost.
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(asyncio.run, _serve(application))
    profiler.dump_stats(f"{profile_to}.{which}.pstats")


if __name__ == "__main__":
    main()

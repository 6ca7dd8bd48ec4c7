"""The one wiring place: builds the Application and lists every feature's handlers."""

from __future__ import annotations

import gc
import warnings

from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.db import SessionFactory

# The feature packages: each one's __init__ registers its handlers.
from bot.handlers import (
    access,
    common,
    directory,
    events,
    menu,
    notifications,
    protection,
    reporting,
    results,
    roadmaps,
    visits,
)
from bot.inbox import DurableUpdateQueue, batch_polling, replay_unhandled
from bot.lanes import ChatLanes
from bot.models import utcnow
from bot.persistence import DatabasePersistence
from bot.rate_limit import RollingWindowRateLimiter
from bot.runtime import BotContext, Clock, Runtime
from bot.scheduler import start_scheduler, stop_scheduler
from bot.scheduler.pacing import Pacer
from bot.services import local_time
from bot.telegram_http import AiohttpRequest
from bot.workers import WorkerPool

PER_MESSAGE_WARNING = r"If 'per_message=False', 'CallbackQueryHandler' will not be tracked"


class BotApplication(Application):
    """The Application that starts the parse workers with itself and stops them with itself.

    initialize() and shutdown() are what every way of running the bot calls (run_polling,
    `python -m bot run`, the sandbox, the tests' harness)."""

    async def initialize(self) -> None:
        await super().initialize()
        runtime: Runtime = self.bot_data["runtime"]
        if runtime.settings.file_workers_at_start:
            # Started and warm before the first update: neither the first upload nor the
            # people served meanwhile pay for two Pythons starting up (~0.5 s CPU each).
            await runtime.workers.ready()

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            runtime: Runtime = self.bot_data["runtime"]
            runtime.workers.close()


def build_application(
    settings: Settings,
    session_factory: SessionFactory,
    *,
    clock: Clock = utcnow,
    with_scheduler: bool = True,
    rate_limiter: bool = True,
) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the application")
    local_time.configure(settings.default_timezone)  # «today» where no municipality says
    processor = ChatLanes()  # per-chat lanes (bot/lanes.py)
    inbox = DurableUpdateQueue()
    persistence = DatabasePersistence(session_factory)
    builder = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        # aiohttp instead of httpx: a quarter of the CPU per request (bot/telegram_http.py).
        .request(AiohttpRequest(read_timeout=settings.telegram_read_timeout))
        .get_updates_request(
            AiohttpRequest(connection_pool_size=1, read_timeout=settings.telegram_read_timeout)
        )
        .context_types(ContextTypes(context=BotContext))
        .persistence(persistence)
        .concurrent_updates(processor)
        .update_queue(inbox)
        .post_init(_post_init_with_scheduler if with_scheduler else _post_init)
    )
    if rate_limiter:
        # One Pacer for replies and the outbox sender: Telegram counts them together.
        builder = builder.rate_limiter(RollingWindowRateLimiter(Pacer()))
    if with_scheduler:
        builder = builder.post_stop(stop_scheduler)
    application = builder.build()
    processor.application = application
    inbox.persistence = persistence
    # Flood control on receipt, before the inbox write (bot/inbox.py, bot/lanes.py).
    inbox.admits = lambda update: processor.verdict_on_receipt(update).admitted
    batch_polling(application, lanes=processor.max_running)
    application.bot_data["runtime"] = Runtime(
        settings=settings,
        session_factory=session_factory,
        clock=clock,
        workers=WorkerPool(settings.file_workers, settings.file_worker_memory_mb),
    )
    with warnings.catch_warnings():
        # Our conversations mix typed text and buttons in one chat, so they are tracked per
        # chat and user (per_message=False) on purpose; PTB warns about every such
        # ConversationHandler holding a CallbackQueryHandler. Only that warning is silenced.
        warnings.filterwarnings("ignore", message=PER_MESSAGE_WARNING, category=PTBUserWarning)
        _register_handlers(application, settings)
    return application


def _register_handlers(application: Application, settings: Settings) -> None:
    # Order matters: protection first (its own group), features, then catch-alls last.
    protection.register(application, settings.flood_rate_per_second, settings.flood_burst)
    common.register(application)
    # One register() per feature folder (bot/handlers/<feature>/__init__.py).
    access.register(application)
    directory.register(application)
    visits.register(application)
    roadmaps.register(application)
    events.register(application)
    notifications.register(application)
    reporting.register(application)
    results.register(application)
    common.register_fallbacks(application)


async def _post_init(application: Application) -> None:
    """Run by run_polling/run_webhook; tests and the sandbox call it after initialize().

    Before any new update is taken: what a killed predecessor received and did not finish
    is queued first, in order."""
    await menu.publish_default_menu(application.bot)
    await replay_unhandled(application)


async def _post_init_with_scheduler(application: Application) -> None:
    await _post_init(application)
    await start_scheduler(application)


_frozen = False


def freeze_start_up_objects() -> None:
    """Once per process, when the bot has started: the collector stops scanning what exists.

    Modules, classes, handlers and caches live as long as the process; a full collection
    walked all of them again (65 ms measured in `bench.updates --trace`, paused every chat).
    Frozen, they are still freed by reference counting; only a cycle among them would stay,
    and start-up makes none worth collecting. Once: a leader demoted and promoted again
    must not freeze what its first application left."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()  # what start-up left is freed, not frozen
    gc.freeze()

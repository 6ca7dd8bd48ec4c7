"""What handlers and jobs need from the running bot, typed, in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext, ExtBot

from bot.config import Settings
from bot.db import SessionFactory
from bot.models import utcnow
from bot.persistence import DatabasePersistence
from bot.services.access.actors import Actor
from bot.workers import WorkerPool

Clock = Callable[[], datetime]
_LOGGER = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    session_factory: SessionFactory
    clock: Clock = utcnow
    extras: dict[str, Any] = field(default_factory=dict)
    # Command menu last set per chat by this process (see handlers.menu.publish_menu).
    published_menus: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Heavy parsing off the event loop and the GIL (handlers/heavy.py); started and stopped
    # with the application (app.BotApplication).
    workers: WorkerPool = field(default_factory=WorkerPool)

    @property
    def invite_ttl(self) -> timedelta:
        return timedelta(days=self.settings.invite_ttl_days)


class BotContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """CallbackContext with the runtime and, inside a guarded handler, session and actor.

    A guarded handler does not commit: the guard commits its unit of work and only then
    sends its replies (handlers/guard.py, handlers/replies.py `Outbox`)."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._session: AsyncSession | None = None
        self._actor: Actor | None = None

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data["runtime"]

    @property
    def user_data(self) -> dict[str, Any]:
        """This user's drafts. python-telegram-bot types it Optional (an update may have no
        user); every handler here runs for a user (`guarded` drops the others), so it is not."""
        data = super().user_data
        if data is None:
            raise RuntimeError("no user_data: this update has no user")
        return data

    @user_data.setter
    def user_data(self, _: object) -> NoReturn:
        raise AttributeError("user_data cannot be replaced: change its keys")

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no unit of work: decorate the handler with @guarded")
        return self._session

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("no actor: this handler allows strangers")
        return self._actor

    @property
    def maybe_actor(self) -> Actor | None:
        return self._actor

    def bind(self, session: AsyncSession | None, actor: Actor | None) -> None:
        self._session = session
        self._actor = actor

    def now(self) -> datetime:
        return self.runtime.clock()


UpdateListener = Callable[[object], None]


class SequentialPersistingProcessor(BaseUpdateProcessor):
    """Updates one at a time (ConversationHandler needs it); state saved after each one.

    python-telegram-bot writes persistence on a timer; saving after every update means a
    crash or restart loses no conversation step that was already answered. What changed is
    written in one transaction (`DatabasePersistence.flush`).
    """

    def __init__(self) -> None:
        super().__init__(max_concurrent_updates=1)
        self.application: Application | None = None
        self.listeners: list[UpdateListener] = []

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        try:
            await coroutine
        finally:
            persistence = self.application.persistence if self.application else None
            if isinstance(update, Update) and isinstance(persistence, DatabasePersistence):
                persistence.mark_handled(update.update_id)  # saved with the state below
            await self._save_state()
            for listener in self.listeners:
                listener(update)

    async def _save_state(self) -> None:
        application = self.application
        if application is None or application.persistence is None:
            return
        try:
            await application.update_persistence()
            await application.persistence.flush()
        except Exception:
            # The staged state stays staged: the next update or the stop writes it.
            _LOGGER.exception("conversation state not saved; will retry")

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

"""What handlers and jobs need from the running bot, typed, in one place."""

from __future__ import annotations

import json
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
from bot.persistence import (
    CONVERSATION_PREFIX,
    INBOX,
    USER_DATA,
    DatabasePersistence,
    StateKey,
)
from bot.services.access.actors import Actor
from bot.update_work import UpdateWork, working_on
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
    """Updates one at a time (bot/lanes.py runs chats side by side); one unit of work each.

    Each update gets an `UpdateWork` (bot/update_work.py): its guarded handler works in the
    update's session and holds its replies; when the update is done, the conversation
    states and user data it changed and its inbox row are written in that same session and
    committed once, then the replies are sent. What a crash leaves is either the whole
    update (before the commit: handled again) or its held replies (after: sent by the next
    leader). python-telegram-bot itself would write persistence on a timer.
    """

    def __init__(self) -> None:
        super().__init__(max_concurrent_updates=1)
        self.application: Application | None = None
        self.listeners: list[UpdateListener] = []

    @property
    def _persistence(self) -> DatabasePersistence | None:
        persistence = self.application.persistence if self.application else None
        return persistence if isinstance(persistence, DatabasePersistence) else None

    def changes_of(self, update: object) -> Callable[[StateKey], bool] | None:
        """Which staged changes an update's commit takes (None: all); lanes narrow it."""
        return None

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        persistence = self._persistence
        work = UpdateWork(persistence.session_factory) if persistence is not None else None
        try:
            with working_on(work):
                await coroutine
        finally:
            if isinstance(update, Update) and persistence is not None:
                persistence.mark_handled(update.update_id)  # written with the state below
            if work is None:
                await self._save_state()
            else:
                await self._commit(update, work)
            for listener in self.listeners:
                listener(update)

    async def _commit(self, update: object, work: UpdateWork) -> None:
        """The update's state and inbox row in its own session, one commit, then replies."""
        application, persistence = self.application, self._persistence
        assert application is not None and persistence is not None
        update_id = update.update_id if isinstance(update, Update) else None
        records = work.outbox.records()
        changes: dict[StateKey, str | None] = {}
        try:
            await application.update_persistence()  # stages what changed
            if update_id is not None and records:
                chat = update.effective_chat if isinstance(update, Update) else None
                persistence.hold_replies(update_id, chat.id if chat else None, records)
            changes = persistence.take_staged(self.changes_of(update))
            if changes or work.opened:
                session = work.session()
                if changes:
                    await persistence.write_in(session, changes.items())
                await work.commit()
        except Exception as error:
            work.outbox.drop()
            await work.close()
            await self._undo(update, changes, error)
            return
        except BaseException:
            persistence.restage(changes)  # cancelled (the stop): its last flush writes them
            await work.close()
            raise
        await work.close()
        persistence.confirm(changes)
        await work.outbox.send()
        if update_id is not None and records:
            persistence.release(update_id)

    async def _undo(
        self, update: object, changes: dict[StateKey, str | None], error: Exception
    ) -> None:
        """The commit failed: nothing of the update happened, in memory either.

        Its conversation states and user data go back to what the database holds, so the
        person can repeat the step; rows of other updates are staged again; its own inbox
        row is deleted later (it was handled: with an error, which the person is told)."""
        application, persistence = self.application, self._persistence
        assert application is not None and persistence is not None
        _LOGGER.error("update %s not saved", getattr(update, "update_id", "?"))
        conversations = application._conversation_handler_conversations
        for key in changes:
            namespace, name = key
            stored = persistence.stored(key)
            if namespace == USER_DATA:
                user_data = application.user_data[int(name)]
                user_data.clear()
                user_data.update(stored or {})
            elif namespace.startswith(CONVERSATION_PREFIX):
                states = conversations.get(namespace.removeprefix(CONVERSATION_PREFIX))
                if states is not None:
                    conversation_key = tuple(json.loads(name))
                    if stored is None:
                        states.pop(conversation_key, None)
                    else:
                        states[conversation_key] = stored
        own = str(update.update_id) if isinstance(update, Update) else None
        persistence.restage(
            {key: value for key, value in changes.items() if key[0] == INBOX and key[1] != own}
        )
        if isinstance(update, Update):
            persistence.release(update.update_id)
        await application.process_error(update, error)

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

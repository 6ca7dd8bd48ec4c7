"""Per-chat lanes: chats are served side by side, each chat's updates strictly in order.

One person uploading a big file or tapping a hundred times must not hold up everyone else.
Updates of different chats run concurrently (at most `max_running` at once, within what
the database pool serves); updates of one chat wait for the one before, which is what
persistent ConversationHandlers (keyed per chat and user) and a person reading the
answers need. A 429 wait on a reply (handlers/replies.py) therefore only delays its chat.

Before an update takes a lane, `admission` decides on it (flood control, in
handlers/protection.py): a flooder's update is dropped at once, or replaced by the one
«slow down» warning, which is sent in the flooder's lane.

The inbox guarantee is kept per update: what one update leads to (its domain work, its
chat's conversation states, its user's data, its own inbox row) is committed in one
transaction when it is done (bot/runtime.py, bot/update_work.py), never another chat's
state that is still in hand. The verdict is taken on receipt (`verdict_on_receipt`, asked
by bot/inbox.py before a batch is written down), so a dropped update is never written to
the inbox; one dropped after a restart's replay has a row, which goes with the next
write: it leads to no state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.persistence import CONVERSATION_PREFIX, INBOX, USER_DATA, StateKey
from bot.runtime import SequentialPersistingProcessor

_LOGGER = logging.getLogger(__name__)

MAX_RUNNING = 12  # updates handled at once; each may hold a pooled DB connection (pool: 15/20)
# PTB's own bound is only a backstop: updates wait for their chat before taking a slot, so
# a long queue in one chat must not use up the slots (see do_process_update).
_BACKLOG = 100_000


@dataclass(frozen=True)
class Verdict:
    admitted: bool
    # When not admitted: what to do in the chat's lane instead (the one warning), if anything.
    instead: Callable[[], Awaitable[Any]] | None = None


ADMIT = Verdict(admitted=True)
Admission = Callable[[Update], Verdict]


def lane_key(update: object) -> object:
    """The chat; an update without one (a poll, an inline query) runs in its user's lane."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        return ("update", update.update_id)
    return ("other", id(update))


class ChatLanes(SequentialPersistingProcessor):
    def __init__(self, max_running: int = MAX_RUNNING) -> None:
        super().__init__()
        # Replace the one-at-a-time bound set by SequentialPersistingProcessor.
        super(SequentialPersistingProcessor, self).__init__(max_concurrent_updates=_BACKLOG)
        self.max_running = max_running
        self.admission: Admission | None = None
        self._running = asyncio.BoundedSemaphore(max_running)
        self._tails: dict[object, asyncio.Future[None]] = {}
        self._verdicts: dict[int, Verdict] = {}  # taken on receipt (bot/inbox.py), by update id

    @property
    def busy_lanes(self) -> int:
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        # Everything up to the first await runs in the order the updates were received:
        # PTB starts one task per update in queue order, and nothing above awaits.
        verdict = self._verdicts.pop(update.update_id, None) if isinstance(update, Update) else None
        if verdict is None:
            verdict = self._admit(update)
        if not verdict.admitted:
            coroutine.close()
            self._drop(update)
            if verdict.instead is None:
                self._tell_listeners(update)
                return
            coroutine = verdict.instead()
        key = lane_key(update)
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._running:
                started = True
                if verdict.admitted:
                    await super().do_process_update(update, coroutine)
                else:
                    await self._run_instead(update, coroutine)
        finally:
            if not started:
                coroutine.close()  # cancelled while waiting: nothing was done
            if previous is not None and not previous.done():
                # Cancelled while waiting: the next update of the chat still waits for the
                # one before this.
                previous.add_done_callback(lambda _: self._finish(key, done))
            else:
                self._finish(key, done)

    def verdict_on_receipt(self, update: Update) -> Verdict:
        """Admission's verdict, taken now and kept for when the update is processed.

        bot/inbox.py asks as a batch arrives, in receipt order, so that an update to be
        dropped costs no inbox write ahead of the others; asked again (the queue after the
        batch), the kept verdict is the answer: one verdict per update."""
        verdict = self._verdicts.get(update.update_id)
        if verdict is None:
            verdict = self._verdicts[update.update_id] = self._admit(update)
        return verdict

    def _admit(self, update: object) -> Verdict:
        if self.admission is None or not isinstance(update, Update):
            return ADMIT
        try:
            return self.admission(update)
        except Exception:
            _LOGGER.exception("admission failed; update handled")
            return ADMIT

    def _finish(self, key: object, done: asyncio.Future[None]) -> None:
        done.set_result(None)
        if self._tails.get(key) is done:
            del self._tails[key]

    def changes_of(self, update: object) -> Callable[[StateKey], bool] | None:
        return _keys_of(update)

    def _drop(self, update: object) -> None:
        persistence = self._persistence
        if isinstance(update, Update) and persistence is not None:
            persistence.mark_handled(update.update_id)
            persistence.release(update.update_id)  # its row goes with any write

    async def _run_instead(self, update: object, coroutine: Any) -> None:
        try:
            await coroutine
        except Exception:
            _LOGGER.exception("flood warning failed")
        finally:
            self._tell_listeners(update)

    def _tell_listeners(self, update: object) -> None:
        for listener in self.listeners:
            listener(update)


def _keys_of(update: object) -> Callable[[StateKey], bool] | None:
    """What an update may have changed: its chat's and user's state and its inbox row.

    Never another chat's state still in hand: that one is written with its own update."""
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    if chat is None and user is None:
        return None
    own = {chat, user} - {None}
    update_key = str(update.update_id)

    def belongs(state_key: StateKey) -> bool:
        namespace, key = state_key
        if namespace == INBOX:
            return key == update_key
        if namespace == USER_DATA:
            return user is not None and key == str(user)
        if namespace.startswith(CONVERSATION_PREFIX):
            with contextlib.suppress(ValueError, TypeError):
                return bool(own.intersection(json.loads(key)))
            return False
        return False

    return belongs

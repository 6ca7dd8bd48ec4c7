"""One update, one unit of work: the domain change, the conversation state, the inbox row.

The update processor (bot/runtime.py) opens an `UpdateWork` for each update; a guarded
handler (handlers/guard.py) does its database work in the update's session and holds its
replies in the update's `Outbox`. When the update is done the processor writes the
conversation state and user data the update led to and the inbox row in the same session,
commits once, and only then sends the replies. A crash before that commit leaves nothing
of the update but its inbox row (it is handled again); a crash after it leaves the held
replies written down in the inbox row (`Outbox.records`), which the next leader sends
(bot/inbox.py `replay_unhandled`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory, commit_or_discard

Action = Callable[[], Awaitable[Any]]
# What a held reply would send, as data the next leader can send after a crash:
# {"chat_id": int, "text": str, "html": bool, "buttons": [[[text, data], ...]] | None,
#  "edit_message_id": int | None}. None: a reply that cannot be written down (a file).
ReplyRecord = dict[str, Any]


@dataclass
class _Held:
    action: Action
    record: ReplyRecord | None
    reply: bool  # False for calls a person does not read as an answer (a command menu)


class Outbox:
    """An update's replies, in the order they were made, sent after its commit."""

    def __init__(self) -> None:
        self._pending: list[_Held] = []

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, action: Action, record: ReplyRecord | None = None, *, reply: bool = True) -> None:
        self._pending.append(_Held(action, record, reply))

    def records(self) -> list[ReplyRecord | None]:
        """The held replies as data (None for one that cannot be), menus left out."""
        return [held.record for held in self._pending if held.reply]

    async def send(self) -> None:
        """Send what is held, in order (called once the work is committed)."""
        pending, self._pending = self._pending, []
        for held in pending:
            await held.action()

    def drop(self) -> None:
        self._pending.clear()


class UpdateWork:
    """The session (opened on first use) and the outbox of the update in hand."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self.outbox = Outbox()

    @property
    def opened(self) -> bool:
        return self._session is not None

    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    async def close(self) -> None:
        """Rolls back what was not committed, explicitly: the pool does not (bot/db.py)."""
        session, self._session = self._session, None
        if session is not None:
            try:
                await session.rollback()
            finally:
                await session.close()

    async def commit(self) -> None:
        """Commit; a failed commit leaves no transaction open on the pooled connection."""
        await commit_or_discard(self.session())


# The work of the update this task handles (each update runs in a task of its own, see
# bot/lanes.py), or None outside the update processor (jobs, some tests).
_current: ContextVar[UpdateWork | None] = ContextVar("update_work", default=None)


def current_update_work() -> UpdateWork | None:
    return _current.get()


@contextlib.contextmanager
def working_on(work: UpdateWork | None) -> Iterator[None]:
    token = _current.set(work)
    try:
        yield
    finally:
        _current.reset(token)

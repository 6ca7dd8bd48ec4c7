"""python-telegram-bot persistence in our own database, so conversations survive restarts.

Only conversation states and `user_data` (the drafts of half-filled forms) are kept;
they must be JSON-serialisable: store dates as ISO strings, ids as ints.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Delete, Insert, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db import SessionFactory, unit_of_work
from bot.models import BotStateEntry, utcnow

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"
INBOX = "inbox"  # updates received and not yet handled (see bot/inbox.py)


StateKey = tuple[str, str]  # (namespace, key)


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Keeps what python-telegram-bot hands over and writes only what changed, in one go.

    python-telegram-bot calls `update_*` for every user and conversation an update touched,
    changed or not. Writing each in its own transaction cost more than handling the update
    itself, so the calls are staged, compared with what the database already holds (known
    from loading and from our own writes: one process handles updates at a time), and
    `flush` writes the real changes in one transaction. The update processor flushes after
    every update; python-telegram-bot flushes once more when the application stops.
    """

    def __init__(self, session_factory: SessionFactory, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._session_factory = session_factory
        self._stored: dict[StateKey, str] = {}  # JSON text of every row in the database
        self._staged: dict[StateKey, str | None] = {}  # None: delete the row
        self._statements: _Statements | None = None
        # Updates recorded and not yet handled (bot/inbox.py fetches the next batch after).
        self._in_hand: set[int] = set()
        self._drained = asyncio.Event()
        self._drained.set()

    def _prepared(self, dialect: str) -> _Statements:
        if self._statements is None:
            self._statements = _Statements(dialect)
        return self._statements

    async def _load(self, namespace: str) -> dict[str, Any]:
        async with unit_of_work(self._session_factory) as session:
            rows = await session.scalars(
                select(BotStateEntry).where(BotStateEntry.namespace == namespace)
            )
            loaded = {row.key: row.data for row in rows}
        for key, data in loaded.items():
            self._stored[(namespace, key)] = _encode(data)
        return loaded

    def _stage(self, namespace: str, key: str, data: Any) -> None:
        # Encoding here also catches a non-serialisable draft at the step that made it.
        encoded = None if data is None else _encode(data)
        if self._stored.get((namespace, key)) == encoded:
            self._staged.pop((namespace, key), None)
        else:
            self._staged[(namespace, key)] = encoded

    async def flush(self, belongs: Callable[[StateKey], bool] | None = None) -> None:
        """Write the staged changes in one transaction; kept for the next try if it fails.

        `belongs`: only the changes one update led to (bot/lanes.py: other chats' updates
        still in hand keep theirs staged until they are done). Core statements built once,
        each run once for all its rows (executemany): the per-update write is one
        transaction of at most two statements."""
        if belongs is None:
            staged, self._staged = self._staged, {}
        else:
            staged = {key: value for key, value in self._staged.items() if belongs(key)}
            self._staged = {key: value for key, value in self._staged.items() if key not in staged}
        if not staged:
            return
        try:
            await self._write(staged.items())
        except BaseException:
            self._staged = staged | self._staged
            raise
        for state_key, encoded in staged.items():
            if encoded is None:
                self._stored.pop(state_key, None)
            else:
                self._stored[state_key] = encoded

    async def _write(self, changes: Iterable[tuple[StateKey, str | None]]) -> None:
        upserts: list[dict[str, Any]] = []
        deletions: list[dict[str, Any]] = []
        now = utcnow()
        for (namespace, key), encoded in changes:
            if encoded is None:
                deletions.append({"state_namespace": namespace, "state_key": key})
            else:
                upserts.append(
                    {
                        "namespace": namespace,
                        "key": key,
                        "data": json.loads(encoded),
                        "updated_at": now,
                    }
                )
        async with unit_of_work(self._session_factory) as session:
            assert session.bind is not None  # the factory binds its sessions to the engine
            statements = self._prepared(session.bind.dialect.name)
            if deletions:
                await session.execute(statements.delete, deletions)
            if upserts:
                await session.execute(statements.upsert, upserts)

    def is_staged(self, key: StateKey) -> bool:
        return key in self._staged

    # -- the inbox: an update is kept from its receipt until the state it led to is saved

    async def record_received(self, update_id: int, payload: dict[str, Any]) -> None:
        """Written at once, in its own transaction: Telegram forgets the update next."""
        await self.record_batch([(update_id, payload)])

    async def record_batch(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """A fetched batch in one transaction, before any of it is queued (bot/inbox.py)."""
        fresh = [
            ((INBOX, str(update_id)), _encode(payload))
            for update_id, payload in updates
            if not self.is_recorded(update_id)
        ]
        if fresh:
            await self._write(fresh)
            self._stored.update(fresh)
        self._take_in_hand(update_id for update_id, _payload in updates)

    def is_recorded(self, update_id: int) -> bool:
        return (INBOX, str(update_id)) in self._stored

    def _take_in_hand(self, update_ids: Iterable[int]) -> None:
        self._in_hand.update(update_ids)
        if self._in_hand:
            self._drained.clear()

    def mark_handled(self, update_id: int) -> None:
        """Staged: deleted in the same transaction as the state the update led to."""
        self._stage(INBOX, str(update_id), None)
        self._in_hand.discard(update_id)
        if not self._in_hand:
            self._drained.set()

    async def wait_drained(self, limit: float) -> None:
        """Until every recorded update has been handled, or `limit` seconds passed."""
        if self._drained.is_set():
            return
        try:
            await asyncio.wait_for(self._drained.wait(), limit)
        except TimeoutError:
            return

    async def unhandled_updates(self) -> list[dict[str, Any]]:
        stored = await self._load(INBOX)
        self._take_in_hand(int(key) for key in stored)
        return [stored[key] for key in sorted(stored, key=int)]

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        stored = await self._load(USER_DATA)
        return defaultdict(dict, {int(key): value for key, value in stored.items()})

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        self._stage(USER_DATA, str(user_id), data or None)

    async def drop_user_data(self, user_id: int) -> None:
        self._stage(USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Nothing to refresh: one process handles updates at a time."""

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load(CONVERSATION_PREFIX + name)
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._stage(CONVERSATION_PREFIX + name, json.dumps(list(key)), new_state)

    # Chat data, bot data and callback data are not kept (see store_data above).
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return defaultdict(dict)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None


def _encode(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class _Statements:
    """The two statements of every state write, built once per dialect."""

    def __init__(self, dialect: str) -> None:
        table = cast(Table, BotStateEntry.__table__)  # declared, so a Table
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(table)
        # One statement whether the row exists or not (both dialects have ON CONFLICT).
        self.upsert: Insert = statement.on_conflict_do_update(
            index_elements=[table.c.namespace, table.c.key],
            set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
        )
        self.delete: Delete = delete(table).where(
            table.c.namespace == bindparam("state_namespace"),
            table.c.key == bindparam("state_key"),
        )

"""python-telegram-bot persistence in our own database, so conversations survive restarts.

Only conversation states and `user_data` (the drafts of half-filled forms) are kept;
they must be JSON-serialisable: store dates as ISO strings, ids as ints.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import JSON, Delete, Insert, String, Table, bindparam, delete, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db import SessionFactory, unit_of_work
from bot.models import BotStateEntry, utcnow

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"
INBOX = "inbox"  # updates received and not yet handled (see bot/inbox.py)
# An inbox row that holds, instead of an update, the replies of a handled update that were
# committed and maybe not sent (bot/update_work.py).
HELD_REPLIES = "held_replies"
RELEASE_DELAY = 0.25  # seconds before the rows of sent replies are deleted by a write of their own
_LOGGER = logging.getLogger(__name__)


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
        # Updates recorded and not yet handled (bot/inbox.py fetches the next batch when
        # fewer than `room_from` are: 1 means all handled; the lanes set their width).
        self._in_hand: set[int] = set()
        self.room_from = 1
        # Inbox rows whose deletion may go with any update's write: dropped updates and
        # updates whose replies were sent (see `release`).
        self._loose: set[str] = set()
        self._loose_timer: asyncio.TimerHandle | None = None
        self._loose_flush: asyncio.Future[None] | None = None
        self._room = asyncio.Event()
        self._room.set()

    @property
    def session_factory(self) -> SessionFactory:
        return self._session_factory

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
        """Write the staged changes in a transaction of their own; kept staged if it fails.

        `belongs`: only these (and the inbox rows that may go with any write). The update
        processor does not use this: it writes an update's changes in the update's own
        session (`take_staged`, `write_in`, `confirm`); this is for the stop and for the
        rows of replies already sent (`release`)."""
        if belongs is None:  # everything goes now (the stop): no write of the loose rows after
            if self._loose_timer is not None:
                self._loose_timer.cancel()
                self._loose_timer = None
            if self._loose_flush is not None and not self._loose_flush.done():
                await asyncio.wait({self._loose_flush})
        changes = self.take_staged(belongs)
        if not changes:
            return
        try:
            async with unit_of_work(self._session_factory) as session:
                await self.write_in(session, changes.items())
        except BaseException:
            self.restage(changes)
            raise
        self.confirm(changes)

    def take_staged(
        self, belongs: Callable[[StateKey], bool] | None = None
    ) -> dict[StateKey, str | None]:
        """The staged changes `belongs` accepts (all when None) and the loose inbox rows,
        taken out of the stage: the caller writes them, then `confirm`s or `restage`s."""
        if belongs is None:
            taken, self._staged = self._staged, {}
            return taken
        taken = {
            key: value
            for key, value in self._staged.items()
            if belongs(key) or (key[0] == INBOX and key[1] in self._loose)
        }
        for key in taken:
            del self._staged[key]
        return taken

    def confirm(self, changes: dict[StateKey, str | None]) -> None:
        """`changes` are committed: the database holds them now."""
        for state_key, encoded in changes.items():
            if encoded is None:
                self._stored.pop(state_key, None)
                if state_key[0] == INBOX:
                    self._loose.discard(state_key[1])
            else:
                self._stored[state_key] = encoded
        if not self._loose and self._loose_timer is not None:
            # Another write took the loose rows: no write of their own is due.
            self._loose_timer.cancel()
            self._loose_timer = None

    def restage(self, changes: dict[StateKey, str | None]) -> None:
        """`changes` were not committed: staged again, under anything staged since."""
        self._staged = changes | self._staged

    def stored(self, key: StateKey) -> Any:
        """What the database holds for `key` (None: no row), as data."""
        encoded = self._stored.get(key)
        return None if encoded is None else json.loads(encoded)

    async def write_in(
        self,
        session: AsyncSession,
        changes: Iterable[tuple[StateKey, str | None]] | dict[StateKey, str | None],
    ) -> None:
        """Execute the changes in `session`; committing is the caller's."""
        items = changes.items() if isinstance(changes, dict) else changes
        upserts: list[dict[str, Any]] = []
        deletions: list[dict[str, Any]] = []
        now = utcnow()
        for (namespace, key), encoded in items:
            if encoded is None:
                deletions.append({"state_namespace": namespace, "state_key": key})
            else:
                upserts.append(
                    {
                        "namespace": namespace,
                        "key": key,
                        "data": encoded,  # the JSON text as it is (see _Statements)
                        "updated_at": now,
                    }
                )
        if not deletions and not upserts:
            return
        # On the session's connection, as Core: these are plain table statements, and the
        # ORM's execution layer around them cost CPU on every update for nothing.
        connection = await session.connection()
        statements = self._prepared(connection.dialect.name)
        if deletions:
            await connection.execute(statements.delete, deletions)
        if upserts:
            await connection.execute(statements.upsert, upserts)

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
            async with unit_of_work(self._session_factory) as session:
                await self.write_in(session, fresh)
            self._stored.update(fresh)
        self._take_in_hand(update_id for update_id, _payload in updates)

    def is_recorded(self, update_id: int) -> bool:
        return (INBOX, str(update_id)) in self._stored

    def _take_in_hand(self, update_ids: Iterable[int]) -> None:
        self._in_hand.update(update_ids)
        if len(self._in_hand) >= self.room_from:
            self._room.clear()

    def mark_handled(self, update_id: int) -> None:
        """Staged: deleted in the same transaction as the state the update led to."""
        self._stage(INBOX, str(update_id), None)
        self._in_hand.discard(update_id)
        if len(self._in_hand) < self.room_from:
            self._room.set()

    def hold_replies(self, update_id: int, chat_id: int | None, records: list[Any]) -> None:
        """Instead of deleting the update's inbox row, keep in it the replies about to be sent.

        Written in the update's transaction: if the process dies before they are sent, the
        next leader sends them (bot/inbox.py). `release` deletes the row once they are."""
        self._stage(INBOX, str(update_id), {HELD_REPLIES: records, "chat_id": chat_id})

    def release(self, update_id: int) -> None:
        """The update's replies are sent: its row goes with the next write, whoever's.

        A write of its own follows within `RELEASE_DELAY` when no other comes: a process
        killed before that sends those replies once more (the documented edge)."""
        key = str(update_id)
        self._stage(INBOX, key, None)
        if (INBOX, key) in self._staged:
            self._loose.add(key)
            self._flush_loose_soon()

    def _flush_loose_soon(self) -> None:
        if self._loose_timer is not None:
            return
        loop = asyncio.get_running_loop()
        self._loose_timer = loop.call_later(RELEASE_DELAY, self._start_loose_flush)

    def _start_loose_flush(self) -> None:
        self._loose_timer = None
        self._loose_flush = asyncio.ensure_future(self._flush_loose())

    async def _flush_loose(self) -> None:
        try:
            await self.flush(belongs=_nothing_else)
        except Exception:
            _LOGGER.exception("inbox: rows of sent replies not deleted; will retry")
            self._flush_loose_soon()

    async def wait_for_room(self, limit: float) -> None:
        """Until fewer than `room_from` recorded updates are unhandled, or `limit` seconds."""
        if self._room.is_set():
            return
        try:
            await asyncio.wait_for(self._room.wait(), limit)
        except TimeoutError:
            return

    async def unhandled_updates(self) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """What a previous process left: updates not handled (in order), and by update id
        the replies it committed and maybe did not send ({HELD_REPLIES: [...], "chat_id"})."""
        stored = await self._load(INBOX)
        held = {int(key): value for key, value in stored.items() if HELD_REPLIES in value}
        updates = {int(key): value for key, value in stored.items() if int(key) not in held}
        self._take_in_hand(updates)
        return [updates[update_id] for update_id in sorted(updates)], held

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


def _nothing_else(_key: StateKey) -> bool:
    return False


def _encode(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class _Statements:
    """The two statements of every state write, built once per dialect."""

    def __init__(self, dialect: str) -> None:
        table = cast(Table, BotStateEntry.__table__)  # declared, so a Table
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        # `data` is bound as the JSON text the persistence already holds (`_encode`), not
        # as data for the JSON column to serialise: decoding it per row only for the
        # column to encode it again cost CPU on every write. SQLite keeps JSON as text;
        # PostgreSQL's json column takes the text through a cast.
        text = bindparam("data", type_=String)
        data = sql_cast(text, JSON) if dialect == "postgresql" else type_coerce(text, String)
        statement = insert(table).values(
            namespace=bindparam("namespace"),
            key=bindparam("key"),
            data=data,
            updated_at=bindparam("updated_at"),
        )
        # One statement whether the row exists or not (both dialects have ON CONFLICT).
        self.upsert: Insert = statement.on_conflict_do_update(
            index_elements=[table.c.namespace, table.c.key],
            set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
        )
        self.delete: Delete = delete(table).where(
            table.c.namespace == bindparam("state_namespace"),
            table.c.key == bindparam("state_key"),
        )

"""python-telegram-bot persistence in our own database, so conversations survive restarts.

Only conversation states and `user_data` (the drafts of half-filled forms) are kept;
they must be JSON-serialisable: store dates as ISO strings, ids as ints.
"""

from __future__ import annotations

import json
from collections import defaultdict
from copy import deepcopy
from typing import Any

from sqlalchemy import delete, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db import SessionFactory, unit_of_work
from bot.models import BotStateEntry

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, session_factory: SessionFactory, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._session_factory = session_factory

    async def _load(self, namespace: str) -> dict[str, Any]:
        async with unit_of_work(self._session_factory) as session:
            rows = await session.scalars(
                select(BotStateEntry).where(BotStateEntry.namespace == namespace)
            )
            return {row.key: row.data for row in rows}

    async def _save(self, namespace: str, key: str, data: Any) -> None:
        # A round trip through JSON catches a non-serialisable draft at write time.
        plain = json.loads(json.dumps(data))
        async with unit_of_work(self._session_factory) as session:
            await session.merge(BotStateEntry(namespace=namespace, key=key, data=plain))

    async def _drop(self, namespace: str, key: str) -> None:
        async with unit_of_work(self._session_factory) as session:
            await session.execute(
                delete(BotStateEntry).where(
                    BotStateEntry.namespace == namespace, BotStateEntry.key == key
                )
            )

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        stored = await self._load(USER_DATA)
        return defaultdict(dict, {int(key): value for key, value in stored.items()})

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        if data:
            await self._save(USER_DATA, str(user_id), deepcopy(data))
        else:
            await self._drop(USER_DATA, str(user_id))

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop(USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Nothing to refresh: one process handles updates at a time."""

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load(CONVERSATION_PREFIX + name)
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        encoded = json.dumps(list(key))
        if new_state is None:
            await self._drop(CONVERSATION_PREFIX + name, encoded)
        else:
            await self._save(CONVERSATION_PREFIX + name, encoded, new_state)

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

    async def flush(self) -> None:
        return None

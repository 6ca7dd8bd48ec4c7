"""Updates survive a crash between their receipt and their handling.

python-telegram-bot confirms updates to Telegram on its next `getUpdates` (and a webhook
answers 200) as soon as they are queued, not when they are handled: a process killed with
updates queued or in hand lost them, and the people who sent them got no answer. Here each
update is written to the database before it enters the queue and deleted in the same
transaction as the conversation state it led to (`SequentialPersistingProcessor`); the
next leader puts what is left back in the queue before it takes new updates. An update
that Telegram sends again meanwhile is dropped as a duplicate by its id
(`handlers/protection.py`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application

from bot.persistence import DatabasePersistence
from bot.update_cleaning import clean_update_data

_LOGGER = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The application's update queue, writing each update down before queueing it."""

    def __init__(self) -> None:
        super().__init__()
        self.persistence: DatabasePersistence | None = None

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            data = item.to_dict()
            # The input boundary: names and typed text are cleaned before anyone sees them.
            if clean_update_data(data):
                item = Update.de_json(data, _bot_of(item))
        if isinstance(item, Update) and self.persistence is not None:
            try:
                await self.persistence.record_received(item.update_id, data)
            except Exception:
                # Handling it unrecorded beats dropping it: only a crash now would lose it.
                _LOGGER.exception("update %s not recorded in the inbox", item.update_id)
        await super().put(item)

    async def requeue(self, item: Update) -> None:
        await super().put(item)


def _bot_of(update: Update):  # type: ignore[no-untyped-def]
    try:
        return update.get_bot()
    except RuntimeError:  # an update built without a bot (some tests)
        return None


async def replay_unhandled(application: Application) -> int:
    """Queue again what a previous process received and did not finish; before polling."""
    persistence = application.persistence
    queue = application.update_queue
    if not isinstance(persistence, DatabasePersistence) or not isinstance(
        queue, DurableUpdateQueue
    ):
        return 0
    payloads = await persistence.unhandled_updates()
    for payload in payloads:
        await queue.requeue(Update.de_json(payload, application.bot))
    if payloads:
        _LOGGER.info("inbox: %d update(s) received before a restart queued again", len(payloads))
    return len(payloads)

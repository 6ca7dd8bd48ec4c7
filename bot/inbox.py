"""Updates survive a crash between their receipt and their handling.

python-telegram-bot confirms updates to Telegram on its next `getUpdates` (and a webhook
answers 200) as soon as they are queued, not when they are handled: a process killed with
updates queued or in hand lost them, and the people who sent them got no answer. Here each
update is written to the database before it enters the queue and deleted in the same
transaction as the conversation state and the domain work it led to (bot/update_work.py);
the next leader puts what is left back in the queue before it takes new updates, and sends
the replies an update committed and did not get to send (kept in its row meanwhile). An update
that Telegram sends again meanwhile is dropped as a duplicate by its id
(`handlers/protection.py`).

Polling (`BatchedPolling`): python-telegram-bot asks for the next batch as soon as the
last one is queued, so under load every `getUpdates` brought about one update and each
update paid its own inbox transaction. Here the next batch is fetched when a lane is free
for it, that is when fewer updates are in hand than the lanes run at once (or after
`HOLD_SECONDS`), and a whole batch is written down in one transaction before any of it is
queued. Under load the lanes stay full and batches large; at a person's pace an update is
fetched at once, never held behind a slow one (waiting for the whole batch to be handled
did that: one slow update held every update that came after it).

Flood control (`admits`, the lanes' verdict on receipt: bot/lanes.py, handlers/
protection.py) decides on each update before it is written down, in the order received:
a flooder's update that will be dropped is never written, so it costs the people in the
same batch nothing and can never be replayed after a restart (a replayed update would meet
a fresh flood gate and be handled). The one «slow down» warning still goes out in the
flooder's lane; only a crash before it is sent loses it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application

from bot.handlers.replies import send_recorded
from bot.persistence import HELD_REPLIES, DatabasePersistence
from bot.update_cleaning import clean_update_data

_LOGGER = logging.getLogger(__name__)
HOLD_SECONDS = 0.1  # longest wait for a free lane before fetching the next batch
# Whether an update will be handled (False: flood control drops it); asked once per update.
Admits = Callable[[Update], bool]


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue, writing each update down before queueing it."""

    def __init__(self) -> None:
        super().__init__()
        self.persistence: DatabasePersistence | None = None
        self.admits: Admits | None = None
        # Updates cleaned on receipt and not yet queued, with their data, by update id.
        self._cleaned: dict[int, tuple[Update, dict[str, Any]]] = {}

    def dropped_on_receipt(self, update: Update) -> bool:
        """Flood control's verdict, taken on receipt (asked again, the same answer)."""
        return self.admits is not None and not self.admits(update)

    def clean(self, update: Update) -> tuple[Update, dict[str, Any]]:
        """The input boundary: the update with its names and typed text cleaned, and the
        cleaned update as data (what the inbox keeps). One `to_dict` per update: polling
        cleans a batch on receipt (`BatchedPolling`) and `put` takes the result as it is."""
        data = update.to_dict()
        if clean_update_data(data):
            update = Update.de_json(data, _bot_of(update))
        self._cleaned[update.update_id] = (update, data)
        return update, data

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            cleaned = self._cleaned.pop(item.update_id, None)
            if cleaned is None or cleaned[0] is not item:
                # Not cleaned on receipt (the webhook, a batch not fetched by us).
                self.clean(item)
                cleaned = self._cleaned.pop(item.update_id)
            item, data = cleaned
            if (
                self.persistence is not None
                and not self.dropped_on_receipt(item)
                and not self.persistence.is_recorded(item.update_id)
            ):
                try:
                    await self.persistence.record_received(item.update_id, data)
                except Exception:
                    # Handling it unrecorded beats dropping it: only a crash now would lose it.
                    _LOGGER.exception("update %s not recorded in the inbox", item.update_id)
        await super().put(item)

    async def requeue(self, item: Update) -> None:
        await super().put(item)


def _bot_of(update: Update) -> Bot | None:
    try:
        return update.get_bot()
    except RuntimeError:  # an update built without a bot (some tests)
        return None


async def replay_unhandled(application: Application) -> int:
    """Before polling: send the replies a previous process committed and did not send, and
    queue again, in order, what it received and did not finish."""
    persistence = application.persistence
    queue = application.update_queue
    if not isinstance(persistence, DatabasePersistence) or not isinstance(
        queue, DurableUpdateQueue
    ):
        return 0
    payloads, held = await persistence.unhandled_updates()
    for update_id, replies in sorted(held.items()):
        try:
            await send_recorded(application.bot, replies.get("chat_id"), replies[HELD_REPLIES])
        except Exception:
            # Sent once at most: a reply is not worth holding up every other update for.
            _LOGGER.exception("inbox: the held replies of update %s not sent", update_id)
        persistence.release(update_id)
    if held:
        _LOGGER.info("inbox: replies of %d update(s) held before a restart sent", len(held))
    for payload in payloads:
        await queue.requeue(Update.de_json(payload, application.bot))
    if payloads:
        _LOGGER.info("inbox: %d update(s) received before a restart queued again", len(payloads))
    return len(payloads)


class BatchedPolling:
    """The bot as the Updater sees it: `getUpdates` fetches when a lane is free, records the
    batch.

    Everything else is the application's own bot, unchanged."""

    def __init__(
        self, bot: Bot, persistence: DatabasePersistence, queue: DurableUpdateQueue | None = None
    ) -> None:
        self._bot = bot
        self._persistence = persistence
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        timeout = kwargs.get("timeout")
        if isinstance(timeout, dtm.timedelta):
            timeout = timeout.total_seconds()
        # The Updater's last call on stop (timeout 0) only confirms what it queued; what it
        # returns is dropped and Telegram sends it again, so it is not recorded.
        confirming_only = timeout == 0
        if not confirming_only:
            await self._persistence.wait_for_room(HOLD_SECONDS)
        updates: tuple[Update, ...] = await self._bot.get_updates(*args, **kwargs)
        if not updates or confirming_only:
            return updates
        # Flood control first, in receipt order: what it drops is not written down.
        kept: list[tuple[int, dict[str, Any]]] = []
        received: list[Update] = []
        for update in updates:
            if self._queue is None:
                data = update.to_dict()
            elif self._queue.dropped_on_receipt(update):
                received.append(update)  # cleaned by the queue, never written down
                continue
            else:
                # Cleaned once, here: the inbox keeps the clean update, and the queue
                # takes this one as it is (`DurableUpdateQueue.put`).
                update, data = self._queue.clean(update)
            kept.append((update.update_id, data))
            received.append(update)
        try:
            await self._persistence.record_batch(kept)
        except Exception:
            # The queue tries each one again (DurableUpdateQueue.put).
            _LOGGER.exception("inbox: a batch of %d update(s) not recorded", len(kept))
        return tuple(received)


def batch_polling(application: Application, lanes: int = 1) -> None:
    """Poll through `BatchedPolling` (the webhook path keeps one write per update); the next
    batch is fetched when fewer than `lanes` updates are in hand."""
    persistence = application.persistence
    if application.updater is not None and isinstance(persistence, DatabasePersistence):
        persistence.room_from = lanes
        # A stand-in for the Bot (it forwards everything but getUpdates), not a Bot subclass.
        queue = application.update_queue
        durable = queue if isinstance(queue, DurableUpdateQueue) else None
        application.updater.bot = BatchedPolling(application.bot, persistence, durable)  # type: ignore[assignment]

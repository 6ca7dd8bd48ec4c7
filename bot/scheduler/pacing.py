"""Telegram's pace, kept by the sender itself: ≤ 30 messages a second, ≤ 1 a second per chat.

AIORateLimiter paces the overall rate but not private chats, and a reminder sweep often
queues several messages for one person; so the sender waits here before every send.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict


class Pacer:
    def __init__(
        self, per_second: float = 29.0, per_chat_interval: float = 1.05, catch_up: int = 3
    ) -> None:
        # A little under the limits: the server's clock and ours are not the same clock.
        self.interval = 1.0 / per_second
        # Slots lost to our own database work may be made up, a few at most: Telegram
        # tolerates short bursts, and the average stays under the limit.
        self.catch_up = catch_up
        self.per_chat_interval = per_chat_interval
        self._next_global = 0.0
        self._next_chat: OrderedDict[int, float] = OrderedDict()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after: nobody sends until then."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def delay_for(self, chat_id: int) -> float:
        now = time.monotonic()
        return max(
            0.0,
            self._paused_until - now,
            self._next_global - now,
            self._next_chat.get(chat_id, 0.0) - now,
        )

    def chat_delay(self, chat_id: int) -> float:
        return max(0.0, self._next_chat.get(chat_id, 0.0) - time.monotonic())

    async def wait(self, chat_id: int) -> None:
        delay = self.delay_for(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.monotonic()
        self._next_global = (
            max(self._next_global, now - self.catch_up * self.interval) + self.interval
        )
        self._next_chat[chat_id] = now + self.per_chat_interval
        self._next_chat.move_to_end(chat_id)
        if len(self._next_chat) > 10_000:
            self._next_chat.popitem(last=False)

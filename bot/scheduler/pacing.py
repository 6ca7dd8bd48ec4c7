"""Telegram's pace, counted the way Telegram counts it: in rolling windows.

Never more than 30 messages in any rolling second overall, never more than one a second
to a private chat, never more than 20 a minute to a group. Each window keeps the exact
times of its sends (no token bucket: a bucket lets a burst plus its refill into one
rolling second). A send occupies its window from the moment it starts until `period`
after its answer came back: the server stamped it somewhere in between, so the next
send can never land inside the server's window, whatever the network did.

One Pacer serves the whole bot token: the outbox sender and the replies (through
`bot/rate_limit.py`) share it, because Telegram counts them together.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

ChatKey = int | str

OVERALL_PER_SECOND = 30
PRIVATE_PER_SECOND = 1
GROUP_PER_MINUTE = 20

# Set while a caller holds its own slot, so the bot's rate limiter does not take a second one.
_paced_by_caller: contextvars.ContextVar[bool] = contextvars.ContextVar("paced", default=False)


@contextmanager
def paced_by_caller() -> Iterator[None]:
    token = _paced_by_caller.set(True)
    try:
        yield
    finally:
        _paced_by_caller.reset(token)


def is_paced_by_caller() -> bool:
    return _paced_by_caller.get()


class RollingWindow:
    """At most `limit` sends in any `period` seconds, counted from exact send times."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.finished: deque[float] = deque()  # answer times, oldest first
        self.in_flight = 0

    def delay(self, now: float) -> float | None:
        """0 when a send may start now; seconds to wait; None if only an answer can free a slot."""
        while self.finished and self.finished[0] + self.period <= now:
            self.finished.popleft()
        excess = self.in_flight + len(self.finished) - self.limit + 1
        if excess <= 0:
            return 0.0
        if excess > len(self.finished):
            return None
        return self.finished[excess - 1] + self.period - now

    @property
    def idle(self) -> bool:
        return not self.in_flight and not self.finished


def chat_window(chat: ChatKey) -> RollingWindow:
    """Private chats have positive ids; groups and channels negative ids or @names."""
    if isinstance(chat, int) and chat > 0:
        return RollingWindow(PRIVATE_PER_SECOND, 1.0)
    return RollingWindow(GROUP_PER_MINUTE, 60.0)


class Pacer:
    def __init__(
        self,
        per_second: int = OVERALL_PER_SECOND,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        max_chats: int = 10_000,
    ) -> None:
        self.overall = RollingWindow(per_second, 1.0)
        self.clock = clock
        self.sleep = sleep
        self.max_chats = max_chats
        self.per_chat_interval = 1.0 / PRIVATE_PER_SECOND
        self._chats: OrderedDict[ChatKey, RollingWindow] = OrderedDict()
        self._paused_until = 0.0
        self._chat_paused_until: dict[ChatKey, float] = {}
        self._answered = asyncio.Event()

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after about everything: nobody sends until then."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def pause_chat(self, chat: ChatKey, seconds: float) -> None:
        """Telegram said 429 retry_after about one chat: only that chat waits."""
        until = self.clock() + seconds
        self._chat_paused_until[chat] = max(self._chat_paused_until.get(chat, 0.0), until)

    def _chat(self, chat: ChatKey) -> RollingWindow:
        window = self._chats.get(chat)
        if window is None:
            window = self._chats[chat] = chat_window(chat)
            self._forget_idle_chats()
        self._chats.move_to_end(chat)
        return window

    def _forget_idle_chats(self) -> None:
        now = self.clock()
        while len(self._chats) > self.max_chats:
            chat, oldest = next(iter(self._chats.items()))
            if oldest.in_flight or oldest.delay(now) != 0.0:
                break  # still counting: keep it, even past the cap
            del self._chats[chat]
            self._chat_paused_until.pop(chat, None)

    def chat_delay(self, chat: ChatKey) -> float:
        """Seconds until this chat may be written to again (1 when only an answer can tell)."""
        now = self.clock()
        paused = self._chat_paused_until.get(chat, 0.0) - now
        window = self._chats.get(chat)
        wait = window.delay(now) if window is not None else 0.0
        return max(0.0, paused, self.per_chat_interval if wait is None else wait)

    def _delay(self, chat: ChatKey) -> float | None:
        now = self.clock()
        waits = [
            self.overall.delay(now),
            self._chat(chat).delay(now),
            self._paused_until - now,
            self._chat_paused_until.get(chat, 0.0) - now,
        ]
        if None in waits:
            return None
        return max(0.0, *(wait for wait in waits if wait is not None))

    async def wait(self, chat: ChatKey) -> None:
        """Waits for a free slot and takes it; `done(chat)` must follow the send."""
        while True:
            delay = self._delay(chat)
            if delay == 0.0:
                break
            if delay is None:
                await self._answered.wait()
            else:
                await self.sleep(delay)
        # No await between the check and the reservation: concurrent senders cannot share a slot.
        self.overall.in_flight += 1
        self._chat(chat).in_flight += 1

    def done(self, chat: ChatKey) -> None:
        """The send's answer came back (or it failed): its slot counts from now."""
        now = self.clock()
        for window in (self.overall, self._chat(chat)):
            window.in_flight -= 1
            window.finished.append(now)
        answered, self._answered = self._answered, asyncio.Event()
        answered.set()


def retry_after_seconds(value: object) -> float:
    """PTB gives a 429's retry_after as seconds or a timedelta, depending on its settings."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]

"""The Pacer against a fake clock: never more than Telegram's rolling-window limits."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from bot.scheduler.pacing import Pacer


class FakeClock:
    """Time moves only when someone sleeps; sleeping also lets other tasks run."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Send:
    chat: int
    start: float
    end: float


async def _send(pacer: Pacer, clock: FakeClock, chat: int, latency: float, log: list[Send]) -> None:
    await pacer.wait(chat)
    start = clock.now
    await clock.sleep(latency)  # the request in flight; the server stamps it in [start, end]
    log.append(Send(chat, start, clock.now))
    pacer.done(chat)


def _assert_within_telegram_limits(log: list[Send]) -> None:
    by_start = sorted(log, key=lambda send: send.start)
    # Whenever the server stamped them, the 1st and the 31st cannot share a rolling second.
    for first, thirty_first in zip(by_start, by_start[30:], strict=False):
        assert thirty_first.start - first.end >= 1.0 - 1e-9
    last_to: dict[int, Send] = {}
    for send in by_start:
        if send.chat in last_to:
            assert send.start - last_to[send.chat].end >= 1.0 - 1e-9
        last_to[send.chat] = send


def _max_in_any_rolling_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for other in stamps if stamp <= other < stamp + 1.0) for stamp in stamps)


async def test_one_sender_never_exceeds_thirty_a_second_and_keeps_the_pace() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    rng = random.Random(15)
    log: list[Send] = []
    chats = [1000 + n for n in range(300)]
    for chat in chats:
        await _send(pacer, clock, chat, rng.uniform(0.001, 0.02), log)
    _assert_within_telegram_limits(log)
    assert _max_in_any_rolling_second([send.start for send in log]) == 30
    assert _max_in_any_rolling_second([send.end for send in log]) <= 30
    ideal = len(chats) / 30
    assert clock.now <= ideal * 1.05  # paced, not slowed: within 5 % of N / 30


async def test_concurrent_replies_and_repeated_chats_stay_within_limits() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    rng = random.Random(7)
    log: list[Send] = []
    chats = [rng.choice([1, 2, 3, *range(100, 160)]) for _ in range(240)]
    await asyncio.gather(
        *(_send(pacer, clock, chat, rng.uniform(0.0, 0.05), log) for chat in chats)
    )
    assert len(log) == 240
    _assert_within_telegram_limits(log)
    assert pacer.overall.in_flight == 0


async def test_a_group_gets_twenty_a_minute() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    log: list[Send] = []
    for _ in range(41):
        await _send(pacer, clock, -100500, 0.01, log)
    starts = [send.start for send in log]
    for first, twenty_first in zip(starts, starts[20:], strict=False):
        assert twenty_first - first >= 60.0
    assert clock.now < 121.0


async def test_a_chat_paused_by_telegram_waits_and_others_do_not() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.pause_chat(5, 3.0)
    assert pacer.chat_delay(5) == 3.0 and pacer.chat_delay(6) == 0.0
    log: list[Send] = []
    await _send(pacer, clock, 6, 0.01, log)
    assert log[-1].start == 0.0
    await _send(pacer, clock, 5, 0.01, log)
    assert log[-1].start >= 3.0

"""Update handling: our bot versus python-telegram-bot's bare echo bot on the same fake API.

    python -m bench.updates --db sqlite --updates 20000 --users 500 --repeat 3
    python -m bench.updates --db postgresql --updates 20000 --users 500 --repeat 3
    python -m bench.updates --updates 2000 --users 100 --repeat 1   # quick run, ~1 minute

Each bot runs in a process of its own (`bench.update_bot`) and polls the fake Bot API,
which runs here with the simulated users, as Telegram runs on its own servers; the bot
reports every update it has finished. Each user (a curator with one school) repeats a
script of commands, button presses and visit-form steps, sending the next update only
after the previous one was handled, as a person does. Two measurements per bot:

- saturation: all users at once, no pause — throughput (updates/s) and the bot process's
  CPU per update. Latency here is queueing (every update waits behind the others: Little's
  law), so it is printed but is not the latency target.
- paced: the same users with a random think time between steps, so that together they
  offer `--paced-rate` updates a second — p50/p99 from an update being queued at the
  fake API to its handling finished (the reply sent).

One warm-up cycle per user is not measured; saturation runs `--repeat` times and the
median is reported with each run's number.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from bench.fanout import _database, _drop
from bench.gc_pauses import GcClock
from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.records import FakeUser
from bot.models import Role, TelegramAccount
from bot.schema import upgrade_to_head
from tests.support.factories import make_municipality, make_person, make_school

TOKEN = "123456:BENCH-UPDATES"
PRESS = "<press the first button>"
# Commands, the visit form (school is skipped for one school: date → format), cancel,
# history, the roadmap, help.
SCRIPT = ["/start", "/visit", PRESS, PRESS, "/cancel", "/visits", "/roadmap", PRESS, "/help"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DRIVER_GC = GcClock()


def _step(fake: FakeTelegram, user: FakeUser, step: str) -> int:
    if step == PRESS:
        last = fake.last_message(user.id)
        if last is not None and last.buttons and last.buttons[0][0][1]:
            return fake.press(user, last.message_id, last.buttons[0][0][1])
        step = "/whoami"
    return fake.send_text(user, step)


class BotProcess:
    """A bot under test in its own process; `handled` waits for its report of an update."""

    def __init__(self, which: str, fake: FakeTelegram, database_url: str) -> None:
        self.which = which
        self._env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        self._process: asyncio.subprocess.Process | None = None
        self._done: dict[int, float] = {}
        # With --trace: per update id, the bot's marks (bench/update_bot.py TRACE_STAGES).
        self.traces: dict[int, list[float]] = {}
        self._arrived = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.update_bot",
            self.which,
            env=self._env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        ready = await asyncio.wait_for(self._process.stdout.readline(), 60)
        if ready.strip() != b"ready":
            raise RuntimeError(f"{self.which} bot did not start: {ready!r}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for line in self._process.stdout:
            update_id, *marks = line.split()
            self._done[int(update_id)] = time.perf_counter()
            if marks:
                self.traces[int(update_id)] = [float(mark) for mark in marks]
            self._arrived.set()

    async def handled(self, update_id: int) -> float:
        """When the bot reported the update handled."""
        while update_id not in self._done:
            self._arrived.clear()
            await self._arrived.wait()
        return self._done.pop(update_id)

    def cpu_seconds(self) -> float:
        """User + system CPU the bot process has used so far (Linux /proc)."""
        assert self._process is not None
        with open(f"/proc/{self._process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    async def stop(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.close()
        await asyncio.wait_for(self._process.wait(), 60)
        if self._reader is not None:
            self._reader.cancel()


@dataclass
class Phase:
    updates: int
    elapsed: float
    latencies: list[float]
    bot_cpu: float
    driver_cpu: float
    # (update id, queued, finished, driver's GC ms meanwhile) per step, for --trace
    steps: list[tuple[int, float, float, float]]

    @property
    def rate(self) -> float:
        return self.updates / self.elapsed

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    @property
    def cpu_ms_per_update(self) -> float:
        return self.bot_cpu / self.updates * 1000


async def _phase(
    bot: BotProcess,
    fake: FakeTelegram,
    users: list[FakeUser],
    per_user: int,
    think: Callable[[], float] | None = None,
) -> Phase:
    latencies: list[float] = []
    steps: list[tuple[int, float, float, float]] = []

    async def person(user: FakeUser) -> None:
        for n in range(per_user):
            if think is not None:
                await asyncio.sleep(think())
            queued, collected = time.perf_counter(), DRIVER_GC.total
            update_id = _step(fake, user, SCRIPT[n % len(SCRIPT)])
            finished = await bot.handled(update_id)
            latencies.append(finished - queued)
            steps.append((update_id, queued, finished, (DRIVER_GC.total - collected) * 1000))

    cpu_before, driver_before = bot.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(person(user) for user in users))
    elapsed = time.perf_counter() - started
    return Phase(
        updates=len(latencies),
        elapsed=elapsed,
        latencies=latencies,
        bot_cpu=bot.cpu_seconds() - cpu_before,
        driver_cpu=(time.process_time() - driver_before) / elapsed,
        steps=steps,
    )


@dataclass
class Result:
    which: str
    saturation: list[Phase]
    paced: Phase

    @property
    def rate(self) -> float:
        return statistics.median(phase.rate for phase in self.saturation)


async def _measure(
    which: str,
    name: str,
    url: str,
    ids: list[int],
    per_user: int,
    repeat: int,
    paced: tuple[int, float],
) -> Result:
    paced_per_user, paced_rate = paced
    async with FakeTelegram(token=TOKEN) as fake:
        bot = BotProcess(which, fake, url)
        await bot.start()
        try:
            users = [fake.user(i, first_name="Куратор") for i in ids]
            await _phase(bot, fake, users, len(SCRIPT))  # warm-up
            saturation = [await _phase(bot, fake, users, per_user) for _ in range(repeat)]
            mean_think = len(users) / paced_rate
            # The fake API holds every message of the saturation runs: a full collection of
            # this process would pause it (and the timing) for tens of ms, which Telegram
            # does not do to a bot. Frozen for the paced phase, for both bots alike.
            gc.collect()
            gc.freeze()
            try:
                paced_phase = await _phase(
                    bot,
                    fake,
                    users,
                    paced_per_user,
                    think=lambda: random.expovariate(1 / mean_think),
                )
            finally:
                gc.unfreeze()
        finally:
            await bot.stop()
        assert fake.errors == [], fake.errors[:3]
    if bot.traces:
        _explain(paced_phase, bot.traces)
        print(f"driver's garbage collector: {DRIVER_GC.summary()}")
    return Result(name, saturation, paced_phase)


TRACE_SPANS = (
    "until fetched",
    "inbox write",
    "until lane",
    "handler",
    "commit",
    "replies",
    "report read",
    "bot GC",
    "driver GC",
)


def _explain(phase: Phase, traces: dict[int, list[float]]) -> None:
    """Where the slowest 1 % of the paced updates spent their time, beside the median one.

    «bot GC» and «driver GC» overlap the spans before them: the collector paused the bot
    (since the fetch) or this driver and its fake API (since the update was queued)."""
    traced = sorted(
        (finished - queued, update_id, queued, finished, driver_gc)
        for update_id, queued, finished, driver_gc in phase.steps
        if update_id in traces
    )
    if not traced:
        return
    slowest = traced[-max(1, len(traced) // 100) :]
    began = min(queued for _total, _id, queued, _finished, _gc in traced)
    print(f"where the time went (ms), the median update and the slowest {len(slowest)}:")
    print(f"{'total':>8} " + " ".join(f"{span:>13}" for span in TRACE_SPANS) + "  at (s)")
    for total, update_id, queued, finished, driver_gc in [traced[len(traced) // 2], *slowest]:
        fetched, recorded, started, worked, committed, done, bot_gc = traces[update_id]
        committed = committed or worked  # nothing written: no commit
        points = [queued, fetched, recorded, started, worked, committed, done, finished]
        spans = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(points)]
        print(
            f"{total * 1000:>8.1f} "
            + " ".join(f"{span:>13.1f}" for span in [*spans, bot_gc, driver_gc])
            + f"  {queued - began:7.1f}"
        )


async def _people(url: str, count: int) -> list[int]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        city = await make_municipality(session)
        schools = [await make_school(session, city) for _ in range(max(1, count // 10))]
        for n in range(count):
            await make_person(
                session, Role.CURATOR, municipality=city, curated=[schools[n % len(schools)]]
            )
        await session.commit()
        ids = list((await session.scalars(select(TelegramAccount.telegram_user_id))).all())
    await engine.dispose()
    return ids


def _print(results: list[Result], args: argparse.Namespace, per_user: int) -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"database: {args.db}; saturation: {per_user * args.users} updates from {args.users} "
        f"users, {args.repeat} run(s); paced: {args.paced_rate:g} updates/s offered"
    )
    print(
        f"{'bot':<14} {'updates/s':>10} {'runs':>22} {'CPU ms/upd':>11} {'driver CPU':>11}"
        f" {'sat. p50':>9} {'paced p50':>10} {'paced p99':>10} {'paced upd/s':>12}"
    )
    for result in results:
        runs = " ".join(f"{phase.rate:.1f}" for phase in result.saturation)
        middle = sorted(result.saturation, key=lambda phase: phase.rate)[
            len(result.saturation) // 2
        ]
        print(
            f"{result.which:<14} {result.rate:>10.1f} {runs:>22} {middle.cpu_ms_per_update:>11.2f}"
            f" {middle.driver_cpu:>10.0%} {middle.percentile_ms(0.5):>8.0f}ms"
            f" {result.paced.percentile_ms(0.5):>8.1f}ms {result.paced.percentile_ms(0.99):>8.1f}ms"
            f" {result.paced.rate:>12.1f}"
        )
    ours, echo = results
    print(f"ratio (ours / echo throughput): {ours.rate / echo.rate:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--updates", type=int, default=20000, help="per saturation run")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="saturation runs (median)")
    parser.add_argument("--paced-rate", type=float, default=50.0, help="updates/s offered")
    parser.add_argument("--paced-updates", type=int, default=3000)
    parser.add_argument(
        "--trace", action="store_true", help="our bot reports when each update passed each stage"
    )
    args = parser.parse_args()
    if args.trace:
        os.environ["BENCH_TRACE"] = "1"
        DRIVER_GC.install()
    per_user = max(1, args.updates // args.users)
    paced = (max(1, args.paced_updates // args.users), args.paced_rate)
    url, name = await _database(args.db)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        ids = await _people(url, args.users)
        results = [
            await _measure(which, shown, url, ids, per_user, args.repeat, paced)
            for which, shown in (("ours", "our bot"), ("echo", "PTB echo bot"))
        ]
    finally:
        await _drop(name)
    _print(results, args, per_user)


if __name__ == "__main__":
    asyncio.run(main())

"""Resident memory of the running bot over national-scale synthetic data.

    python -m bench.memory --db sqlite --schools 5000
    python -m bench.memory --schools 500          # quick run

The data (bench/summaries.py's generator) is written by a child process, so its memory does
not count. Then this process builds the full Application (handlers, persistence, scheduler),
polls the fake Bot API and serves a script of updates from --users curators, including
/summary-class reads of their schools; it prints VmRSS after start, after the updates,
and the peak (VmHWM). Last, `python -m bot run` itself is started against the same fake
API and database and its idle VmRSS read once it polls, its start-up sweeps are done (its
CPU and its children's under 50 ms over 2 s) and the chart drawing process it starts for
the digests has ended; that child's largest VmRSS is printed too, and the VmRSS of the
children that stay (the two upload parse workers, bot/workers.py, and multiprocessing's
resource tracker). Target: idle under 150 MB (the bot's own process).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.fanout import _database, _drop
from bench.updates import PRESS, SCRIPT, TOKEN
from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.records import FakeUser
from bot.models import Notification, TelegramAccount
from bot.schema import upgrade_to_head
from tests.support.harness import BotHarness

IDLE_CPU_SECONDS = 0.05  # CPU used over IDLE_WINDOW below which the process counts as idle
IDLE_WINDOW = 2.0


def _status(field: str, pid: str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that has just ended
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _drawing(pid: int) -> list[int]:
    """The chart drawing process among the children (it ends 30 s after its last chart);
    the parse workers and multiprocessing's resource tracker stay for the bot's life."""
    found = []
    for child in _children(pid):
        with contextlib.suppress(FileNotFoundError):
            if b"bot.reports.chart" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found


def _cpu_seconds(pid: int) -> float:
    """CPU time of the process and of its live children (the chart drawing process)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a child that has just ended
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) for child in _children(pid))


async def _drive(
    harness: BotHarness, fake: FakeTelegram, users: list[FakeUser], steps: int
) -> None:
    """Every user runs the update benchmark's script, each step after the last answer."""

    async def person(user: FakeUser) -> None:
        for n in range(steps):
            step = SCRIPT[n % len(SCRIPT)]
            if step == PRESS:
                last = fake.last_message(user.id)
                if last is not None and last.buttons and last.buttons[0][0][1]:
                    await harness.press_data(user, last.message_id, last.buttons[0][0][1])
                    continue
                step = "/whoami"
            await harness.send(user, step)

    await asyncio.gather(*(person(user) for user in users))


async def _idle_process_rss(fake: FakeTelegram, url: str) -> tuple[float, float, float]:
    """VmRSS of `python -m bot run` (scheduler included) once it polls and is idle, the
    largest VmRSS seen of the chart drawing process meanwhile, and the VmRSS of its
    lasting children (the upload parse workers and the resource tracker) together."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    polls_before = fake.stats["getUpdates"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=environment, stdout=subprocess.DEVNULL
    )
    try:
        await fake.wait_for(lambda: fake.stats["getUpdates"] > polls_before, limit=120)
        # Idle: the start-up sweeps are done (the chart process, if one was started, has
        # ended: it does so 30 s after its last chart) and only polling is left.
        children = 0.0
        while True:
            before = _cpu_seconds(process.pid)
            for _ in range(int(IDLE_WINDOW / 0.25)):
                await asyncio.sleep(0.25)
                for child in _drawing(process.pid):
                    with contextlib.suppress(FileNotFoundError):  # it has just ended
                        children = max(children, _status("VmRSS", str(child)))
            quiet = _cpu_seconds(process.pid) - before < IDLE_CPU_SECONDS
            if quiet and not _drawing(process.pid):
                lasting = sum(_status("VmRSS", str(c)) for c in _children(process.pid))
                return _status("VmRSS", str(process.pid)), children, lasting
    finally:
        process.terminate()
        await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--schools", type=int, default=5000)
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    url, name = await _database(args.db)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        generator = (
            "import asyncio, sys; from bench.summaries import _generate; "
            "asyncio.run(_generate(sys.argv[1], int(sys.argv[2]), 40, 20))"
        )
        await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", generator, url, str(args.schools)], check=True
        )
        baseline = _status("VmRSS")
        engine = make_engine(url)
        factory = make_session_factory(engine)
        async with factory() as session:
            ids = (
                await session.scalars(select(TelegramAccount.telegram_user_id).limit(args.users))
            ).all()
        async with FakeTelegram(token=TOKEN) as fake:
            harness = BotHarness(fake, factory, url, flood_burst=10**6)
            await harness.start()
            started = _status("VmRSS")
            users = [fake.user(i, first_name="Куратор") for i in ids]
            await _drive(harness, fake, users, 2 * len(SCRIPT))
            after = _status("VmRSS")
            await harness.stop()
            idle_process, drawing, lasting = await _idle_process_rss(fake, url)
        async with factory() as session:  # what the start-up sweeps drew (the digest's charts)
            charts = await session.scalar(
                select(func.count(Notification.id)).where(Notification.dedupe_key.like("%:chart"))
            )
        await engine.dispose()
    finally:
        await _drop(name)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"database: {args.db}; {args.schools} schools × 40 items × 20 visits; {len(ids)} users")
    print(f"{'resident memory':<42} {'MiB':>8}")
    print(f"{'interpreter and imports (before the bot)':<42} {baseline:>8.1f}")
    print(f"{'bot started (polling, handlers)':<42} {started:>8.1f}")
    print(f"{'after the update script':<42} {after:>8.1f}")
    print(f"{'peak (VmHWM)':<42} {_status('VmHWM'):>8.1f}")
    print(f"{'`python -m bot run`, idle (target < 150)':<42} {idle_process:>8.1f}")
    print(f"{'its chart drawing process while it ran':<42} {drawing:>8.1f}")
    print(f"{'its parse workers and resource tracker, idle':<42} {lasting:>8.1f}")
    print(f"(`bot run`'s start-up sweeps queued {charts} digest charts)")


if __name__ == "__main__":
    asyncio.run(main())

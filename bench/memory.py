"""Resident memory of the running bot over national-scale synthetic data.

    python -m bench.memory --db sqlite --schools 5000
    python -m bench.memory --schools 500          # quick run

The data (bench/summaries.py's generator) is written by a child process, so its memory does
not count. Then this process builds the full Application (handlers, persistence, scheduler),
polls the fake Bot API and serves a script of updates from --users curators, including
/summary-class reads of their schools; it prints VmRSS after start, after the updates,
and the peak (VmHWM). Target: under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bench.fanout import _database, _drop
from bench.updates import SCRIPT, _drive, processed_by
from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.models import TelegramAccount
from bot.schema import upgrade_to_head
from tests.support.harness import BotHarness

TOKEN = "123456:BENCH-MEMORY"


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
            await _drive(fake, users, 2 * len(SCRIPT), processed_by(harness))
            after = _status("VmRSS")
            await harness.stop()
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


if __name__ == "__main__":
    asyncio.run(main())

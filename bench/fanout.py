"""Fan-out: N reminders to N people through the fake Bot API with Telegram's limits on.

    python -m bench.fanout --db sqlite --users 3000
    python -m bench.fanout --db postgresql --users 3000 --repeat 3
    python -m bench.fanout --users 300            # quick run, ~15 s

The real OutboxSender (bot/scheduler/sender.py) drains the outbox; the fake API enforces
Telegram's rolling windows (30 messages in any second overall, one a second per private
chat) and answers 429 past them. The ideal is N / 30 seconds; the
target is within 10% of it with zero 429s. Median of --repeat runs on fresh data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import select
from telegram import Bot

from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.models import Role, TelegramAccount
from bot.scheduler.sender import OutboxSender
from bot.schema import upgrade_to_head
from bot.services.notifications import outbox
from tests.support.factories import make_municipality, make_person

ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "123456:BENCH-FANOUT"
NOON = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg: no quiet hours
TELEGRAM_RATE = 30.0


async def _database(db: str) -> tuple[str, str | None]:
    if db == "sqlite":
        return f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/fanout.sqlite3", None
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def _drop(name: str | None) -> None:
    if name is not None:
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _one_run(db: str, users: int) -> tuple[float, int, int]:
    url, name = await _database(db)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        async with factory() as session:
            city = await make_municipality(session)
            people = [
                (await make_person(session, Role.CURATOR, municipality=city)).id
                for _ in range(users)
            ]
            for person_id in people:
                await outbox.enqueue(
                    session,
                    dedupe_key=f"bench:{person_id}",
                    recipient_person_id=person_id,
                    kind="reminder",
                    text=f"Напоминание: срок пункта дорожной карты завтра ({person_id})",
                    due_at=NOON,
                )
            await session.commit()
            chats = (await session.scalars(select(TelegramAccount.chat_id))).all()
        async with FakeTelegram(token=TOKEN, rate_limits=True) as fake:
            for chat_id in chats:
                fake.user(chat_id)
            async with Bot(TOKEN, base_url=fake.base_url) as bot:
                sender = OutboxSender(bot, factory, lambda: NOON, batch_size=100)
                started = time.perf_counter()
                sent = 0
                while sent < users:  # a 429 ends a drain; the scheduler would tick again
                    report = await sender.drain()
                    sent += report.sent
                    if report.handled == 0:
                        await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - started
            delivered = len({m.chat_id for m in fake.sent})
            refusals = fake.stats["429"]
        await engine.dispose()
        return elapsed, delivered, refusals
    finally:
        await _drop(name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    runs = [await _one_run(args.db, args.users) for _ in range(args.repeat)]
    ideal = args.users / TELEGRAM_RATE
    median = statistics.median(run[0] for run in runs)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"fan-out, {args.db}: {args.users} reminders to {args.users} people")
    print(f"{'metric':<40} {'value':>12}")
    print(f"{'ideal at 30 msg/s, s':<40} {ideal:>12.1f}")
    print(f"{'delivered in (median), s':<40} {median:>12.1f}")
    print(f"{'over the ideal, %':<40} {100 * (median / ideal - 1):>12.1f}")
    print(f"{'people reached (last run)':<40} {runs[-1][1]:>12}")
    print(f"{'429 answers (all runs)':<40} {sum(run[2] for run in runs):>12}")


if __name__ == "__main__":
    asyncio.run(main())

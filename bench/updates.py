"""Update handling: our bot versus python-telegram-bot's bare echo bot on the same fake API.

    python -m bench.updates --db sqlite --updates 20000 --users 500
    python -m bench.updates --db postgresql --updates 20000 --users 500
    python -m bench.updates --updates 2000 --users 100      # quick run, < 1 minute

Each simulated user (a curator with one school) repeats a script of commands, button
presses and visit-form steps, sending the next update only after the previous one was
handled (as a person does); all users at once. Latency: from the update being queued at
the fake API to its handling finished (the reply sent). The echo bot gets the same users
and the same script in the same run. A warm-up of one cycle per user is not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

from bench.fanout import _database, _drop
from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.records import FakeUser
from bot.models import Role, TelegramAccount
from bot.schema import upgrade_to_head
from tests.support.factories import make_municipality, make_person, make_school
from tests.support.harness import BotHarness

TOKEN = "123456:BENCH-UPDATES"
PRESS = "<press the first button>"
# Commands, the visit form (school is skipped for one school: date → format), cancel,
# history, the roadmap, help.
SCRIPT = ["/start", "/visit", PRESS, PRESS, "/cancel", "/visits", "/roadmap", PRESS, "/help"]


def _step(fake: FakeTelegram, user: FakeUser, step: str) -> int:
    if step == PRESS:
        last = fake.last_message(user.id)
        if last is not None and last.buttons and last.buttons[0][0][1]:
            return fake.press(user, last.message_id, last.buttons[0][0][1])
        step = "/whoami"
    return fake.send_text(user, step)


async def _drive(
    fake: FakeTelegram,
    users: list[FakeUser],
    per_user: int,
    handled: Callable[[int], Awaitable[None]],
) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def one(user: FakeUser) -> None:
        for n in range(per_user):
            queued = time.perf_counter()
            await handled(_step(fake, user, SCRIPT[n % len(SCRIPT)]))
            latencies.append(time.perf_counter() - queued)

    started = time.perf_counter()
    await asyncio.gather(*(one(user) for user in users))
    return time.perf_counter() - started, latencies


def processed_by(harness: BotHarness) -> Callable[[int], Awaitable[None]]:
    """The harness's wait for an update's handling, without its test timeout."""

    async def handled(update_id: int) -> None:
        while update_id not in harness._processed:
            harness._processed_event.clear()
            await harness._processed_event.wait()

    return handled


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
        from sqlalchemy import select

        ids = list((await session.scalars(select(TelegramAccount.telegram_user_id))).all())
    await engine.dispose()
    return ids


async def _ours(url: str, ids: list[int], per_user: int) -> tuple[float, list[float]]:
    engine = make_engine(url)
    async with FakeTelegram(token=TOKEN) as fake:
        harness = BotHarness(fake, make_session_factory(engine), url, flood_burst=10**6)
        await harness.start()
        users = [fake.user(i, first_name="Куратор") for i in ids]
        handled = processed_by(harness)
        try:
            await _drive(fake, users, len(SCRIPT), handled)  # warm-up
            result = await _drive(fake, users, per_user, handled)
        finally:
            await harness.stop()
        assert fake.errors == [], fake.errors[:3]
    await engine.dispose()
    return result


async def _echo(ids: list[int], per_user: int) -> tuple[float, list[float]]:
    done: set[int] = set()
    event = asyncio.Event()

    async def echo(update: Update, context: object) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        elif update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)
        done.add(update.update_id)
        event.set()

    async def handled(update_id: int) -> None:
        while update_id not in done:
            event.clear()
            await event.wait()

    async with FakeTelegram(token=TOKEN) as fake:
        application = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()
        application.add_handler(MessageHandler(filters.ALL, echo))
        application.add_handler(CallbackQueryHandler(echo))
        users = [fake.user(i, first_name="Куратор") for i in ids]
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            await _drive(fake, users, len(SCRIPT), handled)
            result = await _drive(fake, users, per_user, handled)
            await application.updater.stop()
            await application.stop()
    return result


def _row(name: str, elapsed: float, latencies: list[float]) -> tuple[str, float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return name, len(latencies) / elapsed, statistics.median(ordered) * 1000, p99 * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    per_user = max(1, args.updates // args.users)
    url, name = await _database(args.db)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        ids = await _people(url, args.users)
        ours = _row("our bot", *await _ours(url, ids, per_user))
    finally:
        await _drop(name)
    echo = _row("PTB echo bot", *await _echo(ids, per_user))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"database: {args.db}; {per_user * args.users} updates from {args.users} users")
    print(f"{'bot':<14} {'updates/s':>10} {'p50, ms':>9} {'p99, ms':>9}")
    for bot_name, rate, p50, p99 in (ours, echo):
        print(f"{bot_name:<14} {rate:>10.1f} {p50:>9.1f} {p99:>9.1f}")
    print(f"ratio (ours / echo throughput): {ours[1] / echo[1]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

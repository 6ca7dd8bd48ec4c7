"""Replies through the bot's rate limiter against the strict fake: Telegram never says 429."""

from __future__ import annotations

import asyncio

from telegram.ext import ExtBot

from bot.fake_bot_api import FakeTelegram
from bot.rate_limit import RollingWindowRateLimiter
from bot.scheduler.pacing import Pacer

TOKEN = "616161:RATE-LIMITER-TESTS"


async def test_concurrent_replies_to_many_chats_draw_no_429() -> None:
    async with FakeTelegram(token=TOKEN, rate_limits=True) as fake:
        chats = [fake.user(3000 + n).id for n in range(60)]
        limiter = RollingWindowRateLimiter(Pacer())
        async with ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=limiter) as bot:
            # 150 replies at once: 60 chats, some written to three times in a row.
            targets = [chats[n % 60] for n in range(150)]
            started = asyncio.get_running_loop().time()
            await asyncio.gather(
                *(bot.send_message(chat, f"ответ {n}") for n, chat in enumerate(targets))
            )
            elapsed = asyncio.get_running_loop().time() - started
            # Edits and button answers are not messages: they go at once.
            await bot.edit_message_text("правка", chat_id=chats[0], message_id=1)
        assert fake.stats["429"] == 0
        assert len(fake.sent) == 151
        assert sorted(m.text for m in fake.sent) == sorted(
            ["правка", *(f"ответ {n}" for n in range(150))]
        )
        # Paced, not bursted: the 121st message cannot start before four full windows passed.
        assert elapsed >= 4.0

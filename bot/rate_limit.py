"""Replies kept to Telegram's pace: the bot's rate limiter, sharing the sender's Pacer.

PTB's AIORateLimiter is a leaky bucket (a burst of 30 plus 30 a second can land in one
rolling second) and leaves private chats unpaced; Telegram counts rolling windows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.scheduler.pacing import ChatKey, Pacer, is_paced_by_caller

log = logging.getLogger(__name__)

# What Telegram counts as a message; answers to button presses, edits and the rest go at once.
COUNTED_PREFIXES = ("send", "copyMessage", "forwardMessage")
UNCOUNTED = {"sendChatAction"}  # «печатает…» is no message; it must not delay the reply
MAX_RETRY_WAIT = 5.0  # longer than this, the caller decides (replies.py drops, the sender requeues)


def _chat_key(data: dict[str, Any]) -> ChatKey | None:
    chat = data.get("chat_id")
    if chat is None:
        return None
    try:
        return int(chat)
    except (TypeError, ValueError):
        return str(chat)


class RollingWindowRateLimiter(BaseRateLimiter[None]):
    def __init__(self, pacer: Pacer, max_retries: int = 1) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = _chat_key(data)
        counted = endpoint.startswith(COUNTED_PREFIXES) and endpoint not in UNCOUNTED
        if chat is None or is_paced_by_caller() or not counted:
            return await callback(*args, **kwargs)
        for attempt in range(self.max_retries + 1):
            await self.pacer.wait(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = _seconds(error.retry_after)
                # Our own windows keep the overall pace, so a 429 is about this chat: only it waits.
                self.pacer.pause_chat(chat, seconds)
                if attempt == self.max_retries or seconds > MAX_RETRY_WAIT:
                    raise
                log.info("%s to %s: Telegram asked to wait %.0f s", endpoint, chat, seconds)
            finally:
                self.pacer.done(chat)
            await asyncio.sleep(0)  # the pause above is honoured by the next wait()
        raise AssertionError("unreachable")


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)

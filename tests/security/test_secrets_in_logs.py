"""The bot token never reaches the log, whatever the level and whichever library logs."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeTelegram
from bot.log_redaction import REDACTED, SecretRedactor
from tests.support.bot_process import bot_env
from tests.support.databases import sqlite_url

TOKEN = "555002:DEBUG-LOG-SECRET-TOKEN-x9"
SECRET_PART = TOKEN.split(":")[1]


@pytest.mark.slow
async def test_a_debug_run_never_prints_the_token(tmp_path: Path) -> None:
    output = tmp_path / "everything.log"
    async with FakeTelegram(token=TOKEN, bot_username="debug_bot") as fake:
        env = bot_env(fake, sqlite_url(tmp_path / "bot.db"), LOG_LEVEL="DEBUG")
        with output.open("wb") as sink:  # stdout and stderr both: the whole output
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                stdout=sink, stderr=sink,
            )  # fmt: skip
        try:
            user = fake.user(7002, first_name="Гость")
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            fake.send_text(user, "/start")
            await fake.wait_for(lambda: bool(fake.messages_to(user.id)), limit=30)
        finally:
            process.send_signal(2)
            code = await asyncio.wait_for(process.wait(), 30)
    log = output.read_text(encoding="utf-8", errors="replace")
    assert code == 0, log[-2000:]
    assert "DEBUG" in log and "bot.telegram_http" in log  # the level and the requests spoke
    assert REDACTED in log  # PTB's «Set Bot API URL» line, among others, was caught
    assert TOKEN not in log
    assert SECRET_PART not in log


def _record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, args, exc_info)  # type: ignore[arg-type]


def test_args_formatted_messages_and_exception_text_are_redacted() -> None:
    redactor = SecretRedactor([TOKEN])
    formatter = logging.Formatter("%(message)s")
    record = _record("HTTP Request: POST %s %r", f"https://api/bot{TOKEN}/getMe", {"t": TOKEN})
    assert redactor.filter(record)
    assert TOKEN not in formatter.format(record) and REDACTED in formatter.format(record)
    try:
        raise RuntimeError(f"connect failed: https://api/bot{TOKEN}/getUpdates")
    except RuntimeError:
        record = _record("request failed", exc_info=sys.exc_info())
    redactor.filter(record)
    text = formatter.format(record)
    assert "connect failed" in text and "RuntimeError" in text
    assert SECRET_PART not in text


def test_the_secret_part_alone_is_redacted_too() -> None:
    redactor = SecretRedactor([TOKEN])
    encoded = f"/bot555002%3A{SECRET_PART}/getMe"
    assert SECRET_PART not in redactor.redact(encoded)

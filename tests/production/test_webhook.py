"""Webhook mode end to end: a real `python -m bot run --webhook` process and the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
from pathlib import Path

import aiohttp

from bot.config import PROJECT_ROOT, load_settings
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.updates import message_json, text_content
from tests.support.bot_process import BotProcess, bot_env

TOKEN = "777000:WEBHOOK-TEST-TOKEN"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _healthz(session: aiohttp.ClientSession, port: int, limit: float = 30) -> dict:
    for _ in range(int(limit * 10)):
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return await response.json()
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("no /healthz")


async def test_webhook_refuses_wrong_secret_and_answers_the_right_one(
    tmp_path: Path, database_url: str
) -> None:
    port = _free_port()
    secret = secrets.token_urlsafe(32)
    url = f"http://127.0.0.1:{port}/tg/updates"
    async with FakeTelegram(token=TOKEN, bot_username="webhook_bot") as fake:
        env = bot_env(
            fake, database_url, WEBHOOK_URL=url, WEBHOOK_SECRET=secret, WEBHOOK_PORT=str(port)
        )
        process = await BotProcess.start(env, tmp_path, "--webhook")
        try:
            await fake.wait_for(lambda: fake.webhook["url"] == url, limit=60)
            assert fake.webhook["secret_token"] == secret
            assert fake.stats["getUpdates"] == 0  # webhook mode never polls
            user = fake.user(9_100_001, first_name="Ирина")
            update = {"update_id": 1, "message": message_json(user, 1, **text_content("/start"))}
            async with aiohttp.ClientSession() as http:
                health = await _healthz(http, port)
                assert health["role"] == "leader"
                assert health["mode"] == "webhook"
                assert health["database"] is True
                assert health["last_update_at"] is None

                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": secret[:-1] + "?"}):
                    async with http.post(url, json=update, headers=headers) as response:
                        assert response.status == 403
                await asyncio.sleep(1)
                assert fake.messages_to(user.id) == []  # refused updates reach no handler

                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 200
                await fake.wait_for(lambda: len(fake.messages_to(user.id)) > 0, limit=30)
                health = await _healthz(http, port)
                assert health["last_update_at"] is not None
        finally:
            code = await process.interrupt()
        assert code == 0, process.log()[-2000:]
        assert secret not in process.log()
        assert fake.errors == []


async def test_polling_mode_serves_health_as_standby_then_leader(
    tmp_path: Path, database_url: str
) -> None:
    first_port, second_port = _free_port(), _free_port()
    async with FakeTelegram(token=TOKEN, bot_username="webhook_bot") as fake:
        processes = []
        try:
            for port in (first_port, second_port):
                env = bot_env(fake, database_url, HEALTH_PORT=str(port))
                processes.append(await BotProcess.start(env, tmp_path))
                if port == first_port:
                    await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            async with aiohttp.ClientSession() as http:
                first = await _healthz(http, first_port)
                second = await _healthz(http, second_port)
                assert (first["role"], second["role"]) == ("leader", "standby")
                assert first["mode"] == second["mode"] == "polling"
                await processes[0].kill()
                polled = fake.stats["getUpdates"]
                for _ in range(300):
                    if (await _healthz(http, second_port))["role"] == "leader":
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the standby did not take over within 30 s")
                # The new leader polls Telegram itself.
                await fake.wait_for(lambda: fake.stats["getUpdates"] > polled + 1, limit=30)
        finally:
            for process in processes:
                await process.interrupt()
        assert processes[1].returncode == 0


def test_webhook_mode_refuses_a_short_or_missing_secret(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        WEBHOOK_URL="https://bot.example.ru/tg/updates",
        WEBHOOK_SECRET="short",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "WEBHOOK_SECRET" in done.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before touching anything


def test_webhook_settings_checks() -> None:
    good = secrets.token_urlsafe(32)
    ok = load_settings(webhook_url="https://bot.example.ru/tg/u", webhook_secret=good)
    assert ok.webhook_problems() == []
    assert ok.webhook_path == "/tg/u"
    assert load_settings(webhook_secret=good).webhook_problems()[0].startswith("WEBHOOK_URL")
    weak = load_settings(webhook_url="https://b.ru/x", webhook_secret="x" * 32)
    assert weak.webhook_problems()[0].startswith("WEBHOOK_SECRET")
    odd = load_settings(webhook_url="https://b.ru/x", webhook_secret="й" * 40)
    assert "A-Z" in odd.webhook_problems()[0]

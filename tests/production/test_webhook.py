"""Webhook mode end to end: a real `python -m bot run --webhook` process and the fake Bot API."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import secrets
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.config import PROJECT_ROOT, load_settings
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.updates import message_json, text_content
from bot.webhook import SECRET_HEADER
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


# --- Malformed bodies with the right secret: 400 (413 when oversized), nothing processed ---

_TEXT_MESSAGE = {
    "message_id": 1,
    "date": 0,
    "chat": {"id": 9_100_002, "type": "private"},
    "from": {"id": 9_100_002, "is_bot": False, "first_name": "Ирина"},
}
MALFORMED_BODIES: dict[str, bytes] = {
    "json string": b'"hello"',
    "json list": b'[{"update_id": 1}]',
    "json null": b"null",
    "json number": b"42",
    "not json": b"{update_id: 1",
    "empty body": b"",
    "no update_id": json.dumps({"message": _TEXT_MESSAGE}).encode(),
    "string update_id": json.dumps({"update_id": "1", "message": _TEXT_MESSAGE}).encode(),
    "message is a string": b'{"update_id": 1, "message": "hi"}',
    "message is a list": b'{"update_id": 1, "message": [1, 2]}',
    "text is a list": json.dumps(
        {"update_id": 1, "message": {**_TEXT_MESSAGE, "text": ["/start"]}}
    ).encode(),
    "chat is a number": json.dumps(
        {"update_id": 1, "message": {**_TEXT_MESSAGE, "chat": 5}}
    ).encode(),
    "callback data is an object": json.dumps(
        {
            "update_id": 1,
            "callback_query": {"id": "1", "from": _TEXT_MESSAGE["from"], "data": {"a": 1}},
        }
    ).encode(),
    "200,000 nested brackets": b"[" * 200_000 + b"]" * 200_000,
    "100,000 nested objects in message": b'{"update_id": 1, "message": '
    + b'{"a": ' * 100_000
    + b"1"
    + b"}" * 100_000
    + b"}",
    "invalid utf-8": b'{"update_id": 1, "message": {"text": "\xff\xfe"}}',
}


class _Application:
    """What BotServer needs of a leading Application: a bot and the update queue."""

    def __init__(self) -> None:
        self.bot = None
        self.update_queue: asyncio.Queue = asyncio.Queue()


async def _running_server(secret: str):  # type: ignore[no-untyped-def]
    from bot.webhook import BotServer, Health

    port = _free_port()
    server = BotServer(Health(None), "127.0.0.1", port, webhook_path="/tg", secret=secret)  # type: ignore[arg-type]
    await server.start()
    server.application = _Application()  # type: ignore[assignment]
    return server, f"http://127.0.0.1:{port}/tg"


@pytest.mark.parametrize("case", sorted(MALFORMED_BODIES))
async def test_a_malformed_body_is_refused_with_400_and_logged_once(
    case: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = secrets.token_urlsafe(32)
    server, url = await _running_server(secret)
    try:
        async with aiohttp.ClientSession() as http:
            caplog.set_level(logging.WARNING, logger="bot.webhook")
            headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
            async with http.post(
                url, data=io.BytesIO(MALFORMED_BODIES[case]), headers=headers
            ) as response:
                assert response.status == 400
            refusals = [r for r in caplog.records if r.name == "bot.webhook"]
            assert len(refusals) == 1 and "malformed" in refusals[0].getMessage()
            assert refusals[0].exc_info is None  # one line, no traceback
            assert server.application.update_queue.empty()  # nothing reaches a handler
            good = {"update_id": 2, "message": {**_TEXT_MESSAGE, "text": "/start"}}
            async with http.post(url, json=good, headers=headers) as response:
                assert response.status == 200  # the server still serves
            assert server.application.update_queue.qsize() == 1
    finally:
        await server.stop()


async def test_an_oversized_body_is_refused_with_413(caplog: pytest.LogCaptureFixture) -> None:
    from bot.webhook import MAX_UPDATE_BYTES

    secret = secrets.token_urlsafe(32)
    server, url = await _running_server(secret)
    try:
        async with aiohttp.ClientSession() as http:
            caplog.set_level(logging.WARNING, logger="bot.webhook")
            body = json.dumps(
                {"update_id": 1, "message": {**_TEXT_MESSAGE, "text": "я" * MAX_UPDATE_BYTES}}
            ).encode()
            async with http.post(
                url, data=io.BytesIO(body), headers={SECRET_HEADER: secret}
            ) as response:
                assert response.status == 413
            assert len([r for r in caplog.records if r.name == "bot.webhook"]) == 1
            assert server.application.update_queue.empty()
    finally:
        await server.stop()


async def test_a_real_process_survives_every_malformed_body(
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
            headers = {SECRET_HEADER: secret}
            async with aiohttp.ClientSession() as http:
                await _healthz(http, port)
                for body in MALFORMED_BODIES.values():
                    async with http.post(url, data=io.BytesIO(body), headers=headers) as response:
                        assert response.status == 400
                async with http.post(
                    url, data=io.BytesIO(b"{" + b" " * 2_000_000), headers=headers
                ) as r:
                    assert r.status == 413
                user = fake.user(9_100_002, first_name="Ирина")
                update = {
                    "update_id": 9,
                    "message": message_json(user, 9, **text_content("/start")),
                }
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 200
                await fake.wait_for(lambda: len(fake.messages_to(user.id)) > 0, limit=30)
                assert len(fake.messages_to(user.id)) == 1  # only the good update was handled
        finally:
            code = await process.interrupt()
        log = process.log()
        assert code == 0, log[-2000:]
        assert log.count("webhook: refused a malformed update") == len(MALFORMED_BODIES)
        assert log.count("webhook: refused an update over") == 1
        assert "Traceback" not in log
        assert fake.errors == []

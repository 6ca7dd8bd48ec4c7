"""Helper processes (the drawing process, the parse workers) get the bot's environment minus
its configuration and anything named like a secret: code reading untrusted files never has
the token or the database password at hand. The workers' side: tests/test_workers.py."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from bot.config import without_secrets
from bot.reports import chart

BOTS_ENVIRONMENT = {
    "PATH": "/usr/bin",
    "HOME": "/home/bot",
    "LANG": "ru_RU.UTF-8",
    "PYTHONPATH": "/srv/bot",
    "TELEGRAM_BOT_TOKEN": "123456:SECRET",
    "DATABASE_URL": "postgresql+asyncpg://bot:hunter2@db/bot",
    "WEBHOOK_SECRET": "s" * 40,
    "PGPASSWORD": "hunter2",
    "SENTRY_DSN": "https://key@sentry.example/1",
    "AWS_SECRET_ACCESS_KEY": "abc",
    "telegram_bot_token": "lower case counts too",
}


def test_without_secrets_keeps_what_a_python_needs_and_nothing_of_the_bots() -> None:
    assert without_secrets(BOTS_ENVIRONMENT) == {
        "PATH": "/usr/bin",
        "HOME": "/home/bot",
        "LANG": "ru_RU.UTF-8",
        "PYTHONPATH": "/srv/bot",
    }


def test_the_drawing_process_is_started_without_the_bots_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in BOTS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    started: dict[str, Any] = {}

    class Refused(Exception):
        pass

    def popen(*args: object, **kwargs: Any) -> None:
        started.update(kwargs)
        raise Refused

    monkeypatch.setattr(subprocess, "Popen", popen)
    with pytest.raises(Refused):
        chart.ChartProcess().draw_now([("СШ № 17", 1, 2)])
    environment = started["env"]
    assert not {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "WEBHOOK_SECRET", "PGPASSWORD"} & set(
        environment
    )
    assert environment["PATH"] == "/usr/bin"
    assert "/srv/bot" in environment["PYTHONPATH"]

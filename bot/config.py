"""Configuration from the environment and `.env`, validated once at start."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_WEBHOOK_SECRET = 32
WEAK_SECRETS = {"changeme" * 4, "secret" * 6, "x" * 32}
DEFAULT_SQLITE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'bot.sqlite3'}"


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_DEFAULT
    telegram_api_base_file_url: str | None = None
    database_url: str = DEFAULT_SQLITE_URL
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_timezone: str = "Asia/Yekaterinburg"
    invite_ttl_days: int = Field(default=7, ge=1, le=365)
    bot_username: str | None = None
    log_level: str = "INFO"
    # Seconds to wait for Telegram's answer to a request (not getUpdates' long poll); python-
    # telegram-bot's default. A reply that takes longer counts as timed out.
    telegram_read_timeout: float = Field(default=5.0, gt=0, le=60)
    # Per-user flood control: sustained updates a second, and the burst allowed on top.
    flood_rate_per_second: float = Field(default=3.0, gt=0)
    flood_burst: int = Field(default=20, ge=1)
    # Heavy work off the lane (bot/handlers/heavy.py): «Обрабатываю файл…» (an upload) or
    # «Готовлю файл…» (a report, an export) after this many seconds; past the budget the
    # work is stopped and the person told the file is too heavy or to narrow the scope.
    file_notice_after: float = Field(default=1.0, ge=0)
    file_time_budget: float = Field(default=120.0, gt=0)
    # The worker processes that parse uploads (bot/workers.py), each one's memory cap, and
    # whether they start with the application (else at the first upload).
    file_workers: int = Field(default=2, ge=1, le=8)
    file_worker_memory_mb: int = Field(default=1024, ge=128)
    file_workers_at_start: bool = True
    # Reminders: the local hour they fall due (outside the quiet hours 21:00-08:00), and
    # after how many days without a visit a curator is reminded of a school.
    reminder_hour: int = Field(default=9, ge=8, le=20)
    no_visit_days: int = Field(default=30, ge=1, le=365)
    # Webhook mode (`python -m bot run --webhook` or WEBHOOK_ENABLED=true) behind a proxy.
    webhook_enabled: bool = False
    webhook_url: str | None = None  # public https URL Telegram posts to, path included
    webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token; 32+ chars
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Health endpoint (GET /healthz) in polling mode; 0 turns it off. Webhook mode serves
    # /healthz on WEBHOOK_PORT.
    health_port: int = Field(default=0, ge=0, le=65535)
    # Coordinators' Mini App (issue 17): its public https URL (ending in /app/, proxied to this
    # server). In webhook mode it is served on WEBHOOK_PORT; in polling mode on MINIAPP_PORT.
    miniapp_url: str | None = None
    miniapp_port: int = Field(default=0, ge=0, le=65535)

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return [int(part) for part in parts]
            except ValueError as exc:
                raise ValueError("ожидаются числа через запятую, например 12345,67890") from exc
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("неизвестный часовой пояс; пример: Asia/Yekaterinburg") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "поддерживаются sqlite+aiosqlite:///путь или postgresql+asyncpg://user@host/db"
            )
        return value

    @field_validator("miniapp_url")
    @classmethod
    def _https_app(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError(
                "Telegram открывает Mini App только по https://; пример: "
                "https://bot.example.ru/app/"
            )
        return value or None

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        secret = value.get_secret_value().strip()
        bot_id, _, rest = secret.partition(":")
        if not bot_id.isdigit() or len(rest) < 8:
            raise ValueError("токен выглядит как 123456789:AA...; получите его у @BotFather")
        return SecretStr(secret)

    def webhook_problems(self) -> list[str]:
        """What stops webhook mode from starting safely; empty when all is well."""
        problems = []
        if not self.webhook_url or not self.webhook_url.startswith(("https://", "http://")):
            problems.append("WEBHOOK_URL: нужен адрес вида https://bot.example.ru/tg/<путь>")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if len(secret) < MIN_WEBHOOK_SECRET or secret.lower() in WEAK_SECRETS:
            problems.append(
                f"WEBHOOK_SECRET: нужна случайная строка из {MIN_WEBHOOK_SECRET}+ символов "
                'A-Z a-z 0-9 _ - (например: python -c "import secrets; '
                'print(secrets.token_urlsafe(32))")'
            )
        elif not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
            problems.append("WEBHOOK_SECRET: Telegram допускает только A-Z a-z 0-9 _ -")
        return problems

    @property
    def webhook_path(self) -> str:
        """The path part of WEBHOOK_URL: the bot serves updates there."""
        from urllib.parse import urlsplit

        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def file_base_url(self) -> str:
        if self.telegram_api_base_file_url:
            return self.telegram_api_base_file_url
        if self.telegram_api_base_url.endswith("/bot"):
            return self.telegram_api_base_url[: -len("/bot")] + "/file/bot"
        return self.telegram_api_base_url.rstrip("/") + "/file/bot"


class ConfigurationError(Exception):
    """Raised with a human-readable list of what is wrong in the configuration."""


def load_settings(**overrides: Any) -> Settings:  # values pydantic validates
    """Read settings, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = ["Ошибка конфигурации (.env или переменные окружения):"]
        for error in exc.errors():
            variable = str(error["loc"][0]).upper() if error["loc"] else "?"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"  {variable}: {message}")
        lines.append("Исправьте значения (см. .env.example) и запустите снова.")
        raise ConfigurationError("\n".join(lines)) from None


_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "DSN")


def without_secrets(environment: Mapping[str, str]) -> dict[str, str]:
    """`environment` minus the bot's configuration and anything named like a secret: what a
    helper process (drawing charts, parsing uploads) gets, so that code running on untrusted
    files never has the token or the database password at hand."""
    settings = {name.upper() for name in Settings.model_fields}
    return {
        name: value
        for name, value in environment.items()
        if name.upper() not in settings and not any(w in name.upper() for w in _SECRET_WORDS)
    }

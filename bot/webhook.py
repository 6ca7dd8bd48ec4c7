"""The bot's own HTTP server: Telegram's webhook (POST <path>) and GET /healthz.

PTB's run_webhook has no health endpoint and cannot start before the Application does;
this server starts at once (a standby answers /healthz as «standby») and accepts updates
only while this process leads.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.constants import UpdateType
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
UPDATE_KINDS = tuple(kind.value for kind in UpdateType)  # Update.ALL_TYPES, typed as enums


@dataclass
class Health:
    """What /healthz reports; the runner updates it."""

    engine: AsyncEngine
    role: str = "standby"
    mode: str = "polling"
    last_update_at: datetime | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def saw_update(self) -> None:
        self.last_update_at = datetime.now(UTC)

    async def database_reachable(self) -> bool:
        try:
            async with asyncio.timeout(3):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure is "unreachable" for the supervisor
            return False

    async def report(self) -> tuple[int, dict[str, Any]]:
        reachable = await self.database_reachable()
        body = {
            "status": "ok" if reachable else "database unreachable",
            "role": self.role,
            "mode": self.mode,
            "database": reachable,
            "last_update_at": self.last_update_at.isoformat() if self.last_update_at else None,
            "started_at": self.started_at.isoformat(),
        }
        # A standby is healthy (it is ready to take over); a lost database is not.
        return (200 if reachable else 503), body


class BotServer:
    """aiohttp server with /healthz and, in webhook mode, the update endpoint."""

    def __init__(
        self,
        health: Health,
        listen: str,
        port: int,
        webhook_path: str | None = None,
        secret: str | None = None,
        miniapp: Any = None,
    ) -> None:
        self.health = health
        self.listen = listen
        self.port = port
        self.webhook_path = webhook_path
        self.secret = secret
        self.miniapp = miniapp  # bot.miniapp.server.MiniApp: served under /app when given
        self.application: Application | None = None  # set while leading
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._healthz)
        if self.webhook_path is not None:
            app.router.add_post(self.webhook_path, self._update)
        if self.miniapp is not None:
            self.miniapp.install(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        log.info("HTTP server on %s:%s (/healthz)", self.listen, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        status, body = await self.health.report()
        return web.json_response(body, status=status)

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if self.secret is None or not hmac.compare_digest(
            given.encode("utf-8", "replace"), self.secret.encode()
        ):
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=403, text="forbidden")
        application = self.application
        if application is None:
            # A standby (or a leader shutting down): Telegram retries later, nothing is lost.
            return web.Response(status=503, text="not the leader")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("webhook: refused an update over %s bytes", MAX_UPDATE_BYTES)
            return web.Response(status=413, text="too large")
        try:
            update = parse_update(body, application.bot)
        except MalformedUpdate as problem:
            log.warning("webhook: refused a malformed update (%s)", problem)
            return web.Response(status=400, text="bad update")
        self.health.saw_update()
        await application.update_queue.put(update)
        return web.Response(text="ok")


class MalformedUpdate(ValueError):
    """The body is not an Update Telegram would send; the reason is safe to log."""


def parse_update(body: bytes, bot: Any) -> Update:
    """An Update from the webhook body, or MalformedUpdate — never another exception.

    Telegram always posts a JSON object with an integer update_id; anything else (a string,
    a list, null, a wrong-typed field, nesting deep enough to exhaust the parser) is refused
    before any handler sees it.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedUpdate("not UTF-8") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise MalformedUpdate("nested too deeply") from None
    except ValueError:
        raise MalformedUpdate("not JSON") from None
    if not isinstance(data, dict):
        raise MalformedUpdate(f"a JSON {type(data).__name__}, not an object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("no integer update_id")
    for kind in UPDATE_KINDS:
        if kind in data and not isinstance(data[kind], dict):
            raise MalformedUpdate(f"{kind} is a {type(data[kind]).__name__}")
    _check_fields_handlers_read(data)
    try:
        update = Update.de_json(data, bot)
    except RecursionError:
        raise MalformedUpdate("nested too deeply") from None
    except Exception as error:  # whatever PTB trips on in a hand-made body
        raise MalformedUpdate(f"unreadable fields ({type(error).__name__})") from None
    if update is None:
        raise MalformedUpdate("empty")
    return update


# The fields handlers read without checking their type; PTB's de_json does not check them.
_TYPED_FIELDS: dict[str, dict[str, type]] = {
    "message": {"text": str, "caption": str, "message_id": int, "date": int},
    "edited_message": {"text": str, "caption": str, "message_id": int, "date": int},
    "callback_query": {"data": str, "id": str},
}


def _check_fields_handlers_read(data: dict[str, Any]) -> None:
    for kind, fields in _TYPED_FIELDS.items():
        part = data.get(kind)
        if part is None:
            continue
        for name, expected in fields.items():
            value = part.get(name)
            if value is not None and (not isinstance(value, expected) or isinstance(value, bool)):
                raise MalformedUpdate(f"{kind}.{name} is a {type(value).__name__}")
        for holder in ("from", "chat"):
            sub = part.get(holder)
            if sub is not None and not (isinstance(sub, dict) and _is_int(sub.get("id"))):
                raise MalformedUpdate(f"{kind}.{holder} has no integer id")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

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
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


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
    ) -> None:
        self.health = health
        self.listen = listen
        self.port = port
        self.webhook_path = webhook_path
        self.secret = secret
        self.application: Application | None = None  # set while leading
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._healthz)
        if self.webhook_path is not None:
            app.router.add_post(self.webhook_path, self._update)
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
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="bad update")
        if update is None:
            return web.Response(status=400, text="bad update")
        self.health.saw_update()
        await application.update_queue.put(update)
        return web.Response(text="ok")

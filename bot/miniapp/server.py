"""The Mini App's routes on the bot's aiohttp server.

Every JSON request carries Telegram's signed init data in `Authorization: tma <initData>`:
no cookies, so another site cannot make a logged-in request (CSRF-safe), and nothing is
answered without a valid signature. Scope: the bot's permissions table plus Actor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory
from bot.miniapp.init_data import InvalidInitData, signed_user_id
from bot.services.access.actors import Actor, load_actor
from bot.services.access.permissions import allowed
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.reporting import dashboard
from bot.services.roadmaps.roadmap_reports import review
from bot.services.text_cleaning import clean_text

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
PREFIX = "/app"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
# The page loads its own files and Telegram's script; no inline code, no framing by others
# than Telegram's clients, no form posts anywhere.
CSP = (
    "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors https://web.telegram.org https://*.telegram.org"
)
STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
MAX_BODY = 16 * 1024

Handler = Callable[[web.Request, AsyncSession, Actor, date], Awaitable[object]]


def _json(body: object, status: int = 200) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False)
    )


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    if request.path.startswith(PREFIX):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


class MiniApp:
    """Routes under /app: the page (`/app/`), its files and the JSON API (`/app/api/...`)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        bot_token: str,
        timezone: str,
        now: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.bot_token = bot_token
        self.zone = ZoneInfo(timezone)
        self.now = now
        # Three small files, read once: a request never touches the disk.
        self.files = {path.name: path.read_bytes() for path in STATIC.iterdir() if path.is_file()}

    def install(self, app: web.Application) -> None:
        app.middlewares.append(security_headers)
        app.router.add_get(PREFIX, self._redirect)
        app.router.add_get(PREFIX + "/", self._static)
        app.router.add_get(PREFIX + "/{name:app\\.(js|css)}", self._static)
        routes: dict[str, tuple[str, Handler]] = {
            "/api/me": ("summary", self._me),
            "/api/schools": ("summary", self._table),
            "/api/schools/{school_id}": ("school", self._school),
            "/api/charts": ("summary", self._charts),
            "/api/events": ("events", self._events),
        }
        for path, (action, handler) in routes.items():
            app.router.add_get(PREFIX + path, self._guarded(action, handler))
        app.router.add_post(
            PREFIX + "/api/reports/{report_id}/review", self._guarded("review", self._review)
        )

    async def _redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(PREFIX + "/")

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name", "index.html")
        suffix = "." + name.rsplit(".", 1)[-1]
        return web.Response(
            body=self.files[name], content_type=STATIC_TYPES[suffix], charset="utf-8"
        )

    def _guarded(
        self, action: str, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def guarded(request: web.Request) -> web.Response:
            scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
            now = self.now()
            try:
                if scheme.lower() != "tma":
                    raise InvalidInitData("no tma authorization")
                user_id = signed_user_id(init_data.strip(), self.bot_token, now)
            except InvalidInitData as problem:
                log.info("miniapp: refused init data (%s)", problem)
                return _json({"error": "unauthorized"}, 401)
            today = now.astimezone(self.zone).date()
            async with self.session_factory() as session:
                actor = await load_actor(session, user_id, today)
                if actor is None or not allowed(actor.roles, action):
                    return _json({"error": "forbidden"}, 403)
                try:
                    body = await handler(request, session, actor, today)
                except (NotFound, AccessDenied):
                    # An absent and a hidden object get the same answer.
                    await session.rollback()
                    return _json({"error": "forbidden"}, 403)
                except DomainError as problem:
                    await session.rollback()
                    return _json({"error": problem.code}, 409)
                await session.commit()
            return _json(body)

        return guarded

    @staticmethod
    def _int(request: web.Request, name: str) -> int:
        raw = request.match_info[name]
        if not raw.isdigit() or len(raw) > 12:
            raise NotFound()
        return int(raw)

    async def _me(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        return {
            "name": actor.full_name,
            "today": today.isoformat(),
            "roles": sorted(role.value for role in actor.roles),
        }

    async def _table(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        return {
            "today": today.isoformat(),
            "schools": await dashboard.municipality_table(session, actor, today),
        }

    async def _school(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        school_id = self._int(request, "school_id")
        return await dashboard.school_page(session, actor, school_id, today)

    async def _charts(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        return await dashboard.charts(session, actor, today)

    async def _events(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        return {"events": await dashboard.events_overview(session, actor)}

    async def _review(
        self, request: web.Request, session: AsyncSession, actor: Actor, today: date
    ) -> object:
        report_id = self._int(request, "report_id")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise DomainError("too_large")
        try:
            data = json.loads(await request.text())
            accept = data["decision"] == "accept"
            if data["decision"] not in {"accept", "return"}:
                raise ValueError
            comment = data.get("comment")
            if comment is not None and not isinstance(comment, str):
                raise ValueError
            comment = clean_text(comment) if comment else None
        except (ValueError, KeyError, TypeError):
            raise DomainError("bad_request") from None
        report = await review(
            session, actor, report_id, accept=accept, comment=comment, now=self.now()
        )
        return {"report_id": report.id, "state": report.review_state.value}

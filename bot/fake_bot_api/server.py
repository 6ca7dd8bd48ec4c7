"""A strict fake Telegram Bot API on 127.0.0.1, for tests and the terminal sandbox.

It speaks the real wire format to an unmodified python-telegram-bot, refuses what
Telegram refuses (texts, HTML, buttons, menus, late answers, pace), and lets a test act as
users and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.fake_bot_api import validation
from bot.fake_bot_api.records import FakeUser, SentMessage
from bot.fake_bot_api.updates import bot_message_json, message_json, text_content

API_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "telegram-bot-api" / "api.json"
SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto"}
# Not the bot's mistakes: a re-render of the same screen, a tap answered late.
SOFT_ERRORS = ("message is not modified", "query is too old")


class TelegramFault(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def _required_fields() -> dict[str, set[str]]:
    """Required parameters per method from the machine-readable Bot API, when present."""
    try:
        spec = json.loads(API_SPEC.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return {
        name: {f["name"] for f in method.get("fields", []) if f.get("required")}
        for name, method in spec["methods"].items()
    }


class _RollingWindow:
    """Telegram's count: at most `limit` messages whose arrival lies in the last `period` s.

    Exact arrival times, no bucket: a burst followed by a steady rate is refused too."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.arrivals: deque[float] = deque()

    def wait(self, now: float) -> float:
        """0 when a message arriving now fits, else seconds until the oldest leaves the window."""
        while self.arrivals and self.arrivals[0] <= now - self.period:
            self.arrivals.popleft()
        if len(self.arrivals) < self.limit:
            return 0.0
        return self.arrivals[0] + self.period - now

    def record(self, now: float) -> None:
        self.arrivals.append(now)


class FakeTelegram:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "shnor500_bot",
        *,
        rate_limits: bool = False,
        overall_per_second: int = 30,
        private_per_second: int = 1,
        group_per_minute: int = 20,
        callback_answer_timeout: float = 15.0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.rate_limits = rate_limits
        self.overall_per_second = overall_per_second
        self.private_per_second = private_per_second
        self.group_per_minute = group_per_minute
        self.callback_answer_timeout = callback_answer_timeout
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Бот «500+»",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.port = 0
        self.menu_buttons: dict[int, dict[str, Any]] = {}  # chat id → setChatMenuButton's
        self.sent: list[SentMessage] = []  # every successful send and edit, as snapshots
        self.errors: list[tuple[str, int, str]] = []  # the bot's mistakes Telegram refuses
        self.soft_errors: list[tuple[str, int, str]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.stats: Counter[str] = Counter()
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self._users: dict[int, FakeUser] = {}
        self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, SentMessage]] = defaultdict(dict)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._confirmed_below = 0
        self._new_update = asyncio.Event()
        self._polling: web.Request | None = None
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._faults: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.delayed_in_flight = 0  # delayed requests still being carried out
        self._required = _required_fields()
        self._overall_window = _RollingWindow(overall_per_second, 1.0)
        self._chat_windows: dict[int, _RollingWindow] = {}
        self.clock: Callable[[], float] = time.monotonic  # tests may set a fake clock
        self._runner: web.AppRunner | None = None

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server) and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- users act --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Пользователь",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        user = FakeUser(user_id, first_name, last_name, username)
        self._users[user_id] = user
        return user

    def block(self, user: FakeUser) -> None:
        self._blocked.add(user.id)

    def unblock(self, user: FakeUser) -> None:
        self._blocked.discard(user.id)

    def enqueue_raw(self, update: dict[str, Any]) -> int:
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def _user_message(self, user: FakeUser, **content: Any) -> int:
        self._users.setdefault(user.id, user)
        message_id = next(self._message_ids[user.id])
        return self.enqueue_raw({"message": message_json(user, message_id, **content)})

    def send_text(self, user: FakeUser, text: str) -> int:
        return self._user_message(user, **text_content(text))

    def send_document(
        self,
        user: FakeUser,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        document = {
            "file_name": filename,
            "mime_type": mime_type,
            **self._store_file(content, "documents", filename),
        }
        extra = {"caption": caption} if caption else {}
        return self._user_message(user, document=document, **extra)

    def send_photo(self, user: FakeUser, content: bytes, caption: str | None = None) -> int:
        size = {"width": 1280, "height": 960, **self._store_file(content, "photos", "photo.jpg")}
        extra = {"caption": caption} if caption else {}
        return self._user_message(user, photo=[size], **extra)

    def send_sticker(self, user: FakeUser) -> int:
        sticker = {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            **self._store_file(b"sticker", "stickers", "s.webp"),
        }
        return self._user_message(user, sticker=sticker)

    def send_voice(self, user: FakeUser, seconds: int = 3) -> int:
        voice = {"duration": seconds, **self._store_file(b"voice", "voice", "v.ogg")}
        return self._user_message(user, voice=voice)

    def send_location(self, user: FakeUser, latitude: float, longitude: float) -> int:
        return self._user_message(user, location={"latitude": latitude, "longitude": longitude})

    def press(self, user: FakeUser, message_id: int, data: str) -> int:
        return self.enqueue_raw(self.callback_update(user, message_id, data))

    def callback_update(self, user: FakeUser, message_id: int, data: str) -> dict[str, Any]:
        """The update a press makes, not yet queued: tests queue it twice to replay a tap."""
        self._users.setdefault(user.id, user)
        message = self._messages[user.id].get(message_id)
        query_id = uuid.uuid4().hex[:16]
        self._callbacks[query_id] = {"at": time.monotonic(), "answered": False}
        query: dict[str, Any] = {
            "id": query_id,
            "from": user.as_json(),
            "chat_instance": f"ci{user.id}",
            "data": data,
        }
        if message is not None:
            query["message"] = self._message_json(message)
        return {"callback_query": query}

    def press_button(self, user: FakeUser, button_text: str) -> int:
        for message in sorted(self._messages[user.id].values(), key=lambda m: -m.message_id):
            for row in message.buttons:
                for text, data in row:
                    if text == button_text:
                        return self.press(user, message.message_id, data)
        available = [m.button_texts for m in self._messages[user.id].values() if m.buttons]
        raise AssertionError(f"no button {button_text!r} for user {user.id}; buttons: {available}")

    # -- tests read -------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def last_message(self, chat_id: int) -> SentMessage | None:
        messages = self._messages.get(chat_id)
        return messages[max(messages)] if messages else None

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        return self._messages[chat_id][message_id]

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return self._commands.get(self._scope_key(scope, language_code), [])

    def updates_confirmed(self, update_id: int) -> bool:
        return update_id < self._confirmed_below

    def inject_fault(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        fault = {"code": error_code, "description": description, "retry_after": retry_after}
        self._faults[method].extend([fault] * times)

    def inject_delay(self, method: str, seconds: float, times: int = 1) -> None:
        self._faults[method].extend([{"delay": seconds}] * times)

    def drop_connection(self, method: str, times: int = 1) -> None:
        self._faults[method].extend([{"drop": True}] * times)

    @property
    def long_poll_waiting(self) -> bool:
        """A getUpdates request is open, waiting for updates (tests wait for this)."""
        return self._polling is not None

    async def wait_for(self, predicate: Callable[[], bool], limit: float = 5.0) -> None:
        deadline = time.monotonic() + limit
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.01)

    # -- HTTP -------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.read()
            params.update(json.loads(body) if body else {})
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = value.file.read() if isinstance(value, web.FileField) else value
                if isinstance(value, web.FileField):
                    params[f"{key}__filename"] = value.filename
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(method, 401, "Unauthorized", record=False)
        self.stats[method] += 1
        fault = self._faults[method].pop(0) if self._faults.get(method) else None
        if fault is not None:
            if "delay" in fault:
                # Carried out after the delay even if the client gave up: a request that
                # timed out on the bot's side may still take effect, as with Telegram.
                # Shielded: aiohttp cancels a handler whose client went away.
                params = await self._params(request)
                self.delayed_in_flight += 1
                return await asyncio.shield(self._after_delay(request, method, params, fault))
            elif "drop" in fault:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            else:
                self.stats["injected_faults"] += 1
                return self._error(
                    method,
                    fault["code"],
                    fault["description"],
                    retry_after=fault["retry_after"],
                    record=False,
                )
        return await self._handle_now(request, method)

    async def _after_delay(
        self, request: web.Request, method: str, params: dict[str, Any], fault: dict[str, Any]
    ) -> web.StreamResponse:
        try:
            await asyncio.sleep(fault["delay"])
            return await self._handle_now(request, method, params)
        finally:
            self.delayed_in_flight -= 1

    async def _handle_now(
        self, request: web.Request, method: str, params: dict[str, Any] | None = None
    ) -> web.StreamResponse:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(method, 404, "Not Found")
        if params is None:
            params = await self._params(request)
        missing = self._required.get(method, set()) - set(params)
        if missing:
            return self._error(
                method, 400, f'Bad Request: parameter "{sorted(missing)[0]}" is required'
            )
        try:
            if method == "getUpdates":
                result = await self._get_updates(request, params)
            else:
                result = await handler(params)
        except TelegramFault as fault_raised:
            return self._error(
                method,
                fault_raised.code,
                fault_raised.description,
                retry_after=fault_raised.retry_after,
            )
        return web.json_response({"ok": True, "result": result})

    def _error(
        self,
        method: str,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        record: bool = True,
    ) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        headers = {}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            headers["Retry-After"] = str(retry_after)
        if record and code == 400:
            soft = any(marker in description for marker in SOFT_ERRORS)
            (self.soft_errors if soft else self.errors).append((method, code, description))
        return web.json_response(body, status=code, headers=headers)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for stored in self._files.values():
            if stored["file_path"] == request.match_info["path"]:
                return web.Response(body=stored["content"])
        return web.Response(status=404)

    # -- method implementations ---------------------------------------------------------

    async def _get_updates(
        self, request: web.Request, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if (
            self._polling is not None
            and self._polling.transport is not None
            and not self._polling.transport.is_closing()
        ):
            self.stats["conflicts"] += 1
            raise TelegramFault(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        offset = int(params.get("offset") or 0)
        if offset:
            self._confirmed_below = max(self._confirmed_below, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        self._polling = request
        try:
            while not self._updates and time.monotonic() < deadline:
                if request.transport is None or request.transport.is_closing():
                    return []
                self._new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._new_update.wait(), min(0.1, deadline - time.monotonic())
                    )
        finally:
            self._polling = None
        return self._updates[:limit]

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:  # routed specially
        raise AssertionError("unreachable")

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _api_logOut(self, params: dict[str, Any]) -> Any:
        return True

    _api_close = _api_logOut
    _api_sendChatAction = _api_logOut

    async def _api_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        raw = params.get("menu_button") or "{}"
        button = json.loads(raw) if isinstance(raw, str) else raw
        if button.get("type") == "web_app" and not str(
            (button.get("web_app") or {}).get("url", "")
        ).startswith("https://"):
            raise TelegramFault(
                400, "Bad Request: BUTTON_TYPE_INVALID: Only HTTPS links are allowed"
            )
        self.menu_buttons[int(params.get("chat_id", 0))] = button
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": "", "secret_token": None}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    @staticmethod
    def _scope_key(scope: Any, language_code: str | None) -> str:
        if isinstance(scope, str):
            scope = json.loads(scope)
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + (language_code or "")

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = (
            json.loads(params["commands"])
            if isinstance(params["commands"], str)
            else params["commands"]
        )
        problem = validation.check_commands(commands)
        if problem:
            raise TelegramFault(400, problem)
        self._commands[self._scope_key(params.get("scope"), params.get("language_code"))] = commands
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self._commands.get(
            self._scope_key(params.get("scope"), params.get("language_code")), []
        )

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _chat(self, chat_id: Any) -> FakeUser:
        user = self._users.get(int(chat_id))
        if user is None:
            raise TelegramFault(400, "Bad Request: chat not found")
        if user.id in self._blocked:
            raise TelegramFault(403, "Forbidden: bot was blocked by the user")
        return user

    def _pace(self, chat_id: int) -> None:
        """Telegram's limits, in rolling windows: 30 messages in any second overall, one a
        second to a private chat, 20 a minute to a group (negative id). A refused message
        does not count."""
        if not self.rate_limits:
            return
        now = self.clock()
        chat = self._chat_windows.get(chat_id)
        if chat is None:
            chat = self._chat_windows[chat_id] = (
                _RollingWindow(self.private_per_second, 1.0)
                if chat_id > 0
                else _RollingWindow(self.group_per_minute, 60.0)
            )
        wait = max(self._overall_window.wait(now), chat.wait(now))
        if wait > 0:
            self.stats["429"] += 1
            retry = max(1, math.ceil(wait))
            raise TelegramFault(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        self._overall_window.record(now)
        chat.record(now)

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        raw = params.get("reply_markup")
        markup = json.loads(raw) if isinstance(raw, str) else raw
        problem = validation.check_reply_markup(markup)
        if problem:
            raise TelegramFault(400, problem)
        return markup

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        content: dict[str, Any] = dict(message.extra)
        if message.method == "sendMessage":
            content["text"] = message.plain_text
        elif message.text:
            content["caption"] = message.plain_text
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            content["reply_markup"] = message.reply_markup
        if message.edited:
            content["edit_date"] = int(time.time())
        return bot_message_json(
            self.bot_user,
            self._users[message.chat_id].chat_json(),
            message.message_id,
            message.date,
            **content,
        )

    def _store_file(self, content: bytes, folder: str, name: str) -> dict[str, Any]:
        number = len(self._files) + 1
        file_id = f"FILE{number}-{uuid.uuid4().hex}"
        suffix = Path(name).suffix or ".bin"
        self._files[file_id] = {
            "content": content,
            "file_path": f"{folder}/file_{number}{suffix}",
            "file_unique_id": f"U{number}{uuid.uuid4().hex[:8]}",
        }
        return {
            "file_id": file_id,
            "file_unique_id": self._files[file_id]["file_unique_id"],
            "file_size": len(content),
        }

    def _record(self, message: SentMessage) -> dict[str, Any]:
        self._messages[message.chat_id][message.message_id] = message
        self.sent.append(message.snapshot())
        return self._message_json(message)

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        user = self._chat(params["chat_id"])
        problem = validation.check_text(params.get("text"), params.get("parse_mode"))
        if problem:
            raise TelegramFault(400, problem)
        markup = self._markup(params)
        self._pace(user.id)
        return self._record(
            SentMessage(
                chat_id=user.id,
                message_id=next(self._message_ids[user.id]),
                method="sendMessage",
                text=params["text"],
                parse_mode=params.get("parse_mode"),
                reply_markup=markup,
                date=int(time.time()),
            )
        )

    async def _send_file(self, params: dict[str, Any], field: str, folder: str) -> dict[str, Any]:
        user = self._chat(params["chat_id"])
        problem = validation.check_text(
            params.get("caption"), params.get("parse_mode"), caption=True
        )
        if problem:
            raise TelegramFault(400, problem)
        markup = self._markup(params)
        self._pace(user.id)
        value = params[field]
        if isinstance(value, bytes):
            name = params.get(f"{field}__filename") or "file.bin"
            stored = self._store_file(value, folder, name)
            content = value
        elif str(value) in self._files:
            name = "file.bin"
            content = self._files[str(value)]["content"]
            stored = {
                "file_id": str(value),
                "file_unique_id": self._files[str(value)]["file_unique_id"],
                "file_size": len(content),
            }
        else:
            raise TelegramFault(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if field == "document":
            extra: dict[str, Any] = {"document": {**stored, "file_name": name}}
            kwargs: dict[str, Any] = {"document_name": name, "document_bytes": content}
        else:
            extra = {"photo": [{**stored, "width": 800, "height": 600}]}
            kwargs = {"photo_bytes": content}
        return self._record(
            SentMessage(
                chat_id=user.id,
                message_id=next(self._message_ids[user.id]),
                method="sendDocument" if field == "document" else "sendPhoto",
                text=params.get("caption"),
                parse_mode=params.get("parse_mode"),
                reply_markup=markup,
                date=int(time.time()),
                extra=extra,
                **kwargs,
            )
        )

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "document", "documents")

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "photo", "photos")

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        user = self._chat(params.get("chat_id", 0))
        message = self._messages[user.id].get(int(params.get("message_id") or 0))
        if message is None:
            raise TelegramFault(400, "Bad Request: message to edit not found")
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._existing(params)
        problem = validation.check_text(params.get("text"), params.get("parse_mode"))
        if problem:
            raise TelegramFault(400, problem)
        markup = self._markup(params)
        if message.text == params["text"] and message.reply_markup == markup:
            raise TelegramFault(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message.text, message.parse_mode = params["text"], params.get("parse_mode")
        message.reply_markup, message.edited = markup, True
        return self._record(message)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._existing(params)
        markup = self._markup(params)
        if message.reply_markup == markup:
            raise TelegramFault(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message.reply_markup, message.edited = markup, True
        return self._record(message)

    async def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        user = self._chat(params["chat_id"])
        if self._messages[user.id].pop(int(params["message_id"]), None) is None:
            raise TelegramFault(400, "Bad Request: message to delete not found")
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query = self._callbacks.get(str(params["callback_query_id"]))
        late = (
            query is None
            or query["answered"]
            or (time.monotonic() - query["at"] > self.callback_answer_timeout)
        )
        if late:
            raise TelegramFault(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if text and len(text) > validation.MAX_ALERT:
            raise TelegramFault(400, "Bad Request: MESSAGE_TOO_LONG")
        assert query is not None
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": params["callback_query_id"],
                "text": text,
                "show_alert": str(params.get("show_alert", "")).lower() == "true",
            }
        )
        return True

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise TelegramFault(400, "Bad Request: invalid file_id")
        return {
            "file_id": params["file_id"],
            "file_unique_id": stored["file_unique_id"],
            "file_size": len(stored["content"]),
            "file_path": stored["file_path"],
        }

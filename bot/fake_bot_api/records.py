"""What the fake records: users, the bot's messages as the user sees them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.fake_bot_api.validation import EntityError, visible_text


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "ru",
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    def chat_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        return data


@dataclass
class SentMessage:
    """One message from the bot, as it stands (or, in the log, as one send or edit left it)."""

    chat_id: int
    message_id: int
    method: str
    text: str | None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    photo_bytes: bytes | None = None
    edited: bool = False
    date: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            [(b["text"], b.get("callback_data") or b.get("url") or "") for b in row] for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def callback_data(self, button_text: str) -> str:
        for row in self.buttons:
            for text, data in row:
                if text == button_text:
                    return data
        raise AssertionError(f"no button {button_text!r}; buttons: {self.button_texts}")

    @property
    def plain_text(self) -> str:
        if self.text is None:
            return ""
        try:
            return visible_text(self.text, self.parse_mode)
        except EntityError:
            return html.unescape(re.sub(r"<[^>]+>", "", self.text))

    def snapshot(self) -> SentMessage:
        return replace(self, extra=dict(self.extra))

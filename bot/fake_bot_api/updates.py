"""Building the updates a user's actions produce, in the Bot API's JSON shape."""

from __future__ import annotations

import time
from typing import Any

from bot.fake_bot_api.records import FakeUser


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_json(user: FakeUser, message_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": user.chat_json(),
        "from": user.as_json(),
        **content,
    }


def text_content(text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
        ]
    return content


def bot_message_json(
    bot_user: dict[str, Any], chat: dict[str, Any], message_id: int, date: int, **content: Any
) -> dict[str, Any]:
    return {"message_id": message_id, "date": date, "chat": chat, "from": bot_user, **content}

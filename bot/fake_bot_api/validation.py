"""What Telegram refuses, as pure functions: text and HTML, buttons, command menus.

Every check returns an error description in Telegram's own words, or None when fine.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ALERT = 200

ALLOWED_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "tg-spoiler",
    "span",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+))')
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class EntityError(ValueError):
    """HTML Telegram cannot parse."""


def _attributes(raw: str) -> dict[str, str]:
    return {
        match.group(1).lower(): next(g for g in match.groups()[1:] if g is not None)
        for match in _ATTRIBUTE.finditer(raw)
    }


def _byte_offset(text: str, position: int) -> int:
    return len(text[:position].encode("utf-8"))


def parse_html(text: str) -> str:
    """The visible text of Telegram-HTML, or EntityError in Telegram's words."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise EntityError(
                    f"unexpected end of name token at byte offset {_byte_offset(text, position)}"
                )
            closing, name, raw_attributes, _self_closing = match.groups()
            name = name.lower()
            if name not in ALLOWED_TAGS:
                kind = "end" if closing else "start"
                raise EntityError(
                    f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(text, position)}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise EntityError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, position)}, "
                        f'expected "</{stack[-1] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                _check_attributes(
                    name, _attributes(raw_attributes or ""), _byte_offset(text, position)
                )
                stack.append(name)
            position = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise EntityError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(text, position)}"
                )
            visible.append(html.unescape(match.group(0)))
            position = match.end()
            continue
        visible.append(char)
        position += 1
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(visible)


def _check_attributes(name: str, attributes: dict[str, str], offset: int) -> None:
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and "emoji-id" not in attributes:
        raise EntityError(f"Custom emoji must have emoji-id at byte offset {offset}")


def visible_text(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text


def check_text(text: str | None, parse_mode: str | None, *, caption: bool = False) -> str | None:
    """Error description for a message text or caption, None when Telegram accepts it."""
    if text is None:
        return None if caption else "Bad Request: message text is empty"
    try:
        shown = visible_text(text, parse_mode)
    except EntityError as error:
        return f"Bad Request: can't parse entities: {error}"
    if caption:
        return "Bad Request: message caption is too long" if len(shown) > MAX_CAPTION else None
    if not shown.strip():
        return "Bad Request: message text is empty"
    if len(shown) > MAX_TEXT:
        return "Bad Request: message is too long"
    return None


def check_reply_markup(markup: dict[str, Any] | None) -> str | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or sum(len(row) for row in rows) > 100:
        return "Bad Request: reply markup is too long"
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                return "Bad Request: BUTTON_TEXT_INVALID"
            actions = [
                k
                for k in (
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "web_app",
                    "login_url",
                    "copy_text",
                    "pay",
                    "callback_game",
                    "switch_inline_query_current_chat",
                    "switch_inline_query_chosen_chat",
                )
                if k in button
            ]
            if not actions:
                return "Bad Request: text buttons are unallowed in the inline keyboard"
            if "web_app" in button and not str((button["web_app"] or {}).get("url", "")).startswith(
                "https://"
            ):
                return "Bad Request: BUTTON_TYPE_INVALID: Only HTTPS links are allowed"
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    return "Bad Request: BUTTON_DATA_INVALID"
    return None


def check_commands(commands: Any) -> str | None:
    if not isinstance(commands, list) or len(commands) > 100:
        return "Bad Request: too many commands"
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            return "Bad Request: BOT_COMMAND_INVALID"
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            return "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    return None

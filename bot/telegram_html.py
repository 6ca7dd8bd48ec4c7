"""Fitting the bot's Telegram HTML into one message: Telegram counts the characters shown,
after tags and entities are parsed (4,096 in a message, 1,024 in a caption)."""

from __future__ import annotations

import re
from html import unescape

MESSAGE_LIMIT = 4000  # under Telegram's 4,096, room for what a handler appends
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^<>]+>")
# A tag, an entity, a run of plain text, or a stray character.
_PIECE = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|&#?\w+;|[^<&]+|.", re.S)


def visible_length(text: str) -> int:
    """Characters the user sees: without tags, an entity as one (the bot escapes user text,
    so every `<…>` in it is the bot's own tag)."""
    return len(unescape(_TAG.sub("", text)))


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut a long card after a whole line so it stays one message, and say so with «…».

    A first line too long by itself is cut between characters, never inside a tag or an
    entity; tags left open by the cut (user text may hold line breaks inside `<b>…</b>`)
    are closed.
    """
    if visible_length(text) <= limit:
        return text
    kept: list[str] = []
    shown = 2  # the closing "\n…"
    for line in text.split("\n"):
        length = visible_length(line) + 1
        if shown + length > limit:
            if not kept:
                kept.append(_clip_line(line, limit - shown))
            break
        kept.append(line)
        shown += length
    kept_text = "\n".join(kept)
    return kept_text + _closing_tags(kept_text) + "\n…"


def _closing_tags(text: str) -> str:
    open_tags: list[str] = []
    for match in _PIECE.finditer(text):
        closing, name = match.group(1), match.group(2)
        if name is None:
            continue
        if closing and open_tags:
            open_tags.pop()
        elif not closing:
            open_tags.append(name.lower())
    return "".join(f"</{tag}>" for tag in reversed(open_tags))


def _clip_line(line: str, room: int) -> str:
    """The line's first `room` characters shown; `fit` closes the tags it leaves open."""
    out: list[str] = []
    shown = 0
    for match in _PIECE.finditer(line):
        piece = match.group(0)
        if match.group(2) is not None:
            out.append(piece)
            continue
        size = 1 if piece.startswith("&") and len(piece) > 1 else len(piece)
        if shown + size > room:
            if not piece.startswith("&"):
                out.append(piece[: room - shown])
            break
        out.append(piece)
        shown += size
    return "".join(out)

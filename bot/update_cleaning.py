"""Every update is cleaned once, where it enters the bot (the update queue), before any
handler, conversation or the inbox sees it: typed text and Telegram names lose control and
invisible format characters (bidi overrides such as U+202E, zero-width characters).

Polling and webhook both put updates on the application's queue, so this is the one place
(bot/inbox.py `DurableUpdateQueue.clean`; polling calls it as a batch arrives, so that the
inbox keeps the cleaned update and each update is turned into data once).
"""

from __future__ import annotations

from typing import Any

from bot.services.text_cleaning import clean_text

# Single-line: a name must not carry line breaks into lists.
NAME_FIELDS = frozenset({"first_name", "last_name", "username", "title"})
TEXT_FIELDS = frozenset({"text", "caption"})


def clean_update_data(data: Any) -> bool:
    """Clean the update's dict in place (nested messages too); True if anything changed."""
    changed = False
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                if key in NAME_FIELDS:
                    cleaned = clean_text(value, single_line=True)
                elif key in TEXT_FIELDS:
                    cleaned = clean_text(value)
                else:
                    continue
                if cleaned != value:
                    data[key] = cleaned
                    changed = True
            elif isinstance(value, dict | list):
                changed |= clean_update_data(value)
    elif isinstance(data, list):
        for value in data:
            changed |= clean_update_data(value)
    return changed

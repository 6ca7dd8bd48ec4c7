"""Text that came from outside (typed, in a file cell, a Telegram name), made safe to keep.

Control characters break XML (XLSX) and PostgreSQL text (NUL); bidi overrides and other
invisible format characters let a name pose as another in lists. Line breaks and tabs
are kept where text may hold them.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def clean_text(text: str, *, single_line: bool = False) -> str:
    """Drop control (Cc) and format (Cf) characters; a single-line text also loses breaks."""
    cleaned = "".join(
        char
        for char in text
        if char in _KEEP or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )
    if single_line:
        cleaned = " ".join(cleaned.split())
    return cleaned

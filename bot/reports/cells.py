"""Cells written to XLSX and CSV from user text: always text, never a formula.

OWASP's CSV-injection guidance: a cell beginning with = + - @ TAB or CR may be run as a
formula by Excel or LibreOffice; a leading apostrophe makes it plain text.
"""

from __future__ import annotations

from bot.services.text_cleaning import clean_text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Numbers, dates and booleans pass; text is cleaned and neutralised if formula-like."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text

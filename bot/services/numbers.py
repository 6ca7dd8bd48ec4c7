"""Numbers typed by people or carried in buttons."""

from __future__ import annotations

# Ids in buttons have at most 9 digits (the handlers' patterns say \d{1,9}): any such number
# fits PostgreSQL's integer, and a longer one is forged or garbage, answered as a stale
# button instead of failing in the database.
MAX_ID_DIGITS = 9


def plain_digits(value: str) -> bool:
    """Only 0-9: str.isdigit() also says yes to «⁹⁰» and «①», which int() refuses."""
    return value.isascii() and value.isdigit()

"""Numbers typed by people or carried in buttons."""

from __future__ import annotations


def plain_digits(value: str) -> bool:
    """Only 0-9: str.isdigit() also says yes to «⁹⁰» and «①», which int() refuses."""
    return value.isascii() and value.isdigit()

"""Errors a service raises for the user to see; handlers turn `code` into catalog text."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. `code` names a message in `bot.texts.ERRORS`; `params` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class AccessDenied(DomainError):
    def __init__(self, code: str = "access_denied", **params: Any) -> None:
        super().__init__(code, **params)


class NotFound(DomainError):
    def __init__(self, code: str = "not_found", **params: Any) -> None:
        super().__init__(code, **params)

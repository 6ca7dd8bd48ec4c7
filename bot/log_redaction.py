"""Secrets never reach the log: every record, from every library, is redacted at the handler.

python-telegram-bot logs its API URL (`…/bot<TOKEN>`) at DEBUG, httpx and httpcore log request
URLs, aiohttp and tracebacks may quote them. A filter on each root handler sees every record
that propagates — whatever logger made it — after `%`-formatting, with its exception text.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

REDACTED = "[скрыто]"
MIN_SECRET_LENGTH = 8  # shorter strings would redact ordinary words


class SecretRedactor(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = _variants(secrets)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _variants(secrets: Iterable[str]) -> tuple[str, ...]:
    """The secret itself, and for a bot token `id:secret` the secret part alone (a URL may
    carry it percent-encoded around the colon)."""
    found: set[str] = set()
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            continue
        found.add(secret)
        _, colon, rest = secret.partition(":")
        if colon and len(rest) >= MIN_SECRET_LENGTH:
            found.add(rest)
    return tuple(sorted(found, key=len, reverse=True))


def install_redaction(secrets: Iterable[str]) -> SecretRedactor:
    """On every root handler, and on uncaught exceptions printed to stderr."""
    redactor = SecretRedactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)

    def _excepthook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(redactor.redact(text))

    sys.excepthook = _excepthook
    return redactor

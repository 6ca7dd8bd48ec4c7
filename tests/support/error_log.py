"""The `logged_errors` fixture's log: kept apart from `hostile.py`, so that every test run
does not import hypothesis only to collect ERROR records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class ErrorLog(logging.Handler):
    """Every ERROR (and worse) record, from any logger: unhandled exceptions land here."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in self.records
        ]

    @contextmanager
    def installed(self) -> Iterator[ErrorLog]:
        root = logging.getLogger()
        root.addHandler(self)
        try:
            yield self
        finally:
            root.removeHandler(self)

"""Counting the SQL statements a piece of code sends (N+1 queries show up as growth)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class QueryCount:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[QueryCount]:
    counter = QueryCount()

    def before(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)

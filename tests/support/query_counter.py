"""Counting the SQL statements a piece of code sends (N+1 queries show up as growth)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class QueryCount:
    def __init__(self) -> None:
        self.count = 0


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[QueryCount]:
    counter = QueryCount()

    def before(*_args: object) -> None:
        counter.count += 1

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)

"""One unit of work per update (bot/update_work.py): the domain change, the conversation
state and the inbox row commit together, and the replies about it are written down in the
same transaction until they are sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Message

from bot import texts
from bot.db import SessionFactory
from bot.handlers import replies
from bot.models import BotStateEntry, Visit
from bot.persistence import HELD_REPLIES, INBOX
from tests.e2e.test_visits import _fill_until_summary
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog
from tests.support.personas import SMIRNOVA


@contextmanager
def failing_the_commit_that_saves_a_visit(engine: AsyncEngine) -> Iterator[list[int]]:
    """The first commit of a transaction that inserted a visit fails, as a lost database
    connection would make it; the failures are counted."""
    inserting: set[int] = set()
    failures: list[int] = []

    def statement(connection: Any, _cursor: object, text: str, *_args: object) -> None:
        if text.startswith("INSERT INTO visits"):
            inserting.add(id(connection))

    def commit(connection: Any) -> None:
        if id(connection) in inserting and not failures:
            inserting.discard(id(connection))
            failures.append(1)
            raise RuntimeError("the database went away at the commit")

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", statement)
    event.listen(sync_engine, "commit", commit)
    try:
        yield failures
    finally:
        event.remove(sync_engine, "before_cursor_execute", statement)
        event.remove(sync_engine, "commit", commit)


async def _visits(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(Visit.id))) or 0)


async def test_a_failed_commit_leaves_the_form_where_it_was_and_saves_on_the_next_try(
    demo: BotHarness, engine: AsyncEngine, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    curator = await demo.login(SMIRNOVA)
    await _fill_until_summary(demo, curator)
    card = await demo.press(curator, texts.BUTTON_DONE)
    assert "Проверьте посещение" in card.text

    with failing_the_commit_that_saves_a_visit(engine) as failures:
        reply = await demo.press(curator, texts.BUTTON_SAVE)
    assert failures == [1]
    assert texts.VISIT_SAVED not in reply.everything
    assert texts.INTERNAL_ERROR in reply.everything
    assert await _visits(session_factory) == 0
    assert logged_errors.records

    # Nothing of the press happened, in memory either: the card's «Сохранить» still works
    # (had the state moved on with the failed commit, it would be a stale button).
    saved = await demo.press_data(curator, card.last.message_id, "vis:save")
    assert texts.VISIT_SAVED in saved.text
    assert await _visits(session_factory) == 1


async def test_the_replies_wait_in_the_updates_own_row_until_they_are_sent(
    demo: BotHarness, session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    held_when_sent: list[list[Any]] = []
    send = replies.deliver_now

    async def watching(*args: Any, **kwargs: Any) -> Message | None:
        async with session_factory() as session:
            rows = await session.scalars(
                select(BotStateEntry.data).where(BotStateEntry.namespace == INBOX)
            )
            held_when_sent.extend(row[HELD_REPLIES] for row in rows if HELD_REPLIES in row)
        return await send(*args, **kwargs)

    curator = await demo.login(SMIRNOVA)
    monkeypatch.setattr(replies, "deliver_now", watching)
    reply = await demo.send(curator, "/visit")
    assert texts.VISIT_CHOOSE_SCHOOL in reply.text
    # While the reply was being sent, the committed row held it, buttons included.
    assert held_when_sent, "no held reply was committed before the send"
    record = held_when_sent[0][0]
    assert record["chat_id"] == curator.id and texts.VISIT_CHOOSE_SCHOOL in record["text"]
    assert [text for row in record["buttons"] for text, _data in row] == ["Лицей № 9", "СШ № 17"]

    # Once sent, the row goes (with the next write, or on its own shortly after).
    async def inbox_rows() -> int:
        async with session_factory() as session:
            count = await session.scalar(
                select(func.count()).where(BotStateEntry.namespace == INBOX)
            )
            return int(count or 0)

    deadline = asyncio.get_running_loop().time() + 10  # a ceiling, not a pause
    while await inbox_rows():
        assert asyncio.get_running_loop().time() < deadline, "the sent replies' row stayed"
        await asyncio.sleep(0.02)

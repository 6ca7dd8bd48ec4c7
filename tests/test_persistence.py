"""Conversation state in the database: only real changes written, in one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import SessionFactory
from bot.models import BotStateEntry
from bot.persistence import DatabasePersistence
from tests.support.query_counter import count_queries

KEY = (501, 501)


async def _rows(factory: SessionFactory) -> dict[tuple[str, str], object]:
    async with factory() as session:
        rows = await session.scalars(select(BotStateEntry))
        return {(row.namespace, row.key): row.data for row in rows}


async def test_changes_are_written_and_read_back_by_a_new_process(
    session_factory: SessionFactory,
) -> None:
    persistence = DatabasePersistence(session_factory)
    await persistence.update_user_data(501, {"visit": {"date": "2026-11-24"}})
    await persistence.update_conversation("visit_new", KEY, 3)
    assert await _rows(session_factory) == {}  # staged, not yet written
    await persistence.flush()

    restarted = DatabasePersistence(session_factory)
    assert (await restarted.get_user_data())[501] == {"visit": {"date": "2026-11-24"}}
    assert await restarted.get_conversations("visit_new") == {KEY: 3}


async def test_nothing_changed_means_no_statement_at_all(
    session_factory: SessionFactory, engine: AsyncEngine
) -> None:
    persistence = DatabasePersistence(session_factory)
    await persistence.get_user_data()
    await persistence.update_user_data(501, {"step": 1})
    await persistence.flush()
    with count_queries(engine) as unchanged:
        await persistence.update_user_data(501, {"step": 1})
        await persistence.update_user_data(777, {})  # never stored, still empty
        await persistence.update_conversation("visit_new", KEY, None)  # never stored
        await persistence.flush()
    assert unchanged.count == 0
    with count_queries(engine) as changed:
        await persistence.update_user_data(501, {"step": 2})
        await persistence.update_conversation("visit_new", KEY, 4)
        await persistence.flush()
    # Both rows in one prebuilt upsert run once for all rows (executemany), between BEGIN
    # and COMMIT (the drivers send those without a cursor).
    assert changed.count == 1
    assert await _rows(session_factory) == {
        ("user_data", "501"): {"step": 2},
        ("conversation:visit_new", "[501, 501]"): 4,
    }


async def test_an_ended_conversation_and_emptied_draft_are_deleted(
    session_factory: SessionFactory,
) -> None:
    persistence = DatabasePersistence(session_factory)
    await persistence.update_user_data(501, {"step": 1})
    await persistence.update_conversation("visit_new", KEY, 2)
    await persistence.flush()
    await persistence.update_user_data(501, {})
    await persistence.update_conversation("visit_new", KEY, None)
    await persistence.flush()
    assert await _rows(session_factory) == {}


async def test_a_failed_write_is_kept_for_the_next_flush(
    session_factory: SessionFactory,
) -> None:
    calls = 0

    def failing_once():  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return session_factory()

    persistence = DatabasePersistence(failing_once)  # type: ignore[arg-type]
    await persistence.update_conversation("visit_new", KEY, 5)
    with pytest.raises(ConnectionError):
        await persistence.flush()
    await persistence.update_user_data(501, {"step": 5})  # the next update adds its own
    await persistence.flush()
    assert await _rows(session_factory) == {
        ("user_data", "501"): {"step": 5},
        ("conversation:visit_new", "[501, 501]"): 5,
    }


async def test_a_draft_that_is_not_json_fails_at_the_step_that_made_it(
    session_factory: SessionFactory,
) -> None:
    persistence = DatabasePersistence(session_factory)
    with pytest.raises(TypeError):
        await persistence.update_user_data(501, {"school": object()})


async def test_an_update_is_kept_from_receipt_until_its_state_is_saved(
    session_factory: SessionFactory,
) -> None:
    persistence = DatabasePersistence(session_factory)
    await persistence.record_received(71, {"update_id": 71, "message": {"text": "/visit"}})
    await persistence.record_received(70, {"update_id": 70})
    assert ("inbox", "71") in await _rows(session_factory)  # written at once

    restarted = DatabasePersistence(session_factory)
    updates, held = await restarted.unhandled_updates()
    assert [p["update_id"] for p in updates] == [70, 71] and held == {}

    await restarted.update_conversation("visit_new", KEY, 2)
    restarted.mark_handled(70)
    await restarted.flush()  # the state and the inbox row go together
    rows = await _rows(session_factory)
    assert ("inbox", "70") not in rows and ("inbox", "71") in rows
    assert rows[("conversation:visit_new", "[501, 501]")] == 2

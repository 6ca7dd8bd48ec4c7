"""An event's small conversations with hostile input: results, a field's new value, a
feedback comment; and the screens that want only buttons (/invite, /settings, /events).

One bot per test serves all examples (see test_hostile_visit_flow.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.db import SessionFactory
from bot.models import Event
from bot.services.events import events
from bot.services.events.events import EventDraft
from tests.support.factories import actor_for, load_demo_data, person_named
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, Hostile, Walk, hostile_inputs, one_bot, with_classics
from tests.support.personas import COORDINATOR, DIRECTOR_17

PUBLISHED = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)  # after the first event, before the second
ONE_BOT = one_bot(max_examples=25)


@dataclass
class Events:
    past: int
    coming: int


@pytest.fixture
async def city(bot: BotHarness, session_factory: SessionFactory) -> Events:
    """A past event the director signed up for, and a coming one, both by the coordinator."""
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    await bot.login(COORDINATOR)
    await bot.login(DIRECTOR_17)
    async with session_factory() as session:
        coordinator = await actor_for(session, await person_named(session, COORDINATOR))
        director = await actor_for(session, await person_named(session, DIRECTOR_17))
        ids = []
        for title, start in [
            ("Печа-куча «Лучшие практики»", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
            ("Семинар по ВПР", datetime(2027, 1, 15, 9, 0, tzinfo=UTC)),
        ]:
            draft = EventDraft(format="seminar", title=title, starts_at=start.isoformat())
            ids.append((await events.publish(session, coordinator, draft, PUBLISHED)).id)
        await events.sign_up(session, director, ids[0], PUBLISHED)
        await session.commit()
    bot.clock.set(NOW)
    return Events(past=ids[0], coming=ids[1])


async def _version(factory: SessionFactory, event_id: int) -> int:
    async with factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.version


async def _ask(bot: BotHarness, walk: Walk, data: str, question: str) -> None:
    """Open /events (a fresh start), press `data` under it, and get `question`."""
    listing = await walk.begin("/events")
    reply = walk.check(await bot.press_data(walk.user, listing.last.message_id, data), data)
    assert question in reply.text, reply.everything


async def _finish(walk: Walk, moved_on: str) -> None:
    """Send the value; refused, the question stays open until /cancel ends it."""
    if not await walk.step("value", moved_on=moved_on):
        reply = walk.check(await walk.bot.send(walk.user, "/cancel"), "cancel")
        assert texts.CANCELLED in reply.text


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_results_answer_hostile_input_safely(
    bot: BotHarness, city: Events, logged_errors: ErrorLog, value: Hostile
) -> None:
    walk = Walk(bot, await bot.login(COORDINATOR), value, logged_errors)
    await _ask(bot, walk, f"ev:rs:{city.past}", texts.EVENT_RESULTS_ASK)
    await _finish(walk, texts.EVENT_RESULTS_SAVED)


@ONE_BOT
@with_classics(field=0)
@given(value=hostile_inputs(), field=st.integers(0, len(texts.EVENT_EDIT_FIELDS) - 1))
async def test_event_edit_answers_hostile_input_safely(
    bot: BotHarness,
    city: Events,
    session_factory: SessionFactory,
    logged_errors: ErrorLog,
    value: Hostile,
    field: int,
) -> None:
    walk = Walk(bot, await bot.login(COORDINATOR), value, logged_errors)
    version = await _version(session_factory, city.coming)
    await _ask(bot, walk, f"ev:ef:{city.coming}:{version}:{field}", ":")
    await _finish(walk, texts.EVENT_EDITED)


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_feedback_comment_answers_hostile_input_safely(
    bot: BotHarness, city: Events, logged_errors: ErrorLog, value: Hostile
) -> None:
    walk = Walk(bot, await bot.login(DIRECTOR_17), value, logged_errors)
    await _ask(bot, walk, f"ev:fb:{city.past}:4", texts.EVENT_FEEDBACK_THANKS)
    await _finish(walk, texts.EVENT_FEEDBACK_SAVED)


@ONE_BOT
@with_classics(command="/invite")
@given(value=hostile_inputs(), command=st.sampled_from(["/invite", "/settings", "/events"]))
async def test_button_screens_answer_hostile_input_safely(
    bot: BotHarness, city: Events, logged_errors: ErrorLog, value: Hostile, command: str
) -> None:
    walk = Walk(bot, await bot.login(COORDINATOR), value, logged_errors)
    await walk.begin(command)
    await walk.step("after " + command)

"""Two coordinators editing one event at once: the database's version check decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory
from bot.models import Event, Role
from bot.services.errors import DomainError
from bot.services.events import events
from bot.services.events.events import EventDraft
from tests.support.factories import actor_for, make_municipality, make_person

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_stale_copy_loses_even_when_versions_looked_equal(
    session: AsyncSession, session_factory: SessionFactory
) -> None:
    city = await make_municipality(session)
    first = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    second = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    draft = EventDraft(
        municipality_id=city.id,
        format="debates",
        title="Педагогические дебаты",
        starts_at=(NOW + timedelta(days=5)).isoformat(),
    )
    event_id = (await events.publish(session, first, draft, NOW)).id
    await session.commit()

    async with session_factory() as late:
        stale = await late.get(Event, event_id)  # the second coordinator's card, version 1
        assert stale is not None and stale.version == 1
        await late.commit()
        async with session_factory() as early:
            await events.edit(early, first, event_id, "title", "Дебаты: ВСОКО", 1, NOW)
            await early.commit()
        with pytest.raises(DomainError) as error:
            await events.edit(late, second, event_id, "description", "Регламент", 1, NOW)
        assert error.value.code == "event_edited_by_other"
        await late.rollback()

    async with session_factory() as fresh:
        stored = await fresh.get(Event, event_id)
    assert stored is not None
    assert (stored.title, stored.description, stored.version) == ("Дебаты: ВСОКО", None, 2)

"""Event rules: capacity under concurrent taps, waiting list, optimistic edits, audience."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory, unit_of_work
from bot.models import EventRegistration, Notification, RegistrationState, Role
from bot.services.errors import AccessDenied, DomainError
from bot.services.events import events
from bot.services.events.events import EventDraft
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def _published(session: AsyncSession, capacity: int | None, staff_count: int):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    school = await make_school(session, city)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    staff = [
        await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
        for _ in range(staff_count)
    ]
    draft = EventDraft(
        municipality_id=city.id,
        format="seminar",
        title="Семинар по ВСОКО",
        starts_at=(NOW + timedelta(days=3)).isoformat(),
        capacity=capacity,
    )
    event = await events.publish(session, coordinator, draft, NOW)
    return city, coordinator, staff, event


async def test_concurrent_sign_ups_never_overbook(
    session: AsyncSession, session_factory: SessionFactory
) -> None:
    _city, _coordinator, staff, event = await _published(session, capacity=3, staff_count=10)
    actors = [await actor_for(session, person) for person in staff]
    await session.commit()

    async def tap(actor):  # type: ignore[no-untyped-def]
        for _attempt in range(20):
            try:
                async with unit_of_work(session_factory) as own:
                    return await events.sign_up(own, actor, event.id, NOW)
            except Exception as error:  # SQLite may refuse a writer that must start over
                if "locked" not in str(error).lower() and "deadlock" not in str(error).lower():
                    raise
                await asyncio.sleep(0.05)
        raise AssertionError("never got through")

    states = await asyncio.gather(*(tap(actor) for actor in actors))
    assert states.count(RegistrationState.REGISTERED) == 3
    assert states.count(RegistrationState.WAITLISTED) == 7
    async with session_factory() as fresh:
        registered = await fresh.scalar(
            select(func.count(EventRegistration.id)).where(
                EventRegistration.state == RegistrationState.REGISTERED
            )
        )
    assert registered == 3


async def test_withdrawal_promotes_the_waiting_list(session: AsyncSession) -> None:
    _city, _coordinator, staff, event = await _published(session, capacity=1, staff_count=2)
    first, second = [await actor_for(session, person) for person in staff]
    assert await events.sign_up(session, first, event.id, NOW) == RegistrationState.REGISTERED
    assert await events.sign_up(session, second, event.id, NOW) == RegistrationState.WAITLISTED
    assert await events.decline(session, first, event.id, NOW) == "promoted"
    state = await session.scalar(
        select(EventRegistration.state).where(EventRegistration.person_id == second.person_id)
    )
    assert state == RegistrationState.REGISTERED


async def test_audience_and_roles(session: AsyncSession) -> None:
    city, coordinator, staff, event = await _published(session, capacity=None, staff_count=1)
    announcements = await session.scalar(
        select(func.count(Notification.id)).where(
            Notification.dedupe_key.like(f"event {event.id}:announce%")
        )
    )
    assert announcements == 1
    outsider_city = await make_municipality(session)
    outsider = await actor_for(
        session,
        await make_person(
            session,
            Role.SCHOOL_STAFF,
            municipality=outsider_city,
            school=await make_school(session, outsider_city),
        ),
    )
    with pytest.raises(AccessDenied):
        await events.sign_up(session, outsider, event.id, NOW)
    curator = await actor_for(session, await make_person(session, Role.CURATOR, municipality=city))
    with pytest.raises(AccessDenied):
        await events.publish(
            session,
            curator,
            EventDraft(
                municipality_id=city.id, format="seminar", title="x", starts_at=NOW.isoformat()
            ),
            NOW,
        )
    with pytest.raises(DomainError) as past:
        await events.publish(
            session,
            coordinator,
            EventDraft(
                municipality_id=city.id, format="seminar", title="x", starts_at=NOW.isoformat()
            ),
            NOW,
        )
    assert past.value.code == "event_start_past"
    await events.cancel(session, coordinator, event.id, NOW)
    with pytest.raises(DomainError) as closed:
        await events.sign_up(session, await actor_for(session, staff[0]), event.id, NOW)
    assert closed.value.code == "event_not_open"


async def test_two_coordinators_editing_at_once(session: AsyncSession) -> None:
    city, coordinator, _staff, event = await _published(session, capacity=None, staff_count=1)
    version = event.version
    await events.edit(session, coordinator, event.id, "title", "Новое название", version, NOW)
    other = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    with pytest.raises(DomainError) as stale:
        await events.edit(session, other, event.id, "description", "Описание", version, NOW)
    assert stale.value.code == "event_edited_by_other"


@pytest.mark.parametrize(
    ("text", "code"),
    [("0", "event_capacity"), ("много", "event_capacity"), ("-5", "event_capacity")],
)
def test_capacity_input(text: str, code: str) -> None:
    with pytest.raises(DomainError) as error:
        events.parse_capacity(text)
    assert error.value.code == code


def test_long_title_refused() -> None:
    with pytest.raises(DomainError) as error:
        events.check_title("я" * 5000)
    assert error.value.code == "text_too_long"

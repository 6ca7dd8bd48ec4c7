"""Event reminders live in the outbox from sign-up on; attendance feeds the summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Event, EventRegistration, Notification, NotificationState, Role
from bot.services.events import event_reminders, events
from bot.services.events.events import EventDraft
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
START = NOW + timedelta(days=3)


async def _setup(session: AsyncSession, staff_count: int = 2):  # type: ignore[no-untyped-def]
    city = await make_municipality(session)
    school = await make_school(session, city)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    staff = [
        await actor_for(
            session, await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
        )
        for _ in range(staff_count)
    ]
    draft = EventDraft(
        municipality_id=city.id,
        format="round_table",
        title="Круглый стол",
        starts_at=START.isoformat(),
        capacity=1,
    )
    event = await events.publish(session, coordinator, draft, NOW)
    return school, coordinator, staff, event


async def _reminders(session: AsyncSession, event_id: int) -> dict[str, tuple[datetime, str]]:
    rows = await session.scalars(
        select(Notification).where(Notification.dedupe_key.like(f"event {event_id}:remind:%"))
    )
    return {row.dedupe_key: (row.due_at, row.state.value) for row in rows}


async def test_sign_up_queues_both_reminders_and_withdrawal_drops_them(
    session: AsyncSession,
) -> None:
    _school, _coordinator, (first, second), event = await _setup(session)
    await events.sign_up(session, first, event.id, NOW)
    await events.sign_up(session, second, event.id, NOW)  # waiting list: no reminders
    # The sign-up's row lock is not an edit: the coordinators' open cards stay current.
    assert await session.scalar(select(Event.version).where(Event.id == event.id)) == 1
    key = f"event {event.id}:remind:%s:person {first.person_id}"
    assert await _reminders(session, event.id) == {
        key % "T-1d": (START - timedelta(days=1), "pending"),
        key % "T-1h": (START - timedelta(hours=1), "pending"),
    }

    assert await events.decline(session, first, event.id, NOW) == "promoted"
    promoted = f"event {event.id}:remind:%s:person {second.person_id}"
    stored = await _reminders(session, event.id)
    assert stored[key % "T-1d"][1] == stored[key % "T-1h"][1] == "cancelled"
    assert stored[promoted % "T-1d"] == (START - timedelta(days=1), "pending")

    # Signing up again (to the waiting list now) revives nothing; the promoted one keeps hers.
    await events.sign_up(session, first, event.id, NOW)
    assert (await _reminders(session, event.id))[key % "T-1h"][1] == "cancelled"


async def test_new_start_moves_reminders_and_cancel_drops_them(session: AsyncSession) -> None:
    _school, coordinator, (first, _second), event = await _setup(session)
    await events.sign_up(session, first, event.id, NOW)
    later = START + timedelta(days=2)
    await events.edit(session, coordinator, event.id, "starts_at", later, event.version, NOW)
    key = f"event {event.id}:remind:%s:person {first.person_id}"
    stored = await _reminders(session, event.id)
    assert stored[key % "T-1d"] == (later - timedelta(days=1), "pending")
    assert stored[key % "T-1h"] == (later - timedelta(hours=1), "pending")
    text = await session.scalar(
        select(Notification.text).where(Notification.dedupe_key == key % "T-1h")
    )
    assert "29.11.2026" in (text or "")  # the new date, in the municipality's zone

    await events.cancel(session, coordinator, event.id, NOW)
    assert {state for _due, state in (await _reminders(session, event.id)).values()} == {
        "cancelled"
    }


async def test_late_sign_up_gets_only_the_hour_reminder(session: AsyncSession) -> None:
    _school, _coordinator, (first, _second), event = await _setup(session)
    now = START - timedelta(hours=5)
    await events.sign_up(session, first, event.id, now)
    assert [key.split(":")[2] for key in await _reminders(session, event.id)] == ["T-1h"]


async def test_sweep_leaves_pending_announcements_alone(session: AsyncSession) -> None:
    _school, _coordinator, (first, second), event = await _setup(session)
    await events.sign_up(session, first, event.id, NOW)
    await event_reminders.event_sweep(session, START - timedelta(days=1, minutes=30))
    states = dict(
        (
            await session.execute(
                select(Notification.dedupe_key, Notification.state).where(
                    Notification.dedupe_key.like(f"event {event.id}:%")
                )
            )
        ).all()
    )
    announcement = f"event {event.id}:announce:person {second.person_id}"
    assert states[announcement] == NotificationState.PENDING  # not a sign-up's reminder
    assert len([k for k in states if ":remind:" in k]) == 2  # the sweep added no duplicates


async def test_events_attended_per_school_in_one_query(session: AsyncSession) -> None:
    school, _coordinator, (first, _second), event = await _setup(session)
    await events.sign_up(session, first, event.id, NOW)
    other_school = await make_school(session, await make_municipality(session))
    assert await events.events_attended(session, [school.id, other_school.id]) == {}
    registration = await session.scalar(
        select(EventRegistration).where(EventRegistration.person_id == first.person_id)
    )
    assert registration is not None
    registration.attended = True
    await session.flush()
    attended = await events.events_attended(session, [school.id, other_school.id])
    assert attended == {school.id: [("Круглый стол", START)]}

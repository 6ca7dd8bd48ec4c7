"""City events: publishing with an announcement, sign-ups with capacity, edits, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot import callbacks as cb
from bot import texts
from bot.models import (
    CuratorAssignment,
    Event,
    EventAudience,
    EventAudienceSchool,
    EventRegistration,
    EventStatus,
    RegistrationState,
    Role,
    RoleAssignment,
    School,
    utcnow,
)
from bot.reports.ics import event_ics
from bot.services import local_time
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.access.assignments import valid_on
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.events import event_reminders
from bot.services.notifications import outbox, recipients
from bot.services.numbers import plain_digits

FORMATS = (
    "quest",
    "business_game",
    "brainstorm",
    "debates",
    "coaching",
    "round_table",
    "pecha_kucha",
    "seminar",
    "webinar",
    "readings",
    "methodical_meeting",
    "other",
)
MAX_TITLE = 300
MAX_TEXT = 2000


@dataclass
class EventDraft:
    municipality_id: int | None = None
    format: str | None = None
    title: str | None = None
    starts_at: str | None = None  # ISO UTC
    duration_minutes: int = 90
    host_school_id: int | None = None
    place_text: str | None = None
    goal: str | None = None
    audience: str = EventAudience.PROJECT_SCHOOLS.value
    chosen_school_ids: list[int] = field(default_factory=list)
    needs_registration: bool = True
    capacity: int | None = None
    description: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EventDraft:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def home_municipality(actor: Actor) -> int:
    """The municipality a coordinator creates events in."""
    if actor.municipality_id and actor.coordinates(actor.municipality_id):
        return actor.municipality_id
    if actor.coordinated_municipality_ids:
        return min(actor.coordinated_municipality_ids)
    raise AccessDenied("event_coordinators_only")


def check_title(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise DomainError("text_empty")
    if len(value) > MAX_TITLE:
        raise DomainError("text_too_long", length=len(value), limit=MAX_TITLE)
    return value


def check_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError("text_empty")
    if len(value) > MAX_TEXT:
        raise DomainError("text_too_long", length=len(value), limit=MAX_TEXT)
    return value


def check_start(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise DomainError("event_start_past")


def parse_duration(text: str) -> int:
    digits = text.strip().lower().removesuffix("мин").strip()
    if not plain_digits(digits) or not 15 <= int(digits) <= 600:
        raise DomainError("event_duration")
    return int(digits)


def parse_capacity(text: str) -> int | None:
    value = text.strip().lower()
    if value in {"без ограничений", "нет", "-", "0 — без ограничений"}:
        return None
    if not plain_digits(value) or not 1 <= int(value) <= 2000:
        raise DomainError("event_capacity")
    return int(value)


async def audience_people(session: AsyncSession, event: Event) -> list[int]:
    """Who is invited: staff of the chosen or project schools, curators, or everyone."""
    schools = select(School.id).where(School.municipality_id == event.municipality_id)
    if event.audience == EventAudience.CHOSEN_SCHOOLS:
        schools = select(EventAudienceSchool.school_id).where(
            EventAudienceSchool.event_id == event.id
        )
    elif event.audience in {EventAudience.PROJECT_SCHOOLS, EventAudience.EVERYONE}:
        schools = schools.where(School.in_project.is_(True))
    people: set[int] = set()
    if event.audience != EventAudience.CURATORS:
        people |= set(
            (
                await session.scalars(
                    select(RoleAssignment.person_id).where(
                        RoleAssignment.role == Role.SCHOOL_STAFF,
                        RoleAssignment.school_id.in_(schools),
                        RoleAssignment.revoked_at.is_(None),
                    )
                )
            ).all()
        )
    if event.audience in {EventAudience.CURATORS, EventAudience.EVERYONE}:
        all_schools = select(School.id).where(School.municipality_id == event.municipality_id)
        people |= set(
            (
                await session.scalars(
                    select(CuratorAssignment.curator_person_id).where(
                        CuratorAssignment.school_id.in_(all_schools),
                        valid_on(utcnow().date()),
                    )
                )
            ).all()
        )
    if event.audience == EventAudience.EVERYONE:
        people |= set(await recipients.municipal_coordinators(session, event.municipality_id))
    return sorted(people)


async def publish(session: AsyncSession, actor: Actor, draft: EventDraft, now: datetime) -> Event:
    municipality_id = draft.municipality_id or home_municipality(actor)
    if not actor.coordinates(municipality_id):
        raise AccessDenied("event_coordinators_only")
    if not (draft.format and draft.title and draft.starts_at):
        raise DomainError("event_incomplete")
    starts_at = datetime.fromisoformat(draft.starts_at)
    check_start(starts_at, now)
    event = Event(
        municipality_id=municipality_id,
        format=draft.format,
        title=check_title(draft.title),
        starts_at=starts_at,
        duration_minutes=draft.duration_minutes,
        host_school_id=draft.host_school_id,
        place_text=draft.place_text,
        goal=draft.goal,
        audience=EventAudience(draft.audience),
        needs_registration=draft.needs_registration,
        capacity=draft.capacity,
        description=draft.description,
        status=EventStatus.PUBLISHED,
        created_by_person_id=actor.person_id,
        published_at=now,
    )
    session.add(event)
    await session.flush()
    for school_id in draft.chosen_school_ids:
        session.add(EventAudienceSchool(event_id=event.id, school_id=school_id))
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.published",
        object_type="event",
        object_id=event.id,
    )
    await announce(session, event, now)
    return event


async def _timezone(session: AsyncSession, event: Event) -> str:
    return await local_time.municipality_zone(session, event.municipality_id)


async def place_of(session: AsyncSession, event: Event) -> str:
    if event.host_school_id:
        school = await session.get(School, event.host_school_id)
        if school:
            return school.full_name
    return event.place_text or "—"


async def announce(session: AsyncSession, event: Event, now: datetime) -> int:
    timezone = await _timezone(session, event)
    place = await place_of(session, event)
    ics = event_ics(event, place)
    buttons = (
        [
            [
                (texts.BUTTON_SIGN_UP, cb.EventSignUp(event.id).pack()),
                (texts.BUTTON_DECLINE, cb.EventDecline(event.id).pack()),
            ]
        ]
        if event.needs_registration
        else [[(texts.BUTTON_OPEN_EVENT, cb.EventOpen(event.id).pack())]]
    )
    return await outbox.enqueue_for_each(
        session,
        await audience_people(session, event),
        key_prefix=f"event {event.id}:announce",
        kind="event",
        due_at=now,
        buttons=buttons,
        document_name=f"event_{event.id}.ics",
        document_bytes=ics,
        text=texts.event_announcement(event, place, timezone),
    )


async def visible_event(session: AsyncSession, actor: Actor, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("event_not_found")
    if actor.coordinates(event.municipality_id) or actor.person_id in await audience_people(
        session, event
    ):
        return event
    raise AccessDenied("event_not_for_you")


async def managed_event(session: AsyncSession, actor: Actor, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("event_not_found")
    if not actor.coordinates(event.municipality_id):
        if actor.person_id in await audience_people(session, event):
            raise AccessDenied("event_coordinators_only")
        raise NotFound("event_not_found")  # unseen: the same answer as a missing event
    return event


async def sign_up(
    session: AsyncSession, actor: Actor, event_id: int, now: datetime
) -> RegistrationState:
    """Register, or wait-list when full. The event row is locked first, so concurrent taps
    are counted one after another (PostgreSQL row lock; SQLite's single writer)."""
    await session.execute(update(Event).where(Event.id == event_id).values(capacity=Event.capacity))
    event = await visible_event(session, actor, event_id)
    if event.status != EventStatus.PUBLISHED:
        raise DomainError("event_not_open")
    if event.starts_at <= now:
        raise DomainError("event_started")
    registration = await session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.person_id == actor.person_id
        )
    )
    if registration is not None and registration.state in {
        RegistrationState.REGISTERED,
        RegistrationState.WAITLISTED,
    }:
        return registration.state
    taken = await session.scalar(
        select(func.count(EventRegistration.id)).where(
            EventRegistration.event_id == event.id,
            EventRegistration.state == RegistrationState.REGISTERED,
        )
    )
    state = (
        RegistrationState.WAITLISTED
        if event.capacity is not None and (taken or 0) >= event.capacity
        else RegistrationState.REGISTERED
    )
    if registration is None:
        session.add(EventRegistration(event_id=event.id, person_id=actor.person_id, state=state))
    else:
        registration.state = state
    await session.flush()
    if state == RegistrationState.REGISTERED:
        await event_reminders.schedule(session, event, [actor.person_id], now)
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action=f"event.{state.value}",
        object_type="event",
        object_id=event.id,
    )
    return state


async def decline(session: AsyncSession, actor: Actor, event_id: int, now: datetime) -> str | None:
    """«Не смогу», or withdrawing a sign-up: frees the place for the first on the waiting list.

    Returns the name of the promoted person's state change, if any, for the caller's reply."""
    await session.execute(update(Event).where(Event.id == event_id).values(capacity=Event.capacity))
    event = await visible_event(session, actor, event_id)
    registration = await session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.person_id == actor.person_id
        )
    )
    was_registered = registration is not None and registration.state == RegistrationState.REGISTERED
    if registration is None:
        session.add(
            EventRegistration(
                event_id=event.id, person_id=actor.person_id, state=RegistrationState.DECLINED
            )
        )
    else:
        registration.state = (
            RegistrationState.CANCELLED
            if registration.state in {RegistrationState.REGISTERED, RegistrationState.WAITLISTED}
            else RegistrationState.DECLINED
        )
    await session.flush()
    await event_reminders.drop(session, event.id, actor.person_id)
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.declined",
        object_type="event",
        object_id=event.id,
    )
    if was_registered:
        first = await session.scalar(
            select(EventRegistration)
            .where(
                EventRegistration.event_id == event.id,
                EventRegistration.state == RegistrationState.WAITLISTED,
            )
            .order_by(EventRegistration.created_at, EventRegistration.id)
            .limit(1)
        )
        if first is not None:
            first.state = RegistrationState.REGISTERED
            await session.flush()
            await event_reminders.schedule(session, event, [first.person_id], now)
            await outbox.enqueue(
                session,
                dedupe_key=f"event {event.id}:promoted:person {first.person_id}",
                recipient_person_id=first.person_id,
                kind="event",
                due_at=now,
                text=texts.event_promoted(event.title),
                buttons=[[(texts.BUTTON_OPEN_EVENT, cb.EventOpen(event.id).pack())]],
            )
            return "promoted"
    return None


EDITABLE = ("title", "starts_at", "place_text", "description")


async def edit(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    field_name: str,
    value: Any,
    expected_version: int,
    now: datetime,
) -> Event:
    """Change one field; refused if someone else changed the event since it was shown."""
    event = await managed_event(session, actor, event_id)
    if field_name not in EDITABLE:
        raise NotFound()
    if event.status != EventStatus.PUBLISHED:
        raise DomainError("event_not_open")
    if event.version != expected_version:
        raise DomainError("event_edited_by_other")
    if field_name == "starts_at":
        check_start(value, now)
    before = getattr(event, field_name)
    setattr(event, field_name, value)
    try:
        await session.flush()  # the version column bumps; a concurrent writer fails here
    except StaleDataError:
        raise DomainError("event_edited_by_other") from None
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.edited",
        object_type="event",
        object_id=event.id,
        details={"field": field_name, "before": str(before), "after": str(value)},
    )
    await _tell_registered(
        session, event, f"changed v{event.version}", texts.event_changed(event.title), now
    )
    # A new start moves the reminders; a new title is in their text.
    await event_reminders.schedule(session, event, await registered_people(session, event.id), now)
    return event


async def cancel(session: AsyncSession, actor: Actor, event_id: int, now: datetime) -> Event:
    event = await managed_event(session, actor, event_id)
    if event.status == EventStatus.CANCELLED:
        raise DomainError("event_not_open")
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.cancelled",
        object_type="event",
        object_id=event.id,
    )
    await _tell_registered(session, event, "cancelled", texts.event_cancelled(event.title), now)
    await event_reminders.drop(session, event.id)
    return event


async def registered_people(session: AsyncSession, event_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(EventRegistration.person_id).where(
                EventRegistration.event_id == event_id,
                EventRegistration.state == RegistrationState.REGISTERED,
            )
        )
    )


async def _tell_registered(
    session: AsyncSession, event: Event, what: str, text: str, now: datetime
) -> None:
    people = (
        await session.scalars(
            select(EventRegistration.person_id).where(
                EventRegistration.event_id == event.id,
                EventRegistration.state.in_(
                    [RegistrationState.REGISTERED, RegistrationState.WAITLISTED]
                ),
            )
        )
    ).all()
    await outbox.enqueue_for_each(
        session,
        people,
        key_prefix=f"event {event.id}:{what}",
        kind="event",
        due_at=now,
        text=text,
        buttons=[[(texts.BUTTON_OPEN_EVENT, cb.EventOpen(event.id).pack())]],
    )


@dataclass(frozen=True)
class EventRow:
    event: Event
    my_state: RegistrationState | None
    registered: int
    waitlisted: int


async def upcoming(
    session: AsyncSession, actor: Actor, now: datetime, *, past: bool = False
) -> list[EventRow]:
    municipalities = set(actor.coordinated_municipality_ids)
    if actor.municipality_id:
        municipalities.add(actor.municipality_id)
    time_filter = Event.starts_at < now if past else Event.starts_at >= now - timedelta(hours=3)
    statement = select(Event).where(
        time_filter,
        Event.status != EventStatus.DRAFT,
        or_(Event.municipality_id.in_(municipalities), true() if actor.is_admin else false()),
    )
    events = list(
        await session.scalars(
            statement.order_by(Event.starts_at.desc() if past else Event.starts_at).limit(20)
        )
    )
    if not events:
        return []
    ids = [e.id for e in events]
    mine = dict(
        (
            await session.execute(
                select(EventRegistration.event_id, EventRegistration.state).where(
                    EventRegistration.event_id.in_(ids),
                    EventRegistration.person_id == actor.person_id,
                )
            )
        ).all()
    )
    counts: dict[tuple[int, RegistrationState], int] = {
        (event_id, state): count
        for event_id, state, count in await session.execute(
            select(EventRegistration.event_id, EventRegistration.state, func.count())
            .where(EventRegistration.event_id.in_(ids))
            .group_by(EventRegistration.event_id, EventRegistration.state)
        )
    }
    rows = []
    for event in events:
        if (
            not actor.coordinates(event.municipality_id)
            and event.id not in mine
            and actor.person_id not in await audience_people(session, event)
        ):
            continue
        rows.append(
            EventRow(
                event,
                mine.get(event.id),
                counts.get((event.id, RegistrationState.REGISTERED), 0),
                counts.get((event.id, RegistrationState.WAITLISTED), 0),
            )
        )
    return rows


async def event_row(session: AsyncSession, actor: Actor, event: Event) -> EventRow:
    mine = await session.scalar(
        select(EventRegistration.state).where(
            EventRegistration.event_id == event.id, EventRegistration.person_id == actor.person_id
        )
    )
    counts = dict(
        (
            await session.execute(
                select(EventRegistration.state, func.count())
                .where(EventRegistration.event_id == event.id)
                .group_by(EventRegistration.state)
            )
        ).all()
    )
    return EventRow(
        event,
        mine,
        counts.get(RegistrationState.REGISTERED, 0),
        counts.get(RegistrationState.WAITLISTED, 0),
    )


async def events_attended(
    session: AsyncSession, school_ids: list[int] | ScalarSelect[int]
) -> dict[int, list[tuple[str, datetime]]]:
    """For summaries: per school, the events its staff attended (title, start), newest first.

    One query; `school_ids` may be a list or a subquery (as the summaries pass)."""
    if isinstance(school_ids, list) and not school_ids:
        return {}
    rows = await session.execute(
        select(RoleAssignment.school_id, Event.id, Event.title, Event.starts_at)
        .join(EventRegistration, EventRegistration.person_id == RoleAssignment.person_id)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(
            RoleAssignment.role == Role.SCHOOL_STAFF,
            RoleAssignment.school_id.in_(school_ids),
            EventRegistration.attended.is_(True),
            Event.status != EventStatus.CANCELLED,
        )
        .distinct()
        .order_by(RoleAssignment.school_id, Event.starts_at.desc(), Event.id)
    )
    attended: dict[int, list[tuple[str, datetime]]] = {}
    for school_id, _event_id, title, starts_at in rows:
        assert school_id is not None  # staff roles of the schools asked for
        attended.setdefault(school_id, []).append((title, starts_at))
    return attended


# -- the schools an event being drafted may name (handlers/event_create.py) ---------------

HOST_SCHOOLS_OFFERED = 30  # schools offered as buttons for the place, by number


async def host_schools(session: AsyncSession, municipality_id: int | None) -> list[School]:
    """The schools offered as the event's place: its municipality's, by number."""
    rows = await session.scalars(
        select(School)
        .where(School.municipality_id == municipality_id)
        .order_by(School.number)
        .limit(HOST_SCHOOLS_OFFERED)
    )
    return list(rows.all())


async def invitable_schools(session: AsyncSession, municipality_id: int | None) -> list[School]:
    """The schools an event for chosen schools may invite: its municipality's, in the project."""
    rows = await session.scalars(
        select(School)
        .where(School.municipality_id == municipality_id, School.in_project.is_(True))
        .order_by(School.number)
    )
    return list(rows.all())


async def draft_school(session: AsyncSession, draft: EventDraft, school_id: int) -> School:
    """A school the draft names (its place, an invited school): of the draft's municipality."""
    school = await session.get(School, school_id)
    if school is None or school.municipality_id != draft.municipality_id:
        raise DomainError("school_out_of_scope")
    return school


async def draft_place(session: AsyncSession, draft: EventDraft) -> str:
    """Where the drafted event is: the host school's full name, the typed place, or «—»."""
    if draft.host_school_id:
        school = await session.get(School, draft.host_school_id)
        if school:
            return school.full_name
    return draft.place_text or "—"

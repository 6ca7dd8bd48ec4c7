"""After an event: attendance, results, and participants' feedback (листы рефлексии)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import (
    Attachment,
    AttachmentKind,
    Event,
    EventRegistration,
    Person,
    RegistrationState,
    School,
)
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import DomainError, NotFound
from bot.services.events.events import check_text, managed_event
from bot.services.notifications import outbox
from bot.services.reporting.report_data import person_school_id

MAX_COMMENT = 1000


@dataclass(frozen=True)
class Participant:
    person_id: int
    name: str
    state: RegistrationState
    attended: bool | None
    school: str | None = None


async def participants(session: AsyncSession, actor: Actor, event_id: int) -> list[Participant]:
    await managed_event(session, actor, event_id)
    rows = await session.execute(
        select(EventRegistration, Person.full_name)
        .join(Person, Person.id == EventRegistration.person_id)
        .where(
            EventRegistration.event_id == event_id,
            EventRegistration.state.in_(
                [RegistrationState.REGISTERED, RegistrationState.WAITLISTED]
            ),
        )
        .order_by(EventRegistration.state, Person.full_name)
    )
    return [Participant(r.person_id, name, r.state, r.attended) for r, name in rows]


async def sign_ups_for_organiser(
    session: AsyncSession, actor: Actor, event_id: int
) -> list[Participant]:
    """Everyone who answered the invitation, with their school, for the organiser's XLSX:
    those signed up first, then the waiting list, then those who declined or withdrew."""
    await managed_event(session, actor, event_id)
    order = case(
        (EventRegistration.state == RegistrationState.REGISTERED, 0),
        (EventRegistration.state == RegistrationState.WAITLISTED, 1),
        (EventRegistration.state == RegistrationState.DECLINED, 2),
        else_=3,
    )
    rows = await session.execute(
        select(EventRegistration, Person.full_name, School.short_name)
        .join(Person, Person.id == EventRegistration.person_id)
        .outerjoin(School, School.id == person_school_id())
        .where(EventRegistration.event_id == event_id)
        .order_by(order, School.number, Person.full_name, EventRegistration.id)
    )
    return [Participant(r.person_id, name, r.state, r.attended, school) for r, name, school in rows]


async def toggle_attendance(
    session: AsyncSession, actor: Actor, event_id: int, person_id: int, now: datetime
) -> bool:
    event = await managed_event(session, actor, event_id)
    if event.starts_at > now:
        raise DomainError("event_not_yet")
    registration = await session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.person_id == person_id
        )
    )
    if registration is None:
        raise NotFound()
    registration.attended = not registration.attended
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.attendance",
        object_type="event",
        object_id=event.id,
        details={"person_id": person_id, "attended": registration.attended},
    )
    return bool(registration.attended)


async def record_results(
    session: AsyncSession, actor: Actor, event_id: int, text: str, now: datetime
) -> Event:
    event = await managed_event(session, actor, event_id)
    if event.starts_at > now:
        raise DomainError("event_not_yet")
    event.results = check_text(text)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.results",
        object_type="event",
        object_id=event.id,
    )
    return event


async def request_feedback(
    session: AsyncSession, actor: Actor, event_id: int, now: datetime
) -> int:
    """Ask those who attended (or, before attendance is marked, those signed up) for a rating."""
    event = await managed_event(session, actor, event_id)
    if event.starts_at > now:
        raise DomainError("event_not_yet")
    attended = (
        await session.scalars(
            select(EventRegistration.person_id).where(
                EventRegistration.event_id == event.id, EventRegistration.attended.is_(True)
            )
        )
    ).all()
    people = (
        attended
        or (
            await session.scalars(
                select(EventRegistration.person_id).where(
                    EventRegistration.event_id == event.id,
                    EventRegistration.state == RegistrationState.REGISTERED,
                )
            )
        ).all()
    )
    buttons = [[(str(n), cb.EventRate(event.id, n).pack()) for n in (1, 2, 3, 4, 5)]]
    return await outbox.enqueue_for_each(
        session,
        people,
        key_prefix=f"event {event.id}:feedback",
        kind="event",
        due_at=now,
        buttons=buttons,
        text=texts.event_feedback_request(event.title),
    )


async def save_feedback(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    rating: int | None,
    comment: str | None,
    now: datetime,
) -> None:
    registration = await session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.person_id == actor.person_id
        )
    )
    if registration is None or registration.state not in {RegistrationState.REGISTERED}:
        raise DomainError("event_feedback_not_participant")
    if rating is not None:
        if not 1 <= rating <= 5:
            raise DomainError("event_rating")
        registration.feedback_rating = rating
    if comment is not None:
        comment = comment.strip()
        if len(comment) > MAX_COMMENT:
            raise DomainError("text_too_long", length=len(comment), limit=MAX_COMMENT)
        registration.feedback_comment = comment or None
    registration.feedback_at = now
    await session.flush()
    # The rating and the comment arrive as two steps: each is recorded as it is given.
    given: dict[str, object] = {"rating": rating} if rating is not None else {}
    if comment is not None:
        given["comment"] = registration.feedback_comment
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.feedback",
        object_type="event",
        object_id=event_id,
        details=given,
    )


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    comments: list[str]
    attended: int
    registered: int


async def feedback_summary(session: AsyncSession, actor: Actor, event_id: int) -> FeedbackSummary:
    await managed_event(session, actor, event_id)
    count, average = (
        await session.execute(
            select(
                func.count(EventRegistration.feedback_rating),
                func.avg(EventRegistration.feedback_rating),
            ).where(EventRegistration.event_id == event_id)
        )
    ).one()
    comments = (
        await session.scalars(
            select(EventRegistration.feedback_comment).where(
                EventRegistration.event_id == event_id,
                EventRegistration.feedback_comment.is_not(None),
            )
        )
    ).all()
    attended = await session.scalar(
        select(func.count()).where(
            EventRegistration.event_id == event_id, EventRegistration.attended.is_(True)
        )
    )
    registered = await session.scalar(
        select(func.count()).where(
            EventRegistration.event_id == event_id,
            EventRegistration.state == RegistrationState.REGISTERED,
        )
    )
    return FeedbackSummary(
        int(count),
        float(average) if average is not None else None,
        [comment for comment in comments if comment is not None],
        int(attended or 0),
        int(registered or 0),
    )


async def add_material(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    *,
    kind: str,
    file_id: str,
    file_unique_id: str | None,
    file_name: str | None,
) -> int:
    """A handout or a photo of the event; returns how many materials it has now."""
    event = await managed_event(session, actor, event_id)
    session.add(
        Attachment(
            kind=AttachmentKind(kind),
            event_id=event.id,
            telegram_file_id=file_id,
            telegram_file_unique_id=file_unique_id,
            file_name=file_name,
            uploaded_by_person_id=actor.person_id,
        )
    )
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="event.material_added",
        object_type="event",
        object_id=event.id,
    )
    return int(
        await session.scalar(
            select(func.count(Attachment.id)).where(Attachment.event_id == event.id)
        )
        or 0
    )

"""City events of the project and sign-ups to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TimestampMixin, enum_column, utcnow


class EventAudience(StrEnum):
    PROJECT_SCHOOLS = "project_schools"  # all school teams of the municipality's 500+ list
    CHOSEN_SCHOOLS = "chosen_schools"
    CURATORS = "curators"
    EVERYONE = "everyone"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class Event(Base, TimestampMixin):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # квест-игра, деловая игра, мозговой штурм, … (a code from bot.domain vocabulary).
    format: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    host_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    place_text: Mapped[str | None] = mapped_column(String(500))
    goal: Mapped[str | None] = mapped_column(Text)
    organisers: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[EventAudience] = mapped_column(
        enum_column(EventAudience), default=EventAudience.PROJECT_SCHOOLS
    )
    needs_registration: Mapped[bool] = mapped_column(default=True)
    capacity: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus), default=EventStatus.DRAFT)
    results: Mapped[str | None] = mapped_column(Text)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic lock: two coordinators editing at once cannot overwrite each other silently.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class EventAudienceSchool(Base):
    """The chosen schools of an event whose audience is CHOSEN_SCHOOLS."""

    __tablename__ = "event_audience_schools"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)


class RegistrationState(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"  # «Не смогу»
    CANCELLED = "cancelled"


class EventRegistration(Base, TimestampMixin):
    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[RegistrationState] = mapped_column(enum_column(RegistrationState))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    attended: Mapped[bool | None]
    feedback_rating: Mapped[int | None]
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None]

"""Curator visits and consultations, with their agreed follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, TimestampMixin, enum_column, utcnow


class VisitFormat(StrEnum):
    ON_SITE = "on_site"  # выезд в школу
    REMOTE = "remote"  # дистанционно (видеосвязь)
    PHONE = "phone"  # консультация по телефону
    JOINT_EVENT = "joint_event"  # совместное мероприятие
    OTHER = "other"


class Visit(Base, TimestampMixin):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    curator_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    visit_date: Mapped[date] = mapped_column(index=True)
    format: Mapped[VisitFormat] = mapped_column(enum_column(VisitFormat))
    format_other: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    roadmap_item_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap_items.id"))
    risk_factor_id: Mapped[int | None] = mapped_column(ForeignKey("risk_factors.id"))
    # Codes of who took part: director, deputy_uvr, shmo_heads, teachers, students, parents, other.
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    participants_other: Mapped[str | None] = mapped_column(String(300))
    findings: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]
    # The draft's token: a second «Сохранить» of the same draft cannot make a second visit.
    client_token: Mapped[str | None] = mapped_column(String(40), unique=True)

    follow_ups: Mapped[list[VisitFollowUp]] = relationship(
        back_populates="visit", order_by="VisitFollowUp.due_date"
    )


class VisitFollowUp(Base, TimestampMixin):
    """An agreed next step «what — by when»; the reminders work picks it up."""

    __tablename__ = "visit_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    # Who marked it done (the school or the curator), and what they said or showed.
    done_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    done_comment: Mapped[str | None] = mapped_column(Text)
    done_file_id: Mapped[str | None] = mapped_column(String(256))

    visit: Mapped[Visit] = relationship(back_populates="follow_ups")

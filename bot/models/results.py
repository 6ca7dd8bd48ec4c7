"""What decides a school's exit from the risk list, and what helps it get there (issue 18).

- `AssessmentResult`: one line of a results form — a school's ВПР / ОГЭ / ЕГЭ in a subject
  and grade for a school year (its start year, bot/services/school_year.SchoolYear).
- `TrainingCourse`: a course teachers of a school took (seed 002's course tables).
- `Practice`: a curator's or coordinator's practice worth copying, seen region-wide.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, enum_column, utcnow


class Assessment(StrEnum):
    VPR = "vpr"
    OGE = "oge"
    EGE = "ege"


class AssessmentResult(Base):
    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("school_id", "year", "assessment", "subject", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int]  # the school year's start year
    assessment: Mapped[Assessment] = mapped_column(enum_column(Assessment))
    subject: Mapped[str] = mapped_column(String(100))
    grade: Mapped[int]
    participants: Mapped[int]
    fail_percent: Mapped[float] = mapped_column(Float)  # share of «2», per cent, 0–100
    average_mark: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class TrainingCourse(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    hours: Mapped[int | None]
    provider: Mapped[str | None] = mapped_column(String(300))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    people_trained: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Practice(Base):
    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    risk_factor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    what_done: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    author_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

"""The ten federal risk factors and a school's risk profile."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, enum_column, utcnow


class RiskFactor(Base):
    """Seeded by a migration; `id` is the factor's federal number 1–10."""

    __tablename__ = "risk_factors"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(300))


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SchoolRiskProfileEntry(Base):
    __tablename__ = "school_risk_profile"
    __table_args__ = (UniqueConstraint("school_id", "risk_factor_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    risk_factor_id: Mapped[int] = mapped_column(ForeignKey("risk_factors.id"))
    level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel))
    year: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

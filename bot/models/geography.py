"""Region → municipality → school."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, TimestampMixin, enum_column


class Region(Base, TimestampMixin):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Yekaterinburg")

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="region")


class Municipality(Base, TimestampMixin):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The education authority's name, as documents and reports print it.
    authority_name: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Yekaterinburg")

    region: Mapped[Region] = relationship(back_populates="municipalities")
    schools: Mapped[list[School]] = relationship(back_populates="municipality")


class SchoolKind(StrEnum):
    SECONDARY = "secondary"  # СШ
    BASIC = "basic"  # ОШ
    LYCEUM = "lyceum"
    GYMNASIUM = "gymnasium"
    OTHER = "other"


class SchoolStatus(StrEnum):
    ACTIVE = "active"
    EXITED = "exited"


class School(Base, TimestampMixin):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("municipality_id", "short_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SchoolKind] = mapped_column(enum_column(SchoolKind), default=SchoolKind.SECONDARY)
    number: Mapped[int | None]
    director_name: Mapped[str | None] = mapped_column(String(200))
    is_shnor: Mapped[bool] = mapped_column(default=True)
    is_shnsu: Mapped[bool] = mapped_column(default=False)
    has_nonobjectivity_signs: Mapped[bool] = mapped_column(default=False)
    # Whether the school is one of the municipality's «500+» list (events target it).
    in_project: Mapped[bool] = mapped_column(default=True)
    project_start_year: Mapped[int | None]
    project_end_year: Mapped[int | None]
    # Teachers and other pedagogical staff: the base of «share of staff trained» (issue 18).
    staff_count: Mapped[int | None]
    status: Mapped[SchoolStatus] = mapped_column(
        enum_column(SchoolStatus), default=SchoolStatus.ACTIVE
    )

    municipality: Mapped[Municipality] = relationship(back_populates="schools")

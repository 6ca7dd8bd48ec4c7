"""People, their Telegram accounts, roles with scopes, invites, curator assignments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, TimestampMixin, enum_column


class Role(StrEnum):
    ADMIN = "admin"
    REGIONAL_COORDINATOR = "regional_coordinator"
    MUNICIPAL_COORDINATOR = "municipal_coordinator"
    CURATOR = "curator"
    SCHOOL_STAFF = "school_staff"


class Person(Base, TimestampMixin):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    # Where the person works, when that is a school we know (a curator's own school).
    workplace_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    # Notification kinds this person muted in /settings, e.g. ["digest", "deadline"].
    muted_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)

    account: Mapped[TelegramAccount | None] = relationship(back_populates="person")
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", foreign_keys="RoleAssignment.person_id"
    )


class TelegramAccount(Base):
    __tablename__ = "telegram_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    username: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[datetime]
    # Set when Telegram answered 403 (the user blocked the bot); summaries show it.
    unreachable_since: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="account")


class RoleAssignment(Base, TimestampMixin):
    """A role held in a scope: region, municipality or school (none for admin)."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    granted_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])


class CuratorAssignment(Base, TimestampMixin):
    """Who curates which school in which project year."""

    __tablename__ = "curator_assignments"
    __table_args__ = (UniqueConstraint("curator_person_id", "school_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curator_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int]
    ended_at: Mapped[datetime | None]


class Invite(Base, TimestampMixin):
    """A single-use deep-link token that binds a Telegram account to a person and role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    # For a curator invited to a school: the school to curate on binding.
    curated_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    # The person the invite is for, when known in advance (seed data); else made on binding.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None]
    note: Mapped[dict[str, Any] | None] = mapped_column(JSON)

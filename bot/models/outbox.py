"""The notification outbox: every message the bot sends on its own initiative."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TimestampMixin, enum_column


class NotificationState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up: unreachable account or permanent error
    CANCELLED = "cancelled"


class Notification(Base, TimestampMixin):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "deadline:item 42:person 7:T-1" — unique, so a cause can enqueue it only once.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[NotificationState] = mapped_column(
        enum_column(NotificationState), default=NotificationState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # When the claiming sender started sending it; None: claimed, never offered to Telegram.
    handed_over_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None]

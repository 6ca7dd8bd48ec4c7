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
    # e.g. "deadline:item 42:T-1:person 7" — unique, so a cause can enqueue it only once.
    # Only a key: stored whole and compared whole; nothing reads meaning out of it.
    dedupe_key: Mapped[str] = mapped_column(Text, unique=True)
    recipient_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # What a person can mute (Person.muted_kinds): "deadline", "event", "digest", …
    kind: Mapped[str] = mapped_column(String(40))
    # What the message reminds of, for those who withdraw it: "event_reminder" with the
    # event's id, "follow_up" with the follow-up's id; None for what nothing withdraws.
    subject: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    # Sent even at night (21:00–08:00): the hour-before reminder of an evening event is only
    # useful at its moment; everything else waits for the morning.
    quiet_hours_exempt: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The message gets the «snooze 1/3/7 days» row, naming this very row, when it is sent.
    snoozable: Mapped[bool] = mapped_column(default=False)
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

"""Files, photos, links and locations attached to a visit, a report or an event."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, TimestampMixin, enum_column


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    LINK = "link"
    LOCATION = "location"


class Attachment(Base, TimestampMixin):
    """Kept by Telegram file_id: the bytes stay on Telegram's side."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    telegram_file_id: Mapped[str | None] = mapped_column(String(256))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(300))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    uploaded_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

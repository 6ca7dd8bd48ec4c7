"""A school's roadmap for a year, its items, and progress reports with curator review."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, TimestampMixin, enum_column, utcnow


class Roadmap(Base, TimestampMixin):
    __tablename__ = "roadmaps"
    __table_args__ = (UniqueConstraint("school_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(500))
    imported_at: Mapped[datetime | None]

    items: Mapped[list[RoadmapItem]] = relationship(
        back_populates="roadmap", order_by="RoadmapItem.position"
    )


class ItemStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"
    # Settled at the end of a school year (bot/services/roadmaps/carry_over.py), never by a report.
    CLOSED = "closed"
    CARRIED_OVER = "carried_over"


# Nothing more is expected of an item in these: it leaves /overdue, summaries, the digest
# and the reminders. Every «not done yet» filter reads this set.
SETTLED_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.CLOSED, ItemStatus.CARRIED_OVER})
# What a school may report on an item (the report's status buttons).
REPORTED_STATUSES = (
    ItemStatus.NOT_STARTED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.DONE,
    ItemStatus.NOT_DONE,
)


class RoadmapItem(Base, TimestampMixin):
    __tablename__ = "roadmap_items"
    __table_args__ = (UniqueConstraint("roadmap_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    section: Mapped[str | None] = mapped_column(String(500))
    risk_factor_id: Mapped[int | None] = mapped_column(ForeignKey("risk_factors.id"))
    measure: Mapped[str] = mapped_column(Text)
    # As people wrote it («ноябрь–декабрь 2019 г.») and what we derived from it.
    deadline_text: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(index=True)
    is_recurring: Mapped[bool] = mapped_column(default=False)
    responsible: Mapped[str | None] = mapped_column(Text)
    expected_result: Mapped[str | None] = mapped_column(Text)
    # Status of the last *accepted* report; «done» only once the curator accepted it.
    status: Mapped[ItemStatus] = mapped_column(
        enum_column(ItemStatus), default=ItemStatus.NOT_STARTED
    )
    percent: Mapped[int | None]
    accepted_at: Mapped[datetime | None]
    # «Закрыть»: why it was closed without being done (optional).
    closing_note: Mapped[str | None] = mapped_column(Text)
    # «Перенести»: the copy in the next school year's roadmap.
    carried_to_item_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap_items.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    roadmap: Mapped[Roadmap] = relationship(back_populates="items")


class ReviewState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    ON_HOLD = "on_hold"  # «на паузе»: the curator waits for something before deciding


class ProgressReport(Base):
    """A school's report on one item; the curator's decision is kept on it."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("roadmap_items.id"), index=True)
    author_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus))
    percent: Mapped[int | None]
    done_text: Mapped[str | None] = mapped_column(Text)
    evidence_links: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_state: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState), default=ReviewState.PENDING, index=True
    )
    reviewed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)


class ReviewMessage(Base, TimestampMixin):
    """One message of a report's review thread (curator ↔ school), with an optional file."""

    __tablename__ = "review_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    author_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str | None] = mapped_column(Text)
    file_kind: Mapped[str | None] = mapped_column(String(16))  # photo | document
    file_id: Mapped[str | None] = mapped_column(String(256))
    file_name: Mapped[str | None] = mapped_column(String(300))
    # A curator's decision carried by this message (returned / on_hold / accepted), if any.
    state: Mapped[str | None] = mapped_column(String(16))

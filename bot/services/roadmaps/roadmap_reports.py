"""A school's progress reports on roadmap items and the curator's review of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import (
    Attachment,
    AttachmentKind,
    ItemStatus,
    Person,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
)
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import outbox, recipients
from bot.services.roadmaps import review_threads
from bot.services.roadmaps.roadmaps import visible_item

MAX_REPORT_TEXT = 2000
# A curator decides on a report waiting for review or put on hold («на паузе»).
DECIDABLE = (ReviewState.PENDING, ReviewState.ON_HOLD)

YEAR_END_STATUSES = (ItemStatus.CLOSED, ItemStatus.CARRIED_OVER)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str  # submitted | accepted | returned | on_hold | message
    status: ItemStatus
    text: str | None
    file_kind: str | None = None  # a thread message's photo or document


async def item_history(session: AsyncSession, actor: Actor, item_id: int) -> list[HistoryLine]:
    _, school = await visible_item(session, actor, item_id)
    author = Person.__table__.alias("author")
    reviewer = Person.__table__.alias("reviewer")
    result = await session.execute(
        select(ProgressReport, author.c.full_name, reviewer.c.full_name)
        .join(author, author.c.id == ProgressReport.author_person_id)
        .outerjoin(reviewer, reviewer.c.id == ProgressReport.reviewed_by_person_id)
        .where(ProgressReport.item_id == item_id)
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    rows = result.all()
    threads = await review_threads.thread_lines(session, [r[0].id for r in rows], school.id)
    lines: list[HistoryLine] = []
    for report, author_name, reviewer_name in rows:
        lines.append(
            HistoryLine(
                report.submitted_at, author_name, "submitted", report.status, report.done_text
            )
        )
        thread = threads.get(report.id, [])
        lines += [
            HistoryLine(
                line.at, line.who, line.state or "message", report.status, line.text, line.file_kind
            )
            for line in thread
        ]
        # Reports decided before threads existed keep their one decision on the report.
        if report.reviewed_at is not None and not any(line.state for line in thread):
            lines.append(
                HistoryLine(
                    report.reviewed_at,
                    reviewer_name or "—",
                    report.review_state.value,
                    report.status,
                    report.review_comment,
                )
            )
    return lines


# -- reports and review -------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    kind: str  # photo | document | link
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    url: str | None = None


async def submit_report(
    session: AsyncSession,
    actor: Actor,
    item_id: int,
    *,
    status: ItemStatus,
    percent: int | None,
    done_text: str | None,
    evidence: list[Evidence],
    now: datetime,
) -> ProgressReport:
    item, school = await visible_item(session, actor, item_id)
    if school.id not in actor.staff_school_ids:
        raise AccessDenied("roadmap_report_only_school")
    if item.status in YEAR_END_STATUSES:  # carried over or closed: the copy is reported on
        raise DomainError("item_already_settled", status=texts.item_status_label(item))
    if percent is not None and not 0 <= percent <= 100:
        raise DomainError("roadmap_percent")
    if done_text and len(done_text) > MAX_REPORT_TEXT:
        raise DomainError("text_too_long", length=len(done_text), limit=MAX_REPORT_TEXT)
    pending = await session.scalar(
        select(ProgressReport.id).where(
            ProgressReport.item_id == item.id,
            ProgressReport.review_state.in_(DECIDABLE),
        )
    )
    if pending is not None:
        raise DomainError("roadmap_report_pending")
    links = "\n".join(e.url for e in evidence if e.kind == "link" and e.url) or None
    report = ProgressReport(
        item_id=item.id,
        author_person_id=actor.person_id,
        status=status,
        percent=percent,
        done_text=done_text,
        evidence_links=links,
        submitted_at=now,
    )
    session.add(report)
    await session.flush()
    for piece in evidence:
        if piece.kind in {"photo", "document"}:
            session.add(
                Attachment(
                    kind=AttachmentKind(piece.kind),
                    report_id=report.id,
                    telegram_file_id=piece.file_id,
                    telegram_file_unique_id=piece.file_unique_id,
                    file_name=piece.file_name,
                    uploaded_by_person_id=actor.person_id,
                )
            )
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.report_submitted",
        object_type="progress_report",
        object_id=report.id,
        details={"item_id": item.id, "status": status.value},
    )
    curators = await recipients.curators_of(session, school.id)
    await outbox.enqueue_for_each(
        session,
        curators,
        key_prefix=f"report {report.id}:submitted",
        kind="review",
        due_at=now,
        text=texts.report_submitted_notice(school.short_name, item.number, item.measure),
        buttons=[[(texts.BUTTON_REVIEW_QUEUE, cb.ReviewQueue().pack())]],
    )
    return report


@dataclass(frozen=True)
class QueuedReport:
    report_id: int
    school: str
    item_number: str
    measure: str
    status: ItemStatus
    percent: int | None
    done_text: str | None
    links: str | None
    author: str
    submitted_at: datetime
    attachments: list[tuple[str, str]]  # (kind, file_id)
    state: ReviewState = ReviewState.PENDING


async def review_queue(session: AsyncSession, actor: Actor) -> list[QueuedReport]:
    """Reports waiting for this curator across their schools, oldest first."""
    if not actor.curated_school_ids:
        return []
    rows = (
        await session.execute(
            select(ProgressReport, RoadmapItem, School.short_name, Person.full_name)
            .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .join(Person, Person.id == ProgressReport.author_person_id)
            .where(
                School.id.in_(actor.curated_school_ids),
                ProgressReport.review_state.in_(DECIDABLE),
            )
            .order_by(ProgressReport.submitted_at, ProgressReport.id)
        )
    ).all()
    files: dict[int, list[tuple[str, str]]] = {}
    if rows:
        for attachment in await session.scalars(
            select(Attachment)
            .where(Attachment.report_id.in_([r[0].id for r in rows]))
            .order_by(Attachment.id)
        ):
            assert attachment.report_id is not None
            files.setdefault(attachment.report_id, []).append(
                (attachment.kind.value, attachment.telegram_file_id or "")
            )
    return [
        QueuedReport(
            report.id,
            school,
            item.number,
            item.measure,
            report.status,
            report.percent,
            report.done_text,
            report.evidence_links,
            author,
            report.submitted_at,
            files.get(report.id, []),
            report.review_state,
        )
        for report, item, school, author in rows
    ]


async def pending_for_review(
    session: AsyncSession, actor: Actor, report_id: int
) -> tuple[ProgressReport, RoadmapItem, School]:
    """The report, if it waits for this actor's decision; refusals otherwise."""
    found = (
        await session.execute(
            select(ProgressReport, RoadmapItem, School)
            .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .where(ProgressReport.id == report_id)
        )
    ).first()
    if found is None:
        raise NotFound("roadmap_report_not_found")
    report, item, school = found
    if not actor.sees_school(school):
        raise NotFound("roadmap_report_not_found")  # unseen: the same as a missing report
    if school.id not in actor.curated_school_ids:
        raise AccessDenied("roadmap_review_only_curator")
    if report.review_state not in DECIDABLE:
        raise DomainError("roadmap_report_reviewed")
    return report, item, school


async def review(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    *,
    accept: bool,
    comment: str | None,
    now: datetime,
) -> ProgressReport:
    report, item, school = await pending_for_review(session, actor, report_id)
    comment = (comment or "").strip() or None
    if not accept and not comment:
        raise DomainError("roadmap_return_needs_comment")
    if comment and len(comment) > MAX_REPORT_TEXT:
        raise DomainError("text_too_long", length=len(comment), limit=MAX_REPORT_TEXT)
    report.review_state = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
    report.reviewed_by_person_id = actor.person_id
    report.reviewed_at = now
    report.review_comment = comment
    if accept and item.status not in YEAR_END_STATUSES:
        item.status = report.status
        item.percent = report.percent
        item.accepted_at = now if report.status == ItemStatus.DONE else None
    await session.flush()
    await review_threads.record_decision(session, actor, report, report.review_state, comment, now)
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.report_accepted" if accept else "roadmap.report_returned",
        object_type="progress_report",
        object_id=report.id,
        details={"item_id": item.id, "comment": comment},
    )
    staff = await recipients.school_staff(session, school.id)
    await outbox.enqueue_for_each(
        session,
        staff,
        key_prefix=f"report {report.id}:{report.review_state.value}:{now.isoformat()}",
        kind="review",
        due_at=now,
        text=texts.report_reviewed_notice(item.number, item.measure, accept, comment),
        buttons=None
        if accept
        else [
            [(texts.BUTTON_REPORT_AGAIN, cb.ItemReport(item.id).pack())],
            [(texts.BUTTON_THREAD_ANSWER, cb.ThreadWrite(report.id).pack())],
        ],
    )
    return report

"""A report's review thread: curator ↔ school messages (with files) and the decisions.

Only the school's staff and its curators write in it; anyone who sees the school reads it.
Every message is told to the other side through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot import texts
from bot.models import (
    Person,
    ProgressReport,
    ReviewMessage,
    ReviewState,
    Roadmap,
    RoadmapItem,
    School,
)
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import outbox, recipients

MAX_MESSAGE = 2000
FILE_KINDS = {"photo", "document"}


@dataclass(frozen=True)
class ThreadLine:
    at: datetime
    who: str
    from_school: bool
    text: str | None
    state: str | None  # a decision: returned | on_hold | accepted
    file_kind: str | None
    file_id: str | None
    file_name: str | None


@dataclass(frozen=True)
class Thread:
    report_id: int
    item_id: int
    item_number: str
    measure: str
    school: str
    state: ReviewState
    done_text: str | None
    lines: list[ThreadLine]


async def _report(
    session: AsyncSession, report_id: int
) -> tuple[ProgressReport, RoadmapItem, School]:
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
    return found[0], found[1], found[2]


async def writable_report(
    session: AsyncSession, actor: Actor, report_id: int
) -> tuple[ProgressReport, RoadmapItem, School]:
    """The report, if this actor is its school's staff or curator; refusals otherwise."""
    report, item, school = await _report(session, report_id)
    if school.id not in actor.staff_school_ids and school.id not in actor.curated_school_ids:
        raise AccessDenied("thread_not_yours")
    return report, item, school


async def post_message(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    now: datetime,
    *,
    text: str | None,
    file_kind: str | None = None,
    file_id: str | None = None,
    file_name: str | None = None,
) -> ReviewMessage:
    report, item, school = await writable_report(session, actor, report_id)
    text = (text or "").strip() or None
    if text is None and file_id is None:
        raise DomainError("text_empty")
    if text and len(text) > MAX_MESSAGE:
        raise DomainError("text_too_long", length=len(text), limit=MAX_MESSAGE)
    if file_kind is not None and file_kind not in FILE_KINDS:
        raise DomainError("thread_file_kind")
    message = ReviewMessage(
        report_id=report.id,
        author_person_id=actor.person_id,
        text=text,
        file_kind=file_kind if file_id else None,
        file_id=file_id,
        file_name=(file_name or None) and file_name[:300],
        created_at=now,
    )
    session.add(message)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.thread_message",
        object_type="progress_report",
        object_id=report.id,
        details={"message_id": message.id, "file": file_id is not None},
    )
    from_school = school.id in actor.staff_school_ids
    await _tell(
        session,
        report,
        school,
        to_school=not from_school,
        key=f"thread {report.id}:message {message.id}",
        text=texts.thread_message_notice(
            school.short_name, item.number, item.measure, actor.full_name, text, file_id is not None
        ),
        now=now,
    )
    return message


async def record_decision(
    session: AsyncSession,
    actor: Actor,
    report: ProgressReport,
    state: ReviewState,
    comment: str | None,
    now: datetime,
) -> None:
    """The decision as a line of the thread, so the history keeps every step of it."""
    session.add(
        ReviewMessage(
            report_id=report.id,
            author_person_id=actor.person_id,
            text=comment,
            state=state.value,
            created_at=now,
        )
    )
    await session.flush()


async def hold(
    session: AsyncSession, actor: Actor, report_id: int, now: datetime, comment: str | None = None
) -> ProgressReport:
    """«На паузе»: a waiting or returned report the curator will decide on later."""
    report, item, school = await _report(session, report_id)
    if school.id not in actor.curated_school_ids:
        raise AccessDenied("roadmap_review_only_curator")
    if report.review_state not in (ReviewState.PENDING, ReviewState.RETURNED):
        raise DomainError("roadmap_report_not_holdable")
    report.review_state = ReviewState.ON_HOLD
    report.reviewed_by_person_id = actor.person_id
    report.reviewed_at = now
    await record_decision(session, actor, report, ReviewState.ON_HOLD, comment, now)
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.report_on_hold",
        object_type="progress_report",
        object_id=report.id,
        details={"item_id": item.id},
    )
    await _tell(
        session,
        report,
        school,
        to_school=True,
        key=f"thread {report.id}:on_hold {now.isoformat()}",
        text=texts.report_on_hold_notice(item.number, item.measure),
        now=now,
    )
    return report


async def _tell(
    session: AsyncSession,
    report: ProgressReport,
    school: School,
    *,
    to_school: bool,
    key: str,
    text: str,
    now: datetime,
) -> None:
    if to_school:
        people = await recipients.school_staff(session, school.id)
    else:
        people = await recipients.curators_of(session, school.id, now.date())
    await outbox.enqueue_for_each(
        session,
        people,
        key_prefix=key,
        kind="review",
        due_at=now,
        text=text,
        buttons=thread_buttons(report.id),
    )


def thread_buttons(report_id: int) -> list[list[tuple[str, str]]]:
    return [
        [
            (texts.BUTTON_THREAD_OPEN, cb.ThreadOpen(report_id).pack()),
            (texts.BUTTON_THREAD_WRITE, cb.ThreadWrite(report_id).pack()),
        ]
    ]


async def report_in_scope(
    session: AsyncSession, actor: Actor, report_id: int
) -> tuple[ProgressReport, RoadmapItem, School]:
    report, item, school = await _report(session, report_id)
    if not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    return report, item, school


async def thread(session: AsyncSession, actor: Actor, report_id: int) -> Thread:
    """The whole thread, oldest first, for anyone who sees the school."""
    report, item, school = await report_in_scope(session, actor, report_id)
    lines = await thread_lines(session, [report.id], school.id)
    return Thread(
        report.id,
        item.id,
        item.number,
        item.measure,
        school.short_name,
        report.review_state,
        report.done_text,
        lines.get(report.id, []),
    )


async def thread_lines(
    session: AsyncSession, report_ids: list[int], school_id: int
) -> dict[int, list[ThreadLine]]:
    if not report_ids:
        return {}
    staff = set(await recipients.school_staff(session, school_id))
    rows = await session.execute(
        select(ReviewMessage, Person.full_name)
        .join(Person, Person.id == ReviewMessage.author_person_id)
        .where(ReviewMessage.report_id.in_(report_ids))
        .order_by(ReviewMessage.created_at, ReviewMessage.id)
    )
    found: dict[int, list[ThreadLine]] = {}
    for message, name in rows:
        found.setdefault(message.report_id, []).append(
            ThreadLine(
                message.created_at,
                name,
                message.author_person_id in staff,
                message.text,
                message.state,
                message.file_kind,
                message.file_id,
                message.file_name,
            )
        )
    return found

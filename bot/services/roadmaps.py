"""Roadmaps: import, items, the school's progress reports and the curator's review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ScalarSelect, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    Attachment,
    AttachmentKind,
    ItemStatus,
    Person,
    ProgressReport,
    ReviewState,
    RiskFactor,
    Roadmap,
    RoadmapItem,
    School,
)
from bot.services import audit, outbox, recipients
from bot.services.actors import Actor, get_visible_school
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.roadmap_import import MAX_MEASURE, ParsedItem

MAX_REPORT_TEXT = 2000


async def risk_titles(session: AsyncSession) -> dict[int, str]:
    return dict((await session.execute(select(RiskFactor.id, RiskFactor.title))).all())


def may_edit_roadmap(actor: Actor, school: School) -> bool:
    """Coordinators of the municipality and the school's own team; not curators."""
    return actor.coordinates(school.municipality_id) or school.id in actor.staff_school_ids


async def editable_school(session: AsyncSession, actor: Actor, school_id: int) -> School:
    school = await get_visible_school(session, actor, school_id)
    if not may_edit_roadmap(actor, school):
        raise AccessDenied("roadmap_edit_denied")
    return school


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


async def apply_import(
    session: AsyncSession,
    actor: Actor,
    school_id: int,
    year: int,
    items: Iterable[ParsedItem],
    now: datetime,
) -> ImportResult:
    """Create or update items by number; reports on existing items are kept."""
    school = await editable_school(session, actor, school_id)
    roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id, Roadmap.year == year)
    )
    if roadmap is None:
        roadmap = Roadmap(school_id=school.id, year=year, title=texts.roadmap_title(year))
        session.add(roadmap)
        await session.flush()
    roadmap.imported_at = now
    existing = {
        item.number: item
        for item in await session.scalars(
            select(RoadmapItem).where(RoadmapItem.roadmap_id == roadmap.id)
        )
    }
    created = updated = 0
    for position, parsed in enumerate(items):
        item = existing.get(parsed.number)
        if item is None:
            item = RoadmapItem(roadmap_id=roadmap.id, number=parsed.number)
            session.add(item)
            created += 1
        else:
            updated += 1
        item.position = position
        item.section = parsed.section
        item.risk_factor_id = parsed.risk_factor_id
        item.measure = parsed.measure
        item.deadline_text = parsed.deadline_text
        item.due_date = date.fromisoformat(parsed.due_date) if parsed.due_date else None
        item.is_recurring = parsed.is_recurring
        item.responsible = parsed.responsible
        item.expected_result = parsed.expected_result
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.imported",
        object_type="roadmap",
        object_id=roadmap.id,
        details={"school_id": school.id, "year": year, "created": created, "updated": updated},
    )
    return ImportResult(created, updated)


async def add_item(
    session: AsyncSession,
    actor: Actor,
    school_id: int,
    year: int,
    measure: str,
    deadline_text: str,
    due: date | None,
    recurring: bool,
) -> RoadmapItem:
    school = await editable_school(session, actor, school_id)
    measure = measure.strip()
    if not measure or len(measure) > MAX_MEASURE:
        raise DomainError("text_too_long", length=len(measure), limit=MAX_MEASURE)
    roadmap = await session.scalar(
        select(Roadmap).where(Roadmap.school_id == school.id, Roadmap.year == year)
    )
    if roadmap is None:
        roadmap = Roadmap(school_id=school.id, year=year, title=texts.roadmap_title(year))
        session.add(roadmap)
        await session.flush()
    numbers = await session.scalars(
        select(RoadmapItem.number).where(RoadmapItem.roadmap_id == roadmap.id)
    )
    top = max((int(n.split(".")[0]) for n in numbers if n.split(".")[0].isdigit()), default=0)
    count = await session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.roadmap_id == roadmap.id)
    )
    item = RoadmapItem(
        roadmap_id=roadmap.id,
        number=str(top + 1),
        position=int(count or 0),
        measure=measure,
        deadline_text=deadline_text[:200],
        due_date=due,
        is_recurring=recurring,
    )
    session.add(item)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_added",
        object_type="roadmap_item",
        object_id=item.id,
    )
    return item


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    id: int
    number: str
    measure: str
    status: ItemStatus
    due_date: date | None
    deadline_text: str | None
    overdue: bool
    waiting_review: bool


def _is_overdue(item: RoadmapItem, today: date) -> bool:
    return item.status != ItemStatus.DONE and item.due_date is not None and item.due_date < today


async def school_items(
    session: AsyncSession, actor: Actor, school_id: int, today: date
) -> list[ItemRow]:
    """Items of the school's latest roadmap, overdue first, then by status and number."""
    school = await get_visible_school(session, actor, school_id)
    roadmap_id = await session.scalar(
        select(Roadmap.id)
        .where(Roadmap.school_id == school.id)
        .order_by(Roadmap.year.desc())
        .limit(1)
    )
    if roadmap_id is None:
        return []
    waiting = set(
        (
            await session.scalars(
                select(ProgressReport.item_id)
                .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
                .where(
                    RoadmapItem.roadmap_id == roadmap_id,
                    ProgressReport.review_state == ReviewState.PENDING,
                )
            )
        ).all()
    )
    items = await session.scalars(
        select(RoadmapItem)
        .where(RoadmapItem.roadmap_id == roadmap_id)
        .order_by(RoadmapItem.position)
    )
    rows = [
        ItemRow(
            i.id,
            i.number,
            i.measure,
            i.status,
            i.due_date,
            i.deadline_text,
            _is_overdue(i, today),
            i.id in waiting,
        )
        for i in items
    ]
    order = {
        ItemStatus.IN_PROGRESS: 1,
        ItemStatus.NOT_STARTED: 2,
        ItemStatus.NOT_DONE: 3,
        ItemStatus.DONE: 4,
    }
    return sorted(rows, key=lambda r: (not r.overdue, order[r.status]))


async def visible_item(
    session: AsyncSession, actor: Actor, item_id: int
) -> tuple[RoadmapItem, School]:
    found = (
        await session.execute(
            select(RoadmapItem, School)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .where(RoadmapItem.id == item_id)
        )
    ).first()
    if found is None:
        raise NotFound("roadmap_item_not_found")
    item, school = found
    if not actor.sees_school(school):
        raise AccessDenied("school_out_of_scope")
    return item, school


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str  # submitted | accepted | returned
    status: ItemStatus
    text: str | None


async def item_history(session: AsyncSession, actor: Actor, item_id: int) -> list[HistoryLine]:
    await visible_item(session, actor, item_id)
    author = Person.__table__.alias("author")
    reviewer = Person.__table__.alias("reviewer")
    rows = await session.execute(
        select(ProgressReport, author.c.full_name, reviewer.c.full_name)
        .join(author, author.c.id == ProgressReport.author_person_id)
        .outerjoin(reviewer, reviewer.c.id == ProgressReport.reviewed_by_person_id)
        .where(ProgressReport.item_id == item_id)
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    lines: list[HistoryLine] = []
    for report, author_name, reviewer_name in rows:
        lines.append(
            HistoryLine(
                report.submitted_at, author_name, "submitted", report.status, report.done_text
            )
        )
        if report.reviewed_at is not None:
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
    if percent is not None and not 0 <= percent <= 100:
        raise DomainError("roadmap_percent")
    if done_text and len(done_text) > MAX_REPORT_TEXT:
        raise DomainError("text_too_long", length=len(done_text), limit=MAX_REPORT_TEXT)
    pending = await session.scalar(
        select(ProgressReport.id).where(
            ProgressReport.item_id == item.id, ProgressReport.review_state == ReviewState.PENDING
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
        buttons=[[(texts.BUTTON_REVIEW_QUEUE, "rm:rq")]],
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
                ProgressReport.review_state == ReviewState.PENDING,
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
        )
        for report, item, school, author in rows
    ]


async def review(
    session: AsyncSession,
    actor: Actor,
    report_id: int,
    *,
    accept: bool,
    comment: str | None,
    now: datetime,
) -> ProgressReport:
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
    if school.id not in actor.curated_school_ids:
        raise AccessDenied("roadmap_review_only_curator")
    if report.review_state != ReviewState.PENDING:
        raise DomainError("roadmap_report_reviewed")
    comment = (comment or "").strip() or None
    if not accept and not comment:
        raise DomainError("roadmap_return_needs_comment")
    if comment and len(comment) > MAX_REPORT_TEXT:
        raise DomainError("text_too_long", length=len(comment), limit=MAX_REPORT_TEXT)
    report.review_state = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
    report.reviewed_by_person_id = actor.person_id
    report.reviewed_at = now
    report.review_comment = comment
    if accept:
        item.status = report.status
        item.percent = report.percent
        item.accepted_at = now if report.status == ItemStatus.DONE else None
    await session.flush()
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
        key_prefix=f"report {report.id}:{report.review_state.value}",
        kind="review",
        due_at=now,
        text=texts.report_reviewed_notice(item.number, item.measure, accept, comment),
        buttons=None if accept else [[(texts.BUTTON_REPORT_AGAIN, f"rm:rep:{item.id}")]],
    )
    return report


# -- summaries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    accepted: int
    total: int
    overdue: int
    waiting_review: int


async def roadmap_progress(
    session: AsyncSession, school_ids: Iterable[int] | ScalarSelect[int], today: date
) -> dict[int, Progress]:
    """Per school, over all its roadmaps: a constant number of queries.

    `school_ids` may be a subquery, which scales better than a list of thousands of ids.
    """
    ids = school_ids if isinstance(school_ids, ScalarSelect) else list(school_ids)
    if isinstance(ids, list) and not ids:
        return {}
    not_done = RoadmapItem.status != ItemStatus.DONE
    rows = await session.execute(
        select(
            Roadmap.school_id,
            func.count(RoadmapItem.id),
            func.sum(case((RoadmapItem.status == ItemStatus.DONE, 1), else_=0)),
            func.sum(case((not_done & (RoadmapItem.due_date < today), 1), else_=0)),
        )
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(Roadmap.school_id.in_(ids))
        .group_by(Roadmap.school_id)
    )
    waiting = dict(
        (
            await session.execute(
                select(Roadmap.school_id, func.count(ProgressReport.id))
                .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
                .join(ProgressReport, ProgressReport.item_id == RoadmapItem.id)
                .where(
                    Roadmap.school_id.in_(ids), ProgressReport.review_state == ReviewState.PENDING
                )
                .group_by(Roadmap.school_id)
            )
        ).all()
    )
    return {
        school_id: Progress(
            int(done or 0), int(total), int(overdue or 0), int(waiting.get(school_id, 0))
        )
        for school_id, total, done, overdue in rows
    }


@dataclass(frozen=True)
class SchoolChoice:
    id: int
    label: str


async def schools_for(session: AsyncSession, actor: Actor, *, editing: bool) -> list[SchoolChoice]:
    """Project schools the actor may open (or, editing=True, change the roadmap of)."""
    rows = await session.scalars(
        select(School)
        .where(
            actor.school_filter(),
            (School.in_project.is_(True)) | School.id.in_(actor.staff_school_ids),
        )
        .order_by(School.number)
    )
    return [
        SchoolChoice(school.id, school.short_name)
        for school in rows
        if not editing or may_edit_roadmap(actor, school)
    ]


EDITABLE_FIELDS = ("measure", "deadline", "responsible")


async def edit_item(
    session: AsyncSession, actor: Actor, item_id: int, field_name: str, value: str, year: int
) -> RoadmapItem:
    """Change an item's text, deadline wording (due date derived again) or responsible."""
    from bot.services.deadlines import DeadlineUnreadable, parse_deadline

    item, school = await visible_item(session, actor, item_id)
    if not may_edit_roadmap(actor, school):
        raise AccessDenied("roadmap_edit_denied")
    value = value.strip()
    limit = MAX_MEASURE if field_name == "measure" else 1000
    if not value:
        raise DomainError("text_empty")
    if len(value) > limit:
        raise DomainError("text_too_long", length=len(value), limit=limit)
    before = {
        "measure": item.measure,
        "deadline": item.deadline_text,
        "responsible": item.responsible,
    }
    if field_name == "measure":
        item.measure = value
    elif field_name == "deadline":
        try:
            deadline = parse_deadline(value, year)
        except DeadlineUnreadable:
            raise DomainError("roadmap_deadline_unreadable") from None
        item.deadline_text, item.due_date, item.is_recurring = (
            value[:200],
            deadline.due,
            deadline.recurring,
        )
    elif field_name == "responsible":
        item.responsible = value
    else:
        raise NotFound()
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="roadmap.item_edited",
        object_type="roadmap_item",
        object_id=item.id,
        details={"field": field_name, "before": before[field_name], "after": value},
    )
    return item

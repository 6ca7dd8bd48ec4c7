"""Curator visits: the rules of saving, editing, deleting and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    Attachment,
    AttachmentKind,
    Person,
    RiskFactor,
    Roadmap,
    RoadmapItem,
    School,
    SchoolRiskProfileEntry,
    Visit,
    VisitFollowUp,
)
from bot.services import local_time
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import outbox, recipients
from bot.services.visits.visit_drafts import MAX_TEXT, VisitDraft

# A curator may correct or delete their visit for this long after recording it.
EDIT_WINDOW = timedelta(days=7)
PAGE_SIZE = 5


@dataclass(frozen=True)
class Option:
    id: int
    label: str


async def curated_schools(session: AsyncSession, actor: Actor) -> list[Option]:
    if not actor.curated_school_ids:
        return []
    rows = await session.scalars(
        select(School).where(School.id.in_(actor.curated_school_ids)).order_by(School.number)
    )
    return [Option(school.id, school.short_name) for school in rows]


async def curated_school(session: AsyncSession, actor: Actor, school_id: int) -> School:
    """A school this curator curates — a forged id for another school is refused."""
    if school_id not in actor.curated_school_ids:
        raise AccessDenied("visit_school_not_curated")
    school = await session.get(School, school_id)
    if school is None:
        raise NotFound("school_not_found")
    return school


async def check_visit_date(session: AsyncSession, school_id: int, day: date, today: date) -> None:
    if day > today:
        raise DomainError("visit_date_future")
    school = await session.get(School, school_id)
    if school is not None and school.project_start_year and day.year < school.project_start_year:
        raise DomainError("visit_date_before_project", year=school.project_start_year)


async def local_today(
    session: AsyncSession, actor: Actor, school_id: int | None, now: datetime
) -> date:
    """Today in the school's municipality (else the actor's): «Сегодня» is the user's day."""
    return await local_time.today_at_school_or_in(session, school_id, actor.municipality_id, now)


def check_text(value: str, limit: int = MAX_TEXT) -> str:
    """A typed answer: not empty, not longer than its column — never cut silently."""
    value = value.strip()
    if not value:
        raise DomainError("text_empty")
    if len(value) > limit:
        raise DomainError("text_too_long", length=len(value), limit=limit)
    return value


async def purpose_options(
    session: AsyncSession, school_id: int
) -> tuple[list[Option], list[Option]]:
    """Open roadmap items (up to 6) and the school's risk factors, for the purpose buttons."""
    items = await session.scalars(
        select(RoadmapItem)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id == school_id, RoadmapItem.status.not_in(SETTLED_STATUSES))
        .order_by(Roadmap.year.desc(), RoadmapItem.position)
        .limit(6)
    )
    factors = await session.execute(
        select(RiskFactor.id, RiskFactor.title)
        .join(SchoolRiskProfileEntry, SchoolRiskProfileEntry.risk_factor_id == RiskFactor.id)
        .where(SchoolRiskProfileEntry.school_id == school_id)
        .distinct()
        .order_by(RiskFactor.id)
    )
    return (
        [Option(item.id, f"{item.number}. {item.measure}") for item in items],
        [Option(factor_id, title) for factor_id, title in factors],
    )


async def purpose_from_item(session: AsyncSession, school_id: int, item_id: int) -> str:
    item = await session.get(RoadmapItem, item_id)
    roadmap = await session.get(Roadmap, item.roadmap_id) if item else None
    if item is None or roadmap is None or roadmap.school_id != school_id:
        raise AccessDenied("visit_item_other_school")
    return texts.visit_purpose_from_item(item.number, item.measure)[:MAX_TEXT]


async def purpose_from_factor(session: AsyncSession, school_id: int, factor_id: int) -> str:
    factor = await session.get(RiskFactor, factor_id)
    in_profile = await session.scalar(
        select(SchoolRiskProfileEntry.id).where(
            SchoolRiskProfileEntry.school_id == school_id,
            SchoolRiskProfileEntry.risk_factor_id == factor_id,
        )
    )
    if factor is None or in_profile is None:
        raise NotFound("visit_factor_not_in_profile")
    return texts.visit_purpose_from_factor(factor.id, factor.title)


def _check_complete(draft: VisitDraft) -> None:
    if not (draft.school_id and draft.visit_date and draft.format and draft.purpose):
        raise DomainError("visit_incomplete")


async def save_visit(
    session: AsyncSession, actor: Actor, draft: VisitDraft, now: datetime, today: date
) -> Visit:
    """Store the visit, its follow-ups and attachments, audit it, tell school and coordinators."""
    _check_complete(draft)
    assert draft.school_id is not None and draft.day is not None
    school = await curated_school(session, actor, draft.school_id)
    await check_visit_date(session, school.id, draft.day, today)
    # The school may have changed on the card after the purpose was picked from its plan.
    if draft.roadmap_item_id is not None:
        await purpose_from_item(session, school.id, draft.roadmap_item_id)
    if draft.risk_factor_id is not None:
        await purpose_from_factor(session, school.id, draft.risk_factor_id)
    if draft.visit_id is not None:
        return await _update_visit(session, actor, draft, now)
    taken = await session.scalar(select(Visit.id).where(Visit.client_token == draft.token))
    if taken is not None:
        raise DomainError("visit_already_saved")
    visit = Visit(curator_person_id=actor.person_id, school_id=school.id, client_token=draft.token)
    _fill(visit, draft)
    session.add(visit)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError("visit_already_saved") from None
    _add_children(session, visit, draft.follow_ups, draft.attachments, actor)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="visit.created",
        object_type="visit",
        object_id=visit.id,
        details={"school_id": school.id, "date": draft.visit_date},
    )
    staff = await recipients.school_staff(session, school.id)
    coordinators = await recipients.municipal_coordinators(session, school.municipality_id)
    await outbox.enqueue_for_each(
        session,
        [*staff, *coordinators],
        key_prefix=f"visit {visit.id}:saved",
        kind="visit",
        text=texts.visit_saved_notice(actor.full_name, school.short_name, draft.day),
        due_at=now,
    )
    return visit


def _fill(visit: Visit, draft: VisitDraft) -> None:
    assert draft.day is not None and draft.visit_format is not None
    visit.visit_date = draft.day
    visit.format = draft.visit_format
    visit.format_other = draft.format_other
    visit.purpose = draft.purpose
    visit.roadmap_item_id = draft.roadmap_item_id
    visit.risk_factor_id = draft.risk_factor_id
    visit.participants = list(draft.participants)
    visit.participants_other = draft.participants_other
    visit.findings = draft.findings
    visit.recommendations = draft.recommendations


async def _replace_children(
    session: AsyncSession, visit: Visit, draft: VisitDraft, actor: Actor
) -> None:
    """Keep the follow-ups and files that stayed (their ids, done marks and reminders)."""
    new_steps = list(draft.follow_ups)
    for old in await session.scalars(
        select(VisitFollowUp).where(VisitFollowUp.visit_id == visit.id)
    ):
        same = [old.what, old.due_date.isoformat()]
        if same in new_steps:
            new_steps.remove(same)
        else:
            await session.delete(old)
    new_files = list(draft.attachments)
    for old_file in await session.scalars(
        select(Attachment).where(Attachment.visit_id == visit.id)
    ):
        same_file = next(
            (i for i in new_files if _attachment_key(i) == _stored_key(old_file)), None
        )
        if same_file is not None:
            new_files.remove(same_file)
        else:
            await session.delete(old_file)
    await session.flush()
    _add_children(session, visit, new_steps, new_files, actor)


def _stored_key(old: Attachment) -> tuple[object, ...]:
    return (old.kind.value, old.telegram_file_unique_id, old.latitude, old.longitude)


def _attachment_key(item: dict[str, Any]) -> tuple[object, ...]:
    return (item["kind"], item.get("file_unique_id"), item.get("latitude"), item.get("longitude"))


def _add_children(
    session: AsyncSession,
    visit: Visit,
    follow_ups: list[list[str]],
    attachments: list[dict[str, Any]],
    actor: Actor,
) -> None:
    for what, due in follow_ups:
        session.add(VisitFollowUp(visit_id=visit.id, what=what, due_date=date.fromisoformat(due)))
    for item in attachments:
        session.add(
            Attachment(
                kind=AttachmentKind(item["kind"]),
                visit_id=visit.id,
                telegram_file_id=item.get("file_id"),
                telegram_file_unique_id=item.get("file_unique_id"),
                file_name=item.get("file_name"),
                mime_type=item.get("mime_type"),
                file_size=item.get("file_size"),
                latitude=item.get("latitude"),
                longitude=item.get("longitude"),
                uploaded_by_person_id=actor.person_id,
            )
        )


async def editable_visit(
    session: AsyncSession, actor: Actor, visit_id: int, now: datetime
) -> Visit:
    visit = await session.get(Visit, visit_id)
    if visit is None or visit.deleted_at is not None:
        raise NotFound("visit_not_found")
    if visit.curator_person_id != actor.person_id:
        school = await session.get(School, visit.school_id)
        if school is None or not actor.sees_school(school):
            raise NotFound("visit_not_found")  # unseen: the same answer as a missing visit
        raise AccessDenied("visit_not_yours")
    if now - visit.created_at > EDIT_WINDOW:
        raise DomainError("visit_edit_window", days=EDIT_WINDOW.days)
    return visit


async def _update_visit(
    session: AsyncSession, actor: Actor, draft: VisitDraft, now: datetime
) -> Visit:
    assert draft.visit_id is not None
    visit = await editable_visit(session, actor, draft.visit_id, now)
    before = {
        "date": visit.visit_date.isoformat(),
        "format": visit.format.value,
        "purpose": visit.purpose,
    }
    _fill(visit, draft)
    visit.school_id = draft.school_id or visit.school_id
    await _replace_children(session, visit, draft, actor)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="visit.updated",
        object_type="visit",
        object_id=visit.id,
        details={
            "before": before,
            "after": {"date": draft.visit_date, "format": draft.format, "purpose": draft.purpose},
        },
    )
    return visit


async def delete_visit(session: AsyncSession, actor: Actor, visit_id: int, now: datetime) -> Visit:
    visit = await editable_visit(session, actor, visit_id, now)
    visit.deleted_at = now
    await audit.record(
        session,
        actor_person_id=actor.person_id,
        action="visit.deleted",
        object_type="visit",
        object_id=visit.id,
    )
    return visit


async def draft_from_visit(
    session: AsyncSession, actor: Actor, visit_id: int, now: datetime
) -> VisitDraft:
    visit = await editable_visit(session, actor, visit_id, now)
    follow_ups = await session.scalars(
        select(VisitFollowUp).where(VisitFollowUp.visit_id == visit.id)
    )
    attachments = await session.scalars(select(Attachment).where(Attachment.visit_id == visit.id))
    return VisitDraft(
        visit_id=visit.id,
        school_id=visit.school_id,
        visit_date=visit.visit_date.isoformat(),
        format=visit.format.value,
        format_other=visit.format_other,
        purpose=visit.purpose,
        roadmap_item_id=visit.roadmap_item_id,
        risk_factor_id=visit.risk_factor_id,
        participants=list(visit.participants or []),
        participants_other=visit.participants_other,
        findings=visit.findings,
        recommendations=visit.recommendations,
        follow_ups=[[f.what, f.due_date.isoformat()] for f in follow_ups],
        attachments=[
            {
                "kind": a.kind.value,
                "file_id": a.telegram_file_id,
                "file_unique_id": a.telegram_file_unique_id,
                "file_name": a.file_name,
                "mime_type": a.mime_type,
                "file_size": a.file_size,
                "latitude": a.latitude,
                "longitude": a.longitude,
            }
            for a in attachments
        ],
    )


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilter:
    school_id: int = 0
    curator_id: int = 0
    month: int = 0  # yyyymm, 0 = any


@dataclass(frozen=True)
class VisitRow:
    id: int
    visit_date: date
    school: str
    curator: str
    format: str
    purpose: str | None


@dataclass(frozen=True)
class VisitPage:
    rows: list[VisitRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class VisitCard:
    row: VisitRow
    visit: Visit
    follow_ups: list[VisitFollowUp]
    attachments: list[Attachment]
    editable: bool


def _scope(actor: Actor) -> ColumnElement[bool]:
    """Visits the actor may read: their own, their school's, their municipality's."""
    visible = select(School.id).where(actor.school_filter())
    if actor.is_admin or actor.coordinated_municipality_ids or actor.staff_school_ids:
        return Visit.school_id.in_(visible) | (Visit.curator_person_id == actor.person_id)
    return Visit.curator_person_id == actor.person_id


def _month_bounds(yyyymm: int) -> tuple[date, date]:
    """The first day of the month and of the next; a month that does not exist (only a
    forged button carries one) is not found."""
    year, month = divmod(yyyymm, 100)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise NotFound()
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


async def list_visits(
    session: AsyncSession, actor: Actor, page: int, flt: VisitFilter
) -> VisitPage:
    conditions = [Visit.deleted_at.is_(None), _scope(actor)]
    if flt.school_id:
        conditions.append(Visit.school_id == flt.school_id)
    if flt.curator_id:
        conditions.append(Visit.curator_person_id == flt.curator_id)
    if flt.month:
        first, following = _month_bounds(flt.month)
        conditions += [Visit.visit_date >= first, Visit.visit_date < following]
    total = int(await session.scalar(select(func.count(Visit.id)).where(*conditions)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await session.execute(
        select(Visit, School.short_name, Person.full_name)
        .join(School, School.id == Visit.school_id)
        .join(Person, Person.id == Visit.curator_person_id)
        .where(*conditions)
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return VisitPage(
        rows=[_row(visit, school, curator) for visit, school, curator in rows],
        page=page,
        pages=pages,
        total=total,
    )


def _row(visit: Visit, school: str, curator: str) -> VisitRow:
    return VisitRow(visit.id, visit.visit_date, school, curator, visit.format.value, visit.purpose)


async def visit_card(
    session: AsyncSession, actor: Actor, visit_id: int, now: datetime
) -> VisitCard:
    found = (
        await session.execute(
            select(Visit, School.short_name, Person.full_name)
            .join(School, School.id == Visit.school_id)
            .join(Person, Person.id == Visit.curator_person_id)
            .where(Visit.id == visit_id, Visit.deleted_at.is_(None), _scope(actor))
        )
    ).first()
    if found is None:
        raise NotFound("visit_not_found")
    visit, school, curator = found
    follow_ups = list(
        await session.scalars(
            select(VisitFollowUp)
            .where(VisitFollowUp.visit_id == visit.id)
            .order_by(VisitFollowUp.due_date)
        )
    )
    attachments = list(
        await session.scalars(
            select(Attachment).where(Attachment.visit_id == visit.id).order_by(Attachment.id)
        )
    )
    editable = visit.curator_person_id == actor.person_id and now - visit.created_at <= EDIT_WINDOW
    return VisitCard(_row(visit, school, curator), visit, follow_ups, attachments, editable)


async def filter_options(session: AsyncSession, actor: Actor) -> tuple[list[Option], list[Option]]:
    """Schools and curators a coordinator may filter by."""
    schools = await session.scalars(
        select(School)
        .where(actor.school_filter(), School.in_project.is_(True))
        .order_by(School.number)
    )
    curators = await session.execute(
        select(Person.id, Person.full_name)
        .join(Visit, Visit.curator_person_id == Person.id)
        .join(School, School.id == Visit.school_id)
        .where(actor.school_filter(), Visit.deleted_at.is_(None))
        .distinct()
        .order_by(Person.full_name)
    )
    return (
        [Option(s.id, s.short_name) for s in schools],
        [Option(pid, name) for pid, name in curators],
    )


async def last_visits(
    session: AsyncSession, school_ids: list[int] | set[int] | ScalarSelect[int]
) -> dict[int, date]:
    """The latest visit date per school, in one query (school cards, summaries, reminders)."""
    if not isinstance(school_ids, ScalarSelect) and not school_ids:
        return {}
    rows = await session.execute(
        select(Visit.school_id, func.max(Visit.visit_date))
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .group_by(Visit.school_id)
    )
    return {school_id: day for school_id, day in rows}

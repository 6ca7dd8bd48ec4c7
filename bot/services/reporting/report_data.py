"""What the half-year report contains, read in a few grouped queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from itertools import groupby

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    Attachment,
    AttachmentKind,
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Person,
    ProgressReport,
    RegistrationState,
    ReviewState,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    Visit,
    VisitFollowUp,
)
from bot.services import local_time
from bot.services.errors import NotFound
from bot.services.reporting import streaming
from bot.services.reporting.streaming import AnyRow, AnySelect
from bot.services.school_year import SchoolYear


def school_year_start(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def half_year_bounds(start_year: int, half: int) -> tuple[date, date]:
    """First half: September–December; second: January–June of the next year. A school
    year outside 2000–2100 comes only from a forged button: not found."""
    if not 2000 <= start_year <= 2100 or half not in (1, 2):
        raise NotFound()
    if half == 1:
        return date(start_year, 9, 1), date(start_year, 12, 31)
    return date(start_year + 1, 1, 1), date(start_year + 1, 6, 30)


@dataclass(frozen=True)
class ReportPeriod:
    """The days a report covers and the words its title names them by.

    Made by the handler from the chosen half (school-year or calendar), so the builders
    take any period."""

    first: date
    last: date
    title: str


@dataclass(frozen=True)
class ReportItem:
    school: str
    number: str
    measure: str
    responsible: str | None
    status: ItemStatus
    deadline: str | None
    done_text: str | None
    evidence: str | None
    section: str | None = None
    due_date: date | None = None
    is_recurring: bool = False
    accepted_on: date | None = None
    attachments: tuple[str, ...] = ()
    # A settled item's mark: «Перенесено в 2027/28», «Закрыто: <примечание>».
    settled: str | None = None

    def overdue_on(self, today: date) -> bool:
        return (
            self.due_date is not None
            and self.due_date < today
            and self.status not in SETTLED_STATUSES
        )


def _attachment_words(kind: AttachmentKind, url: str | None, file_name: str | None) -> str:
    if kind == AttachmentKind.LINK and url:
        return url
    words = {
        AttachmentKind.PHOTO: texts.ATTACHMENT_PHOTO,
        AttachmentKind.DOCUMENT: texts.ATTACHMENT_DOCUMENT,
    }.get(kind, texts.ATTACHMENT_OTHER)
    return f"{words} «{file_name}»" if file_name else words


def report_item_rows(school_ids: list[int], first: date, last: date) -> AnySelect:
    """Items due in the period (or recurring, or undated), each with its accepted reports
    and their attachments: one row per report and attachment (at least one per item), an
    item's rows together, in the report's order.

    The items and reports are named by joins, not lists of ids: a country has more items than
    asyncpg takes bound parameters (32,767).
    """
    in_half = Roadmap.school_id.in_(school_ids) & (
        RoadmapItem.is_recurring.is_(True)
        | RoadmapItem.due_date.is_(None)  # «без срока»: belongs to every period of its plan
        | ((RoadmapItem.due_date >= first) & (RoadmapItem.due_date <= last))
    )
    # Every accepted report of the item comes, in (reviewed_at, id) order: the last one wins
    # (items_from_rows). Plain joins: a «latest report» subquery or window made PostgreSQL,
    # without table statistics, loop over all reports for each item (minutes for a country).
    accepted = (ProgressReport.item_id == RoadmapItem.id) & (
        ProgressReport.review_state == ReviewState.ACCEPTED
    )
    return (
        select(
            RoadmapItem.id,
            School.short_name,
            Roadmap.year,
            RoadmapItem.number,
            RoadmapItem.measure,
            RoadmapItem.responsible,
            RoadmapItem.status,
            RoadmapItem.deadline_text,
            RoadmapItem.section,
            RoadmapItem.due_date,
            RoadmapItem.is_recurring,
            RoadmapItem.accepted_at,
            RoadmapItem.closing_note,
            ProgressReport.id.label("report_id"),
            ProgressReport.done_text,
            ProgressReport.evidence_links,
            ProgressReport.reviewed_at,
            Attachment.kind,
            Attachment.url,
            Attachment.file_name,
        )
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .join(School, School.id == Roadmap.school_id)
        .outerjoin(ProgressReport, accepted)
        .outerjoin(Attachment, Attachment.report_id == ProgressReport.id)
        .where(in_half)
        .order_by(
            School.number,
            School.short_name,
            Roadmap.year,
            RoadmapItem.position,
            RoadmapItem.id,
            ProgressReport.reviewed_at,
            ProgressReport.id,
            Attachment.id,
        )
    )


def report_item_chunks(
    session: AsyncSession, school_ids: list[int], first: date, last: date
) -> AsyncIterator[list[AnyRow]]:
    """`report_item_rows` in chunks that never split one item's rows."""
    return streaming.whole_groups(
        streaming.chunks(session, report_item_rows(school_ids, first, last)), lambda row: row.id
    )


def items_from_rows(rows: Iterable[AnyRow], zone: tzinfo) -> list[ReportItem]:
    """`report_item_rows` (whole items) as report items; the day of acceptance is `zone`'s."""
    result: list[ReportItem] = []
    for _, group in groupby(rows, key=lambda row: row.id):
        found = list(group)
        latest = found[-1]  # its latest accepted report, if any
        attachments = tuple(
            _attachment_words(row.kind, row.url, row.file_name)
            for row in found
            if row.kind is not None and row.report_id == latest.report_id
        )
        reported = latest.report_id is not None
        when = (latest.reviewed_at if reported else None) or latest.accepted_at
        status = latest.status
        result.append(
            ReportItem(
                latest.short_name,
                latest.number,
                latest.measure,
                latest.responsible,
                status,
                latest.deadline_text,
                latest.done_text if reported else None,
                latest.evidence_links if reported else None,
                section=latest.section,
                due_date=latest.due_date,
                is_recurring=latest.is_recurring,
                accepted_on=when.astimezone(zone).date() if when and reported else None,
                attachments=attachments,
                settled=texts.settled_mark(
                    status.value, latest.closing_note, SchoolYear(latest.year + 1).label
                )
                if status in (ItemStatus.CLOSED, ItemStatus.CARRIED_OVER)
                else None,
            )
        )
    return result


async def report_items(
    session: AsyncSession,
    school_ids: list[int],
    first: date,
    last: date,
    timezone: str | None = None,
) -> list[ReportItem]:
    """Items due in the period (or recurring, or undated), with their accepted report's mark;
    the day of acceptance is the municipality's (`timezone`)."""
    zone = local_time.zone_info(timezone)
    return [
        item
        async for part in report_item_chunks(session, school_ids, first, last)
        for item in items_from_rows(part, zone)
    ]


VisitRow = tuple[date, str, str, str, str | None, str | None]


def report_visit_rows(school_ids: list[int], first: date, last: date) -> AnySelect:
    return (
        select(
            Visit.visit_date,
            School.short_name,
            Person.full_name,
            Visit.format,
            Visit.purpose,
            Visit.recommendations,
        )
        .join(School, School.id == Visit.school_id)
        .join(Person, Person.id == Visit.curator_person_id)
        .where(
            Visit.school_id.in_(school_ids),
            Visit.deleted_at.is_(None),
            Visit.visit_date >= first,
            Visit.visit_date <= last,
        )
        .order_by(Visit.visit_date)
    )


def visits_from_rows(rows: Iterable[AnyRow]) -> list[VisitRow]:
    return [(d, s, c, f.value, p, r) for d, s, c, f, p, r in rows]


async def report_visits(
    session: AsyncSession, school_ids: list[int], first: date, last: date
) -> list[VisitRow]:
    rows = await session.execute(report_visit_rows(school_ids, first, last))
    return visits_from_rows(rows)


@dataclass(frozen=True)
class ReportEvent:
    """A city event as a row of the report's table, like the seed's «(на базе СШ № 32)»."""

    title: str
    day: date
    signed_up: int  # registered now: withdrawn, declined and waitlisted people are not counted
    attended: int
    format: str = "other"
    host_school: str | None = None
    place: str | None = None
    organisers: str | None = None
    results: str | None = None
    waitlisted: int = 0


def person_school_id() -> ColumnElement[int | None]:
    """The school a person works at: the workplace, else the school team they belong to."""
    staff_school = (
        select(func.min(RoleAssignment.school_id))
        .where(
            RoleAssignment.person_id == Person.id,
            RoleAssignment.role == Role.SCHOOL_STAFF,
            RoleAssignment.revoked_at.is_(None),
        )
        .correlate(Person)
        .scalar_subquery()
    )
    return func.coalesce(Person.workplace_school_id, staff_school)


async def report_events(
    session: AsyncSession,
    municipality_ids: list[int],
    first: date,
    last: date,
    school_ids: list[int] | None = None,
    timezone: str | None = None,
) -> list[ReportEvent]:
    """Events of the period (local days of `timezone`) with the people who really came.

    With `school_ids` (a school's report) only the people of those schools are counted.
    """
    zone = local_time.zone_info(timezone)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last, time.max, tzinfo=zone)
    registered = EventRegistration.event_id == Event.id
    if school_ids is not None:
        people_of_schools = select(Person.id).where(person_school_id().in_(school_ids))
        registered = registered & EventRegistration.person_id.in_(people_of_schools)
    state = EventRegistration.state
    host = aliased(School)
    rows = await session.execute(
        select(
            Event,
            host.short_name,
            func.sum(case((state == RegistrationState.REGISTERED, 1), else_=0)),
            func.sum(case((state == RegistrationState.WAITLISTED, 1), else_=0)),
            func.sum(case((EventRegistration.attended.is_(True), 1), else_=0)),
        )
        .outerjoin(host, host.id == Event.host_school_id)
        .outerjoin(EventRegistration, registered)
        .where(
            Event.municipality_id.in_(municipality_ids),
            Event.starts_at >= start,
            Event.starts_at <= end,
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.FINISHED]),  # held or due
        )
        .group_by(Event.id, host.short_name)
        .order_by(Event.starts_at, Event.id)
    )
    return [
        ReportEvent(
            event.title,
            event.starts_at.astimezone(zone).date(),
            int(signed or 0),
            int(attended or 0),
            format=event.format,
            host_school=host_name,
            place=event.place_text,
            organisers=event.organisers,
            results=event.results,
            waitlisted=int(waiting or 0),
        )
        for event, host_name, signed, waiting, attended in rows
    ]


@dataclass(frozen=True)
class ReportFollowUp:
    """A next step agreed in a visit of the period, and where it stands."""

    school: str
    what: str
    due: date
    done_on: date | None
    comment: str | None


def report_follow_up_rows(school_ids: list[int], first: date, last: date) -> AnySelect:
    return (
        select(
            School.short_name,
            VisitFollowUp.what,
            VisitFollowUp.due_date,
            VisitFollowUp.done_at,
            VisitFollowUp.done_comment,
        )
        .join(Visit, Visit.id == VisitFollowUp.visit_id)
        .join(School, School.id == Visit.school_id)
        .where(
            Visit.school_id.in_(school_ids),
            Visit.deleted_at.is_(None),
            Visit.visit_date >= first,
            Visit.visit_date <= last,
        )
        .order_by(School.number, School.short_name, VisitFollowUp.due_date, VisitFollowUp.id)
    )


def follow_ups_from_rows(rows: Iterable[AnyRow], zone: tzinfo) -> list[ReportFollowUp]:
    return [
        ReportFollowUp(
            school,
            what,
            due,
            done_at.astimezone(zone).date() if done_at else None,
            comment,
        )
        for school, what, due, done_at, comment in rows
    ]


async def report_follow_ups(
    session: AsyncSession, school_ids: list[int], first: date, last: date, timezone: str
) -> list[ReportFollowUp]:
    rows = await session.execute(report_follow_up_rows(school_ids, first, last))
    return follow_ups_from_rows(rows, local_time.zone_info(timezone))

"""What the half-year report and the export contain, read in a few grouped queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Person,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    Visit,
)
from bot.services.errors import NotFound


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
class ReportItem:
    school: str
    number: str
    measure: str
    responsible: str | None
    status: ItemStatus
    deadline: str | None
    done_text: str | None
    evidence: str | None


async def report_items(
    session: AsyncSession, school_ids: list[int], first: date, last: date
) -> list[ReportItem]:
    """Items due in the half (or recurring), with their accepted report's mark of execution."""
    in_half = Roadmap.school_id.in_(school_ids) & (
        RoadmapItem.is_recurring.is_(True)
        | ((RoadmapItem.due_date >= first) & (RoadmapItem.due_date <= last))
    )
    items = (
        await session.execute(
            select(RoadmapItem, School.short_name)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .join(School, School.id == Roadmap.school_id)
            .where(in_half)
            .order_by(School.number, School.short_name, RoadmapItem.position)
        )
    ).all()
    accepted: dict[int, ProgressReport] = {}
    # The items are named by a join, not a list of their ids: a country has more items than
    # asyncpg takes bound parameters (32,767).
    for report in await session.scalars(
        select(ProgressReport)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(in_half, ProgressReport.review_state == ReviewState.ACCEPTED)
        .order_by(ProgressReport.reviewed_at, ProgressReport.id)
    ):
        accepted[report.item_id] = report  # the latest accepted wins
    return [
        ReportItem(
            school,
            item.number,
            item.measure,
            item.responsible,
            item.status,
            item.deadline_text,
            accepted[item.id].done_text if item.id in accepted else None,
            accepted[item.id].evidence_links if item.id in accepted else None,
        )
        for item, school in items
    ]


async def report_visits(
    session: AsyncSession, school_ids: list[int], first: date, last: date
) -> list[tuple[date, str, str, str, str | None, str | None]]:
    rows = await session.execute(
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
    return [(d, s, c, f.value, p, r) for d, s, c, f, p, r in rows]


async def report_events(
    session: AsyncSession,
    municipality_ids: list[int],
    first: date,
    last: date,
    school_ids: list[int] | None = None,
) -> list[tuple[str, date, int, int]]:
    """Events of the half: title, date, signed up, attended.

    With `school_ids` (a school's report) only the people of those schools are counted.
    """
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(last, time.max, tzinfo=UTC)
    registered = EventRegistration.event_id == Event.id
    if school_ids is not None:
        staff = select(RoleAssignment.person_id).where(
            RoleAssignment.school_id.in_(school_ids),
            RoleAssignment.role == Role.SCHOOL_STAFF,
            RoleAssignment.revoked_at.is_(None),
        )
        registered = registered & EventRegistration.person_id.in_(staff)
    rows = await session.execute(
        select(
            Event.title,
            Event.starts_at,
            func.count(EventRegistration.id),
            func.sum(case((EventRegistration.attended.is_(True), 1), else_=0)),
        )
        .outerjoin(EventRegistration, registered)
        .where(
            Event.municipality_id.in_(municipality_ids),
            Event.starts_at >= start,
            Event.starts_at <= end,
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.FINISHED]),  # held or due
        )
        .group_by(Event.id, Event.title, Event.starts_at)
        .order_by(Event.starts_at)
    )
    return [
        (title, starts.date(), int(signed), int(attended or 0))
        for title, starts, signed, attended in rows
    ]


Table = tuple[list[str], list[list[object]]]


async def export_tables(session: AsyncSession, school_ids: list[int]) -> dict[str, Table]:
    """The raw data of a scope, one table per file, ids kept so spreadsheets can join them."""
    schools = await session.scalars(
        select(School).where(School.id.in_(school_ids)).order_by(School.id)
    )
    items = await session.execute(
        select(RoadmapItem, Roadmap.school_id, Roadmap.year)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(Roadmap.school_id, RoadmapItem.position)
    )
    item_rows = [
        [
            i.id,
            school_id,
            year,
            i.number,
            i.section,
            i.measure,
            i.deadline_text,
            i.due_date,
            i.status.value,
            i.percent,
            i.responsible,
            i.expected_result,
        ]
        for i, school_id, year in items
    ]
    reports = await session.scalars(
        select(ProgressReport)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id.in_(school_ids))
        .order_by(ProgressReport.id)
    )
    visits = await session.scalars(
        select(Visit)
        .where(Visit.school_id.in_(school_ids), Visit.deleted_at.is_(None))
        .order_by(Visit.id)
    )
    return {
        "schools.csv": (
            [
                "id",
                "short_name",
                "full_name",
                "number",
                "director",
                "shnor",
                "shnsu",
                "nonobjectivity",
                "status",
            ],
            [
                [
                    s.id,
                    s.short_name,
                    s.full_name,
                    s.number,
                    s.director_name,
                    s.is_shnor,
                    s.is_shnsu,
                    s.has_nonobjectivity_signs,
                    s.status.value,
                ]
                for s in schools
            ],
        ),
        "roadmap_items.csv": (
            [
                "id",
                "school_id",
                "year",
                "number",
                "section",
                "measure",
                "deadline",
                "due_date",
                "status",
                "percent",
                "responsible",
                "expected_result",
            ],
            item_rows,
        ),
        "progress_reports.csv": (
            [
                "id",
                "item_id",
                "status",
                "percent",
                "done",
                "links",
                "submitted_at",
                "review_state",
                "reviewed_at",
                "review_comment",
            ],
            [
                [
                    r.id,
                    r.item_id,
                    r.status.value,
                    r.percent,
                    r.done_text,
                    r.evidence_links,
                    r.submitted_at,
                    r.review_state.value,
                    r.reviewed_at,
                    r.review_comment,
                ]
                for r in reports
            ],
        ),
        "visits.csv": (
            [
                "id",
                "school_id",
                "curator_person_id",
                "date",
                "format",
                "purpose",
                "participants",
                "findings",
                "recommendations",
            ],
            [
                [
                    v.id,
                    v.school_id,
                    v.curator_person_id,
                    v.visit_date,
                    v.format.value,
                    v.purpose,
                    " ".join(v.participants or []),
                    v.findings,
                    v.recommendations,
                ]
                for v in visits
            ],
        ),
    }

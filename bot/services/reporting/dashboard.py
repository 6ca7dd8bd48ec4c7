"""The coordinators' dashboard (Mini App) data: built on the summaries, cards and reviews
the bot already uses, so the app and the chat never disagree. Plain dicts, ready for JSON."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Person,
    ProgressReport,
    RegistrationState,
    Roadmap,
    RoadmapItem,
    School,
    Visit,
    VisitFollowUp,
)
from bot.services.access.actors import Actor, get_visible_school
from bot.services.events.events import audience_people
from bot.services.reporting.school_card import school_card
from bot.services.reporting.streaming import off_loop_for_a_region
from bot.services.reporting.summaries import summarize

TREND_WEEKS = 8
VISIT_MONTHS = 6


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def municipality_table(session: AsyncSession, actor: Actor, today: date) -> list[dict]:
    """One row per project school in scope (the /summary rows plus flags and in-progress)."""
    rows = await summarize(session, actor, today)
    ids = [row.school_id for row in rows]
    if not ids:
        return []
    flags = {
        school_id: (shnor, shnsu)
        for school_id, shnor, shnsu in await session.execute(
            select(School.id, School.is_shnor, School.is_shnsu).where(School.id.in_(ids))
        )
    }
    in_progress = dict(
        (
            await session.execute(
                select(Roadmap.school_id, func.count(RoadmapItem.id))
                .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
                .where(Roadmap.school_id.in_(ids), RoadmapItem.status == ItemStatus.IN_PROGRESS)
                .group_by(Roadmap.school_id)
            )
        ).all()
    )
    return [
        {
            "id": row.school_id,
            "name": row.name,
            "shnor": flags[row.school_id][0],
            "shnsu": flags[row.school_id][1],
            "curators": row.curators,
            "total": row.total,
            "done": row.accepted,
            "in_progress": int(in_progress.get(row.school_id, 0)),
            "waiting": row.waiting_review,
            "overdue": row.overdue,
            "last_visit": _day(row.last_visit),
            "days_since_visit": row.days_since_visit,
            "high_risks": row.high_risks,
        }
        for row in rows
    ]


async def school_page(
    session: AsyncSession, actor: Actor, school_id: int, today: date
) -> dict[str, Any]:
    """Everything on a school's page; the same refusal for an absent or hidden school."""
    card = await school_card(session, actor, school_id, today)
    school = card.school
    items = (
        await session.scalars(
            select(RoadmapItem)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(Roadmap.school_id == school.id)
            .order_by(Roadmap.year, RoadmapItem.position, RoadmapItem.id)
        )
    ).all()
    # Reports with their author and reviewer in one query: the review history of every item
    # (the lines /roadmap's history shows, bot/services/roadmap_reports.item_history).
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    history: dict[int, list[dict]] = defaultdict(list)
    if items:
        author = Person.__table__.alias("author")
        reviewer = Person.__table__.alias("reviewer")
        for report, author_name, reviewer_name in await session.execute(
            select(ProgressReport, author.c.full_name, reviewer.c.full_name)
            .join(author, author.c.id == ProgressReport.author_person_id)
            .outerjoin(reviewer, reviewer.c.id == ProgressReport.reviewed_by_person_id)
            .where(ProgressReport.item_id.in_([item.id for item in items]))
            .order_by(ProgressReport.submitted_at, ProgressReport.id)
        ):
            reports[report.item_id].append(report)
            lines = history[report.item_id]
            lines.append(
                {
                    "at": report.submitted_at.isoformat(),
                    "who": author_name,
                    "what": "submitted",
                    "text": report.done_text,
                }
            )
            if report.reviewed_at is not None:
                lines.append(
                    {
                        "at": report.reviewed_at.isoformat(),
                        "who": reviewer_name or "—",
                        "what": report.review_state.value,
                        "text": report.review_comment,
                    }
                )
    sections: dict[str, list[dict]] = {}
    for item in items:
        pending = [r.id for r in reports[item.id] if r.review_state.value == "pending"]
        sections.setdefault(item.section or "", []).append(
            {
                "id": item.id,
                "number": item.number,
                "measure": item.measure,
                "status": item.status.value,
                "due": _day(item.due_date),
                "deadline_text": item.deadline_text,
                "overdue": bool(
                    item.due_date and item.due_date < today and item.status != ItemStatus.DONE
                ),
                "links": [
                    link
                    for report in reports[item.id]
                    for link in (report.evidence_links or "").split()
                    if link.startswith(("https://", "http://"))
                ],
                "pending_report_id": pending[-1] if pending else None,
                "history": history[item.id],
            }
        )
    visit_rows = (
        await session.execute(
            select(Visit, Person.full_name)
            .join(Person, Person.id == Visit.curator_person_id)
            .where(Visit.school_id == school.id, Visit.deleted_at.is_(None))
            .order_by(Visit.visit_date.desc(), Visit.id.desc())
        )
    ).all()
    steps: dict[int, list[dict]] = defaultdict(list)
    if visit_rows:
        for step in await session.scalars(
            select(VisitFollowUp)
            .where(VisitFollowUp.visit_id.in_([visit.id for visit, _ in visit_rows]))
            .order_by(VisitFollowUp.due_date, VisitFollowUp.id)
        ):
            steps[step.visit_id].append(
                {
                    "what": step.what,
                    "due": step.due_date.isoformat(),
                    "done": step.done_at is not None,
                }
            )
    visits = [
        {
            "date": visit.visit_date.isoformat(),
            "curator": curator,
            "format": visit.format.value,
            "findings": visit.findings,
            "recommendations": visit.recommendations,
            "next_steps": steps[visit.id],
        }
        for visit, curator in visit_rows
    ]
    return {
        "id": school.id,
        "name": school.short_name,
        "full_name": school.full_name,
        "shnor": school.is_shnor,
        "shnsu": school.is_shnsu,
        "curators": card.summary.curators,
        "can_review": school.id in actor.curated_school_ids,
        "risks": [
            {"factor": r.factor_id, "title": r.title, "level": r.level and r.level.value}
            for r in card.risks
        ],
        "sections": [{"title": title, "items": rows} for title, rows in sections.items()],
        "visits": visits,
        "events": [{"title": t, "starts_at": s.isoformat()} for t, s in card.events],
        "people": [
            {"name": p.name, "role": p.role, "connected": p.bound, "unreachable": p.unreachable}
            for p in card.people
        ],
    }


async def charts(session: AsyncSession, actor: Actor, today: date) -> dict[str, Any]:
    """Overdue items by week (as they stood at each week's end) and visits per curator/month."""
    await off_loop_for_a_region(session, actor)
    ids = select(School.id).where(actor.school_filter(), School.in_project.is_(True))
    items = (
        await session.execute(
            select(RoadmapItem.due_date, RoadmapItem.status, RoadmapItem.accepted_at)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(Roadmap.school_id.in_(ids.scalar_subquery()), RoadmapItem.due_date.is_not(None))
        )
    ).all()
    week_start = today - timedelta(days=today.weekday())
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        end = min(week_start + timedelta(days=7 * (1 - back)) - timedelta(days=1), today)
        count = sum(
            1
            for due, status, accepted_at in items
            if due is not None  # always: only dated items are read
            and due < end
            and (
                status != ItemStatus.DONE or (accepted_at is not None and accepted_at.date() > end)
            )
        )
        trend.append({"week_end": end.isoformat(), "overdue": count})
    first_month = date(today.year, today.month, 1)
    for _ in range(VISIT_MONTHS - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    per_curator: dict[str, dict[str, int]] = defaultdict(dict)
    for curator, day in await session.execute(
        select(Person.full_name, Visit.visit_date)
        .join(Person, Person.id == Visit.curator_person_id)
        .where(
            Visit.school_id.in_(ids.scalar_subquery()),
            Visit.deleted_at.is_(None),
            Visit.visit_date >= first_month,
        )
    ):
        key = day.strftime("%Y-%m")
        per_curator[curator][key] = per_curator[curator].get(key, 0) + 1
    months = []
    month = first_month
    while month <= today:
        months.append(month.strftime("%Y-%m"))
        month = (month + timedelta(days=32)).replace(day=1)
    return {
        "overdue_by_week": trend,
        "months": months,
        "visits_by_curator": [
            {"curator": name, "counts": [counts.get(m, 0) for m in months]}
            for name, counts in sorted(per_curator.items())
        ],
    }


async def events_overview(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """The events /events would show: a coordinator's municipality's, or those the person is
    in the audience of (bot/services/events.visible_event's rule)."""
    in_scope = set(
        await session.scalars(
            select(School.municipality_id).where(actor.school_filter()).distinct()
        )
    )
    candidates = (
        await session.scalars(
            select(Event)
            .where(
                true()
                if actor.is_admin
                else Event.municipality_id.in_(in_scope | actor.coordinated_municipality_ids)
            )
            .order_by(Event.starts_at.desc())
        )
    ).all()
    events = [
        event
        for event in candidates
        if actor.coordinates(event.municipality_id)
        or (
            event.status != EventStatus.DRAFT
            and actor.person_id in await audience_people(session, event)
        )
    ]
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"registered": 0, "attended": 0})
    if events:
        for event_id, state, attended, number in await session.execute(
            select(
                EventRegistration.event_id,
                EventRegistration.state,
                EventRegistration.attended,
                func.count(EventRegistration.id),
            )
            .where(EventRegistration.event_id.in_([e.id for e in events]))
            .group_by(
                EventRegistration.event_id, EventRegistration.state, EventRegistration.attended
            )
        ):
            if state == RegistrationState.REGISTERED:
                counts[event_id]["registered"] += int(number)
            if attended:
                counts[event_id]["attended"] += int(number)
    return [
        {
            "id": e.id,
            "title": e.title,
            "starts_at": e.starts_at.isoformat(),
            "status": e.status.value,
            "format": e.format,
            **counts[e.id],
        }
        for e in events
    ]


async def visible_school_id(session: AsyncSession, actor: Actor, school_id: int) -> int:
    return (await get_visible_school(session, actor, school_id)).id

"""The weekly digest: per school in a person's scope, what happened and what is coming.

A constant number of grouped queries whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import (
    SETTLED_STATUSES,
    Event,
    EventStatus,
    Municipality,
    Notification,
    Person,
    Practice,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
    RoleAssignment,
    School,
    SchoolStatus,
    TelegramAccount,
    Visit,
)
from bot.services import local_time
from bot.services.access.actors import Actor, load_actor
from bot.services.notifications import outbox
from bot.services.notifications.recipients import municipality_timezone
from bot.services.notifications.reminders import DEFAULTS, ReminderSettings
from bot.services.visits import follow_ups

ESCALATE_AFTER = timedelta(days=14)


def _midnight(day: date) -> datetime:
    # Week and fortnight boundaries at UTC midnight: a few hours off local midnight at most.
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class SchoolWeek:
    school_id: int
    school: str
    done_this_week: int = 0
    overdue: int = 0
    due_soon: int = 0
    visits_this_week: int = 0
    waiting_review: int = 0
    overdue_follow_ups: int = 0  # a visit's agreed next steps past their date

    @property
    def needs_attention(self) -> int:
        return (
            self.overdue * 3
            + self.waiting_review * 2
            + self.overdue_follow_ups * 2
            + (self.visits_this_week == 0)
        )


@dataclass
class Digest:
    week_start: date
    schools: list[SchoolWeek] = field(default_factory=list)
    escalated: list[tuple[str, str, str, date]] = field(
        default_factory=list
    )  # school, №, measure, due
    events: list[tuple[str, datetime]] = field(default_factory=list)
    # issue 18: practices saved in the bank of the person's region(s) in the last 7 days
    practices: list[tuple[str, str | None]] = field(default_factory=list)  # title, school


def _union_filter(actors: list[Actor]) -> ColumnElement[bool]:
    """Schools any of the actors may see, as one WHERE clause (not one per actor)."""
    if any(actor.is_admin for actor in actors):
        return true()
    direct = set().union(*(a.curated_school_ids | a.staff_school_ids for a in actors))
    municipalities = set().union(*(a.coordinated_municipality_ids for a in actors))
    return or_(School.id.in_(direct), School.municipality_id.in_(municipalities))


def _sees(actor: Actor, school_id: int, municipality_id: int, in_project: bool | None) -> bool:
    # None: the school left the project — out of everyone's digest, its own staff's too.
    if in_project is None or (not in_project and school_id not in actor.staff_school_ids):
        return False
    return (
        actor.is_admin
        or school_id in actor.curated_school_ids
        or school_id in actor.staff_school_ids
        or municipality_id in actor.coordinated_municipality_ids
    )


async def build_digest(
    session: AsyncSession, actor: Actor, today: date, now: datetime | None = None
) -> Digest:
    return (await build_digests(session, [actor], today, now))[0]


async def digest_for(session: AsyncSession, actor: Actor, now: datetime) -> Digest:
    """The digest as of `now`, its week taken in the actor's municipality's local calendar."""
    timezone = await municipality_timezone(session, actor.municipality_id or 0)
    return await build_digest(session, actor, local_time.local_today(now, timezone), now)


async def build_digests(
    session: AsyncSession, actors: list[Actor], today: date, now: datetime | None = None
) -> list[Digest]:
    """Digests of many people at once: the per-school figures are computed once for all.

    «Upcoming» events start after `now`: one that began two hours ago is not upcoming."""
    week_start = today - timedelta(days=today.weekday())
    scope = _union_filter(actors)
    schools = {
        school_id: (
            SchoolWeek(school_id, name),
            municipality_id,
            None if status == SchoolStatus.EXITED else in_project,
        )
        for school_id, name, municipality_id, in_project, status in await session.execute(
            select(
                School.id,
                School.short_name,
                School.municipality_id,
                School.in_project,
                School.status,
            )
            .where(scope)
            .order_by(School.number)
        )
    }
    ids = select(School.id).where(scope).scalar_subquery()
    not_done = RoadmapItem.status.not_in(SETTLED_STATUSES)
    for school_id, done, overdue, soon in await session.execute(
        select(
            Roadmap.school_id,
            func.sum(case((RoadmapItem.accepted_at >= _midnight(week_start), 1), else_=0)),
            func.sum(case((not_done & (RoadmapItem.due_date < today), 1), else_=0)),
            func.sum(
                case(
                    (
                        not_done
                        & (RoadmapItem.due_date >= today)
                        & (RoadmapItem.due_date <= today + timedelta(days=14)),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(Roadmap.school_id.in_(ids))
        .group_by(Roadmap.school_id)
    ):
        row = schools[school_id][0]
        row.done_this_week, row.overdue, row.due_soon = (
            int(done or 0),
            int(overdue or 0),
            int(soon or 0),
        )
    for school_id, count in await session.execute(
        select(Visit.school_id, func.count(Visit.id))
        .where(Visit.school_id.in_(ids), Visit.deleted_at.is_(None), Visit.visit_date >= week_start)
        .group_by(Visit.school_id)
    ):
        schools[school_id][0].visits_this_week = int(count)
    for school_id, count in await session.execute(
        select(Roadmap.school_id, func.count(ProgressReport.id))
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .join(ProgressReport, ProgressReport.item_id == RoadmapItem.id)
        .where(Roadmap.school_id.in_(ids), ProgressReport.review_state == ReviewState.PENDING)
        .group_by(Roadmap.school_id)
    ):
        schools[school_id][0].waiting_review = int(count)
    for school_id, count in (await follow_ups.overdue_counts(session, ids, today)).items():
        schools[school_id][0].overdue_follow_ups = count
    events_by_municipality: dict[int, list[tuple[str, datetime]]] = {}
    for municipality_id, title, starts in await session.execute(
        select(Event.municipality_id, Event.title, Event.starts_at)
        .where(
            Event.municipality_id.in_({m for _, m, _ in schools.values()}),
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= (now if now is not None else _midnight(today)),
            Event.starts_at < _midnight(today + timedelta(days=14)),
        )
        .order_by(Event.starts_at)
    ):
        events_by_municipality.setdefault(municipality_id, []).append((title, starts))
    practices_by_region = await _new_practices(
        session, {m for _, m, _ in schools.values()}, _midnight(today - timedelta(days=7))
    )
    region_of = dict(
        (
            await session.execute(
                select(Municipality.id, Municipality.region_id).where(
                    Municipality.id.in_({m for _, m, _ in schools.values()})
                )
            )
        ).all()
    )
    digests = []
    for actor in actors:
        mine = [
            (week, municipality)
            for school_id, (week, municipality, in_project) in schools.items()
            if _sees(actor, school_id, municipality, in_project)
        ]
        digest = Digest(
            week_start, sorted((w for w, _ in mine), key=lambda s: (-s.needs_attention, s.school))
        )
        municipalities = sorted({m for _, m in mine})
        digest.events = sorted(
            (e for m in municipalities for e in events_by_municipality.get(m, [])),
            key=lambda e: e[1],
        )[:10]
        regions = {region_of[m] for m in municipalities if m in region_of}
        digest.practices = [
            p for region in sorted(regions) for p in practices_by_region.get(region, [])
        ][:5]
        if (actor.coordinated_municipality_ids or actor.is_admin) and mine:
            digest.escalated = await _escalated(session, actor, today)
        digests.append(digest)
    return digests


async def _new_practices(
    session: AsyncSession, municipality_ids: set[int], since: datetime
) -> dict[int, list[tuple[str, str | None]]]:
    """Practices saved since `since` in the regions of these municipalities, newest first."""
    regions = select(Municipality.region_id).where(Municipality.id.in_(municipality_ids))
    found: dict[int, list[tuple[str, str | None]]] = {}
    for region_id, title, school in await session.execute(
        select(Practice.region_id, Practice.title, School.short_name)
        .outerjoin(School, School.id == Practice.school_id)
        .where(Practice.region_id.in_(regions), Practice.created_at >= since)
        .order_by(Practice.created_at.desc())
    ):
        found.setdefault(region_id, []).append((title, school))
    return found


async def _escalated(
    session: AsyncSession, actor: Actor, today: date
) -> list[tuple[str, str, str, date]]:
    """Items overdue for more than 14 days, named, for a coordinator (the first 20)."""
    rows = await session.execute(
        select(School.short_name, RoadmapItem.number, RoadmapItem.measure, RoadmapItem.due_date)
        .join(Roadmap, Roadmap.school_id == School.id)
        .join(RoadmapItem, RoadmapItem.roadmap_id == Roadmap.id)
        .where(
            actor.school_filter(),
            School.in_project.is_(True),
            RoadmapItem.status.not_in(SETTLED_STATUSES),
            RoadmapItem.due_date < today - ESCALATE_AFTER,
        )
        .order_by(RoadmapItem.due_date)
        .limit(20)
    )
    return [
        (school, number, measure, due) for school, number, measure, due in rows if due is not None
    ]


DIGEST_WEEKDAY = 0  # Monday


async def digest_sweep(
    session: AsyncSession, now: datetime, settings: ReminderSettings = DEFAULTS
) -> int:
    """Monday from 09:00 local: each bound person with a role gets the week of their scope.

    Sent on Monday or, if the bot was down, by Tuesday; later it is stale and skipped.
    """
    rows = await session.execute(
        select(
            TelegramAccount.telegram_user_id, Person.id, Person.muted_kinds, Municipality.timezone
        )
        .join(Person, Person.id == TelegramAccount.person_id)
        .outerjoin(Municipality, Municipality.id == Person.municipality_id)
        .where(
            TelegramAccount.unreachable_since.is_(None),
            Person.id.in_(
                select(RoleAssignment.person_id).where(RoleAssignment.revoked_at.is_(None))
            ),
        )
    )
    queued = 0
    for telegram_id, person_id, muted, timezone in rows.all():
        timezone = timezone or local_time.default_zone()
        local = local_time.local_now(now, timezone)
        monday = local.date() - timedelta(days=local.weekday())
        if local < settings.due_on(monday, timezone) or local.date() > monday + timedelta(days=1):
            continue
        if "digest" in (muted or []):
            continue
        key = f"digest:{monday.isoformat()}:person {person_id}"
        if await session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        actor = await load_actor(session, telegram_id, now.date())
        if actor is None:
            continue
        digest = await build_digest(session, actor, local.date(), now=now)
        queued += await outbox.enqueue(
            session,
            dedupe_key=key,
            recipient_person_id=person_id,
            kind="digest",
            due_at=settings.due_on(monday, timezone),
            text=texts.digest_text(digest, timezone),
        )
        queued += await _enqueue_digest_chart(
            session, key, person_id, digest, settings.due_on(monday, timezone)
        )
    return queued


async def _enqueue_digest_chart(
    session: AsyncSession, key: str, person_id: int, digest: Digest, due_at: datetime
) -> int:
    """The progress picture after the digest's text, where people would rather look than read."""
    from bot.reports.chart import draw_progress_chart
    from bot.services.roadmaps.roadmap_summary import roadmap_progress

    if not digest.schools:
        return 0
    progress = await roadmap_progress(session, [s.school_id for s in digest.schools], due_at.date())
    rows = [
        (
            s.school,
            progress[s.school_id].accepted if s.school_id in progress else 0,
            progress[s.school_id].total if s.school_id in progress else 0,
        )
        for s in digest.schools[:40]
    ]
    png = await draw_progress_chart(rows)
    return int(
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:chart",
            recipient_person_id=person_id,
            kind="digest",
            due_at=due_at,
            text=texts.DIGEST_CHART_CAPTION,
            document_name="progress.png",
            document_bytes=png,
        )
    )

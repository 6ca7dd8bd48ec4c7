"""Two municipalities with one of everything each, for checking who reaches what.

"home" is the demo's Kamensk-Uralsky around СШ № 17 (its director, its curator Smirnova,
the city's coordinator, the region's coordinator); "away" is a city of another region whose
every name contains «Тайн» or «№ 901», so a reply that leaks it is easy to spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Event,
    EventAudience,
    EventStatus,
    Invite,
    ItemStatus,
    Notification,
    ProgressReport,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    Visit,
    VisitFollowUp,
    VisitFormat,
)
from tests.support.factories import (
    load_demo_data,
    make_municipality,
    make_person,
    make_school,
    person_named,
    school_named,
)
from tests.support.personas import CURATOR_17, DIRECTOR_17

AWAY_DIRECTOR = "Директор Тайнинская"
AWAY_CURATOR = "Куратор Тайнинский"
AWAY_COORDINATOR = "Координатор Тайнинская"
LEAK_MARKERS = ("Тайн", "№ 901")


@dataclass(frozen=True)
class Side:
    """Ids of one of everything in one municipality."""

    school: int
    visit: int
    item: int
    report: int
    event: int
    notification: int
    invite: int  # for staff of the school, unused
    person: int  # the school's director
    role: int  # the director's school-staff role
    followup: int = 0  # an agreed next step of the visit

    def id_of(self, target: str) -> int:
        return int(getattr(self, target))


@dataclass(frozen=True)
class World:
    home: Side
    away: Side


async def _one_of_everything(
    session: AsyncSession,
    school: School,
    *,
    director_id: int,
    curator_id: int,
    label: str,
    now: datetime,
) -> Side:
    visit = Visit(
        curator_person_id=curator_id,
        school_id=school.id,
        visit_date=now.date(),
        format=VisitFormat.ON_SITE,
        purpose=f"Цель {label}",
    )
    roadmap = Roadmap(school_id=school.id, year=now.year)
    session.add_all([visit, roadmap])
    await session.flush()
    item = RoadmapItem(roadmap_id=roadmap.id, number="1", measure=f"Пункт {label}")
    session.add(item)
    await session.flush()
    report = ProgressReport(
        item_id=item.id, author_person_id=director_id, status=ItemStatus.DONE, submitted_at=now
    )
    event = Event(
        municipality_id=school.municipality_id,
        format="seminar",
        title=f"Семинар {label}",
        starts_at=now + timedelta(days=10),
        status=EventStatus.PUBLISHED,
        audience=EventAudience.PROJECT_SCHOOLS,
        published_at=now,
    )
    notification = Notification(
        dedupe_key=f"scope world {label}",
        recipient_person_id=director_id,
        kind="deadline",
        text=f"Срок: {label}",
        due_at=now,
    )
    invite = Invite(
        token=f"scope-world-{school.id}",
        role=Role.SCHOOL_STAFF,
        school_id=school.id,
        expires_at=now + timedelta(days=7),
    )
    follow_up = VisitFollowUp(visit_id=visit.id, what=f"Шаг {label}", due_date=now.date())
    session.add_all([report, event, notification, invite, follow_up])
    await session.flush()
    role = await session.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.person_id == director_id, RoleAssignment.role == Role.SCHOOL_STAFF
        )
    )
    assert role is not None
    return Side(
        school.id,
        visit.id,
        item.id,
        report.id,
        event.id,
        notification.id,
        invite.id,
        director_id,
        role,
        follow_up.id,
    )


async def build_world(session: AsyncSession, now: datetime) -> World:
    await load_demo_data(session)
    school_17 = await school_named(session, "СШ № 17")
    home = await _one_of_everything(
        session,
        school_17,
        director_id=(await person_named(session, DIRECTOR_17)).id,
        curator_id=(await person_named(session, CURATOR_17)).id,
        label="дома",
        now=now,
    )
    city = await make_municipality(session, "Тайнинск")
    school = await make_school(session, city, 901)
    school.in_project = True
    director = await make_person(
        session, Role.SCHOOL_STAFF, full_name=AWAY_DIRECTOR, municipality=city, school=school
    )
    curator = await make_person(
        session, Role.CURATOR, full_name=AWAY_CURATOR, municipality=city, curated=[school]
    )
    await make_person(
        session, Role.MUNICIPAL_COORDINATOR, full_name=AWAY_COORDINATOR, municipality=city
    )
    away = await _one_of_everything(
        session, school, director_id=director.id, curator_id=curator.id, label="Тайна", now=now
    )
    assert (await session.scalar(select(School.short_name).where(School.id == school.id))) == (
        "СШ № 901"
    )
    return World(home, away)

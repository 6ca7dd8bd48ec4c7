"""Small builders for schools, people and accounts; the demo data for richer scenarios."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CuratorAssignment,
    Municipality,
    Person,
    Region,
    Role,
    RoleAssignment,
    School,
    SchoolKind,
    TelegramAccount,
    Visit,
    VisitFormat,
    utcnow,
)
from bot.seed.loader import DemoInvite, load_demo
from bot.services.access.actors import Actor, load_actor

_ids = itertools.count(1)
_telegram_ids = itertools.count(5_000_001)


def next_telegram_id() -> int:
    return next(_telegram_ids)


async def make_municipality(
    session: AsyncSession, name: str | None = None, timezone: str = "Asia/Yekaterinburg"
) -> Municipality:
    region = Region(name=f"Регион {next(_ids)}", timezone=timezone)
    session.add(region)
    await session.flush()
    municipality = Municipality(
        region_id=region.id, name=name or f"Город {next(_ids)}", timezone=timezone
    )
    session.add(municipality)
    await session.flush()
    return municipality


async def make_school(
    session: AsyncSession,
    municipality: Municipality,
    number: int | None = None,
    kind: SchoolKind = SchoolKind.SECONDARY,
) -> School:
    number = number or next(_ids)
    prefix = {SchoolKind.LYCEUM: "Лицей", SchoolKind.GYMNASIUM: "Гимназия"}.get(kind, "СШ")
    school = School(
        municipality_id=municipality.id,
        full_name=f"Средняя школа № {number}" if prefix == "СШ" else f"{prefix} № {number}",
        short_name=f"{prefix} № {number}",
        kind=kind,
        number=number,
        project_start_year=2022,
    )
    session.add(school)
    await session.flush()
    return school


async def make_person(
    session: AsyncSession,
    role: Role,
    *,
    full_name: str | None = None,
    region: Region | None = None,
    municipality: Municipality | None = None,
    school: School | None = None,
    curated: list[School] | None = None,
    telegram_id: int | None = None,
) -> Person:
    """A person holding one role, bound to a Telegram account unless telegram_id=0."""
    person = Person(
        full_name=full_name or f"Участник {next(_ids)}",
        municipality_id=municipality.id if municipality else None,
    )
    session.add(person)
    await session.flush()
    session.add(
        RoleAssignment(
            person_id=person.id,
            role=role,
            region_id=region.id if region else None,
            municipality_id=municipality.id if municipality else None,
            school_id=school.id if school else None,
        )
    )
    for curated_school in curated or []:
        session.add(
            CuratorAssignment(curator_person_id=person.id, school_id=curated_school.id, year=2022)
        )
    if telegram_id != 0:
        await bind_account(session, person, telegram_id or next_telegram_id())
    await session.flush()
    return person


async def make_visit(
    session: AsyncSession, curator: Person, school: School, visit_date: date
) -> Visit:
    """An on-site visit with nothing else filled in."""
    visit = Visit(
        curator_person_id=curator.id,
        school_id=school.id,
        visit_date=visit_date,
        format=VisitFormat.ON_SITE,
        participants=[],
    )
    session.add(visit)
    await session.flush()
    return visit


async def bind_account(session: AsyncSession, person: Person, telegram_id: int) -> TelegramAccount:
    account = TelegramAccount(
        person_id=person.id, telegram_user_id=telegram_id, chat_id=telegram_id, bound_at=utcnow()
    )
    session.add(account)
    await session.flush()
    return account


async def actor_for(session: AsyncSession, person: Person) -> Actor:
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.person_id == person.id)
    )
    assert account is not None, "bind the person to an account first"
    actor = await load_actor(session, account.telegram_user_id)
    assert actor is not None
    return actor


async def load_demo_data(session: AsyncSession) -> list[DemoInvite]:
    return await load_demo(session, ttl=timedelta(days=7))


async def person_named(session: AsyncSession, full_name: str) -> Person:
    person = await session.scalar(select(Person).where(Person.full_name == full_name))
    assert person is not None, full_name
    return person


async def school_named(session: AsyncSession, short_name: str) -> School:
    school = await session.scalar(select(School).where(School.short_name == short_name))
    assert school is not None, short_name
    return school

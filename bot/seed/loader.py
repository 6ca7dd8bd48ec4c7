"""Load the Kamensk-Uralsky 2022 demo data; a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Base,
    CuratorAssignment,
    Event,
    EventAudience,
    EventStatus,
    Invite,
    Municipality,
    Person,
    Region,
    Role,
    School,
    SchoolKind,
    SchoolStatus,
    TelegramAccount,
    utcnow,
)
from bot.seed import kamensk_2022 as seed
from bot.services.access import invites
from bot.services.access.assignments import directory_year
from bot.services.access.invites import InviteScope
from bot.services.school_names import short_name

Row = TypeVar("Row", bound=Base)


@dataclass(frozen=True)
class DemoInvite:
    full_name: str
    role: Role
    scope_name: str
    token: str | None  # None when the person is already bound to a Telegram account


async def _get_or_create(
    session: AsyncSession, model: type[Row], lookup: dict[str, object], **values: object
) -> Row:
    row = await session.scalar(select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        await session.flush()
    return row


async def load_demo(
    session: AsyncSession, *, ttl: timedelta, now: datetime | None = None
) -> list[DemoInvite]:
    now = now or utcnow()
    region = await _get_or_create(session, Region, {"name": seed.REGION}, timezone=seed.TIMEZONE)
    municipality = await _get_or_create(
        session,
        Municipality,
        {"region_id": region.id, "name": seed.MUNICIPALITY},
        authority_name=seed.AUTHORITY,
        timezone=seed.TIMEZONE,
    )
    schools: dict[tuple[SchoolKind, int], School] = {}
    for school_seed in seed.SCHOOLS:
        name = short_name(school_seed.kind, school_seed.number, school_seed.full_name)
        schools[(school_seed.kind, school_seed.number)] = await _get_or_create(
            session,
            School,
            {"municipality_id": municipality.id, "short_name": name},
            full_name=school_seed.full_name,
            kind=school_seed.kind,
            number=school_seed.number,
            director_name=school_seed.director,
            is_shnor=school_seed.shnor,
            in_project=school_seed.shnor,
            has_nonobjectivity_signs=school_seed.nonobjectivity,
            project_start_year=seed.YEAR if school_seed.shnor else None,
            status=SchoolStatus.ACTIVE,
        )

    result: list[DemoInvite] = []
    for person_seed in seed.PEOPLE:
        workplace = schools[person_seed.workplace] if person_seed.workplace else None
        person = await _get_or_create(
            session,
            Person,
            {"full_name": person_seed.full_name},
            position=person_seed.position,
            organisation=person_seed.organisation,
            workplace_school_id=workplace.id if workplace else None,
            municipality_id=municipality.id,
        )
        scope = (
            InviteScope(region_id=region.id)
            if person_seed.role == Role.REGIONAL_COORDINATOR
            else InviteScope(municipality_id=municipality.id)
        )
        await invites.grant_role(
            session, person=person, role=person_seed.role, scope=scope, granted_by=None, now=now
        )
        for key in person_seed.schools:
            # The demo's curators curate in the school year the demo is loaded in.
            year = await directory_year(session, schools[key].id, now.date())
            await _get_or_create(
                session,
                CuratorAssignment,
                {"curator_person_id": person.id, "school_id": schools[key].id, "year": year},
            )
        scope_label = region.name if scope.region_id else municipality.name
        result.append(
            await _invite_for(session, person, person_seed.role, scope, scope_label, ttl, now)
        )

    for key, school in schools.items():
        director = next(s.director for s in seed.SCHOOLS if (s.kind, s.number) == key)
        if director is None:
            continue
        person = await _get_or_create(
            session,
            Person,
            {"full_name": director, "workplace_school_id": school.id},
            position="директор",
            organisation=school.full_name,
            municipality_id=municipality.id,
        )
        scope = InviteScope(school_id=school.id)
        await invites.grant_role(
            session, person=person, role=Role.SCHOOL_STAFF, scope=scope, granted_by=None, now=now
        )
        result.append(
            await _invite_for(
                session, person, Role.SCHOOL_STAFF, scope, school.short_name, ttl, now
            )
        )

    zone = ZoneInfo(seed.TIMEZONE)
    for event_seed in seed.EVENTS:
        host = schools[event_seed.host]
        await _get_or_create(
            session,
            Event,
            {"municipality_id": municipality.id, "title": event_seed.title},
            format=event_seed.format,
            host_school_id=host.id,
            place_text=host.full_name,
            goal=event_seed.goal,
            organisers=seed.AUTHORITY,
            starts_at=datetime.combine(event_seed.day, event_seed.start, tzinfo=zone),
            audience=EventAudience.PROJECT_SCHOOLS,
            needs_registration=True,
            status=EventStatus.FINISHED,
            published_at=now,
        )
    return result


async def _invite_for(
    session: AsyncSession,
    person: Person,
    role: Role,
    scope: InviteScope,
    scope_label: str,
    ttl: timedelta,
    now: datetime,
) -> DemoInvite:
    """The person's open invite, reused on a second run; none once they are bound."""
    bound = await session.scalar(
        select(TelegramAccount.id).where(TelegramAccount.person_id == person.id)
    )
    if bound is not None:
        return DemoInvite(person.full_name, role, scope_label, None)
    open_invite = await session.scalar(
        select(Invite).where(
            Invite.person_id == person.id,
            Invite.role == role,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
    )
    if open_invite is not None:
        return DemoInvite(person.full_name, role, scope_label, open_invite.token)
    issued = await invites.issue_invite(
        session, inviter=None, role=role, scope=scope, ttl=ttl, person_id=person.id, now=now
    )
    return DemoInvite(person.full_name, role, scope_label, issued.token)

"""Who is acting: the one query behind every update gets roles and scopes right."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CuratorAssignment, Municipality, Region, Role, RoleAssignment, utcnow
from bot.services.access.actors import load_actor
from tests.support.factories import (
    bind_account,
    make_municipality,
    make_person,
    make_school,
    next_telegram_id,
)


async def test_a_stranger_is_no_actor(session: AsyncSession) -> None:
    assert await load_actor(session, next_telegram_id()) is None


async def test_a_curator_reaches_only_live_assignments(session: AsyncSession) -> None:
    city = await make_municipality(session)
    kept, ended, _uncurated = [await make_school(session, city) for _ in range(3)]
    telegram_id = next_telegram_id()
    await make_person(
        session, Role.CURATOR, municipality=city, curated=[kept, ended], telegram_id=telegram_id
    )
    await session.execute(
        update(CuratorAssignment)
        .where(CuratorAssignment.school_id == ended.id)
        .values(ended_at=utcnow())
    )
    actor = await load_actor(session, telegram_id)
    assert actor is not None
    assert actor.roles == {Role.CURATOR}
    assert actor.curated_school_ids == {kept.id}  # not the ended one, not the third school
    assert actor.municipality_id == city.id
    assert not actor.coordinated_municipality_ids


async def test_revoked_roles_reach_nothing(session: AsyncSession) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city)
    telegram_id = next_telegram_id()
    curator = await make_person(
        session, Role.CURATOR, municipality=city, curated=[school], telegram_id=telegram_id
    )
    await session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.person_id == curator.id)
        .values(revoked_at=utcnow())
    )
    actor = await load_actor(session, telegram_id)
    assert actor is not None  # still bound, so /start answers by name
    assert actor.roles == frozenset()
    assert actor.curated_school_ids == frozenset()  # the assignment alone opens nothing


async def test_several_roles_and_schools_in_one_person(session: AsyncSession) -> None:
    city = await make_municipality(session)
    first, second, staffed = [await make_school(session, city) for _ in range(3)]
    person = await make_person(
        session, Role.CURATOR, municipality=city, curated=[first, second], telegram_id=0
    )
    for role, scope in (
        (Role.SCHOOL_STAFF, {"school_id": staffed.id}),
        (Role.MUNICIPAL_COORDINATOR, {"municipality_id": city.id}),
    ):
        session.add(RoleAssignment(person_id=person.id, role=role, **scope))
    account = await bind_account(session, person, next_telegram_id())
    actor = await load_actor(session, account.telegram_user_id)
    assert actor is not None
    assert actor.roles == {Role.CURATOR, Role.SCHOOL_STAFF, Role.MUNICIPAL_COORDINATOR}
    assert actor.curated_school_ids == {first.id, second.id}
    assert actor.staff_school_ids == {staffed.id}
    assert actor.coordinated_municipality_ids == {city.id}
    assert actor.chat_id == account.chat_id and actor.person_id == person.id


async def test_a_regional_coordinator_reaches_every_municipality_of_the_region(
    session: AsyncSession,
) -> None:
    city = await make_municipality(session)
    neighbour = Municipality(region_id=city.region_id, name="Соседний город", timezone="UTC")
    elsewhere = await make_municipality(session)
    session.add(neighbour)
    await session.flush()
    telegram_id = next_telegram_id()
    await make_person(
        session,
        Role.REGIONAL_COORDINATOR,
        region=await session.get(Region, city.region_id),
        telegram_id=telegram_id,
    )
    actor = await load_actor(session, telegram_id)
    assert actor is not None
    assert actor.coordinated_region_ids == {city.region_id}
    assert actor.coordinated_municipality_ids == {city.id, neighbour.id}
    assert elsewhere.id not in actor.coordinated_municipality_ids

"""A coordinator's directory changes: each change, its audit before/after, who is told,
who loses or gains access, and what a school that left the project drops out of."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.db import SessionFactory, unit_of_work
from bot.models import (
    AuditRecord,
    CuratorAssignment,
    ItemStatus,
    Municipality,
    Notification,
    Person,
    Region,
    Roadmap,
    RoadmapItem,
    Role,
    RoleAssignment,
    School,
    SchoolStatus,
    Visit,
    VisitFormat,
)
from bot.services.access.actors import Actor
from bot.services.directory import directory_changes
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.notifications import digest
from bot.services.reporting import school_card, summaries
from bot.services.roadmaps import reminders as roadmap_reminders
from bot.services.visits import reminders as visit_reminders
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class City:
    municipality: Municipality
    school: School
    other_school: School
    director: Person
    curator: Person
    spare_curator: Person
    coordinator: Person
    regional: Person
    away_school: School
    away_director: Person
    away_curator: Person
    away_coordinator: Person


async def _overdue_item(session: AsyncSession, school: School) -> RoadmapItem:
    roadmap = Roadmap(school_id=school.id, year=2026)
    session.add(roadmap)
    await session.flush()
    item = RoadmapItem(
        roadmap_id=roadmap.id,
        number="1",
        position=1,
        measure="Педсовет",
        due_date=TODAY - timedelta(days=7),
        status=ItemStatus.NOT_STARTED,
    )
    session.add(item)
    await session.flush()
    return item


@pytest.fixture
async def city(session: AsyncSession) -> City:
    town = await make_municipality(session, "Городок")
    region = await session.get(Region, town.region_id)
    school = await make_school(session, town, 17)
    other = await make_school(session, town, 35)
    director = await make_person(session, Role.SCHOOL_STAFF, municipality=town, school=school)
    await make_person(session, Role.SCHOOL_STAFF, municipality=town, school=other)
    curator = await make_person(
        session, Role.CURATOR, full_name="Куратор Первый", municipality=town, curated=[school]
    )
    spare = await make_person(session, Role.CURATOR, full_name="Куратор Второй", municipality=town)
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=town)
    regional = await make_person(session, Role.REGIONAL_COORDINATOR, region=region)
    away = await make_municipality(session, "Далёкий")
    away_school = await make_school(session, away, 901)
    away_director = await make_person(
        session, Role.SCHOOL_STAFF, municipality=away, school=away_school
    )
    away_curator = await make_person(
        session, Role.CURATOR, municipality=away, curated=[away_school]
    )
    away_coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=away)
    for one in (school, other):
        await _overdue_item(session, one)
    session.add(
        Visit(
            curator_person_id=curator.id,
            school_id=school.id,
            visit_date=TODAY - timedelta(days=40),
            format=VisitFormat.ON_SITE,
            purpose="Знакомство",
        )
    )
    await session.flush()
    return City(
        town,
        school,
        other,
        director,
        curator,
        spare,
        coordinator,
        regional,
        away_school,
        away_director,
        away_curator,
        away_coordinator,
    )


async def _audit(session: AsyncSession, action: str) -> AuditRecord:
    record = await session.scalar(
        select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id.desc())
    )
    assert record is not None, action
    return record


async def _told(session: AsyncSession) -> dict[int, list[str]]:
    rows = await session.execute(
        select(Notification.recipient_person_id, Notification.text).where(
            Notification.kind == "directory"
        )
    )
    told: dict[int, list[str]] = {}
    for person_id, text in rows:
        told.setdefault(person_id, []).append(text)
    return told


async def test_flag_toggles_with_audit(session: AsyncSession, city: City) -> None:
    coordinator = await actor_for(session, city.coordinator)
    assert city.school.is_shnsu is False
    await directory_changes.toggle_flag(session, coordinator, city.school.id, "shnsu")
    assert city.school.is_shnsu is True
    record = await _audit(session, "school.flag_changed")
    assert record.actor_person_id == city.coordinator.id and record.object_id == city.school.id
    assert record.details == {"flag": "is_shnsu", "before": False, "after": True}
    await directory_changes.toggle_flag(session, coordinator, city.school.id, "nonobj")
    await directory_changes.toggle_flag(session, coordinator, city.school.id, "shnor")
    assert (city.school.has_nonobjectivity_signs, city.school.is_shnor) == (True, False)
    with pytest.raises(NotFound):
        await directory_changes.toggle_flag(session, coordinator, city.school.id, "in_project")


async def test_exited_school_keeps_history_and_drops_out_of_this_year(
    session: AsyncSession, city: City
) -> None:
    coordinator = await actor_for(session, city.coordinator)
    before = {s.name for s in await summaries.summarize(session, coordinator, TODAY)}
    assert before == {"СШ № 17", "СШ № 35"}

    await directory_changes.mark_exited(session, coordinator, city.school.id, NOW)

    assert (city.school.status, city.school.in_project) == (SchoolStatus.EXITED, False)
    assert city.school.project_end_year == 2026
    record = await _audit(session, "school.exited")
    assert record.details == {
        "before": {"status": "active", "in_project": True, "project_end_year": None},
        "after": {"status": "exited", "in_project": False, "project_end_year": 2026},
    }
    told = await _told(session)
    assert set(told) == {city.director.id, city.curator.id}
    assert "СШ № 17 отмечена как вышедшая из проекта" in told[city.director.id][0]
    # Out of this year's summaries, digest and reminders …
    assert {s.name for s in await summaries.summarize(session, coordinator, TODAY)} == {"СШ № 35"}
    director = await actor_for(session, city.director)
    week = await digest.build_digest(session, director, TODAY)
    assert [s.school for s in week.schools] == []
    coordinator_week = await digest.build_digest(session, coordinator, TODAY)
    assert [s.school for s in coordinator_week.schools] == ["СШ № 35"]
    # the other school still gets them
    assert await roadmap_reminders.deadline_sweep(session, NOW) > 0
    reminded = set(
        await session.scalars(
            select(Notification.text).where(Notification.kind.in_(["deadline", "overdue"]))
        )
    )
    assert reminded and all("СШ № 35" in text for text in reminded)
    thirty_days_after_visit = NOW - timedelta(days=10)
    assert await visit_reminders.no_visit_sweep(session, thirty_days_after_visit) == 0
    # … but its history stays: the card still opens with its visit and roadmap.
    card = await school_card.school_card(session, coordinator, city.school.id, TODAY)
    assert card.summary.total == 1 and [v[1] for v in card.visits] == ["Куратор Первый"]

    with pytest.raises(DomainError) as again:
        await directory_changes.mark_exited(session, coordinator, city.school.id, NOW)
    assert again.value.code == "school_already_exited"

    await directory_changes.bring_back(session, coordinator, city.school.id, NOW)
    assert (city.school.status, city.school.in_project) == (SchoolStatus.ACTIVE, True)
    record = await _audit(session, "school.returned")
    assert record.details is not None and record.details["before"]["status"] == "exited"
    assert len((await _told(session))[city.director.id]) == 2
    assert len(await summaries.summarize(session, coordinator, TODAY)) == 2
    assert await visit_reminders.no_visit_sweep(session, thirty_days_after_visit) == 1
    assert await roadmap_reminders.deadline_sweep(session, NOW) == 2  # its director and curator


async def test_ending_an_assignment_takes_the_school_away_at_once(
    session: AsyncSession, city: City
) -> None:
    coordinator = await actor_for(session, city.coordinator)
    assert city.school.id in (await actor_for(session, city.curator)).curated_school_ids

    await directory_changes.end_assignment(
        session, coordinator, city.school.id, city.curator.id, NOW
    )

    assignment = await session.scalar(
        select(CuratorAssignment).where(CuratorAssignment.curator_person_id == city.curator.id)
    )
    assert assignment is not None and assignment.ended_at is not None
    curator = await actor_for(session, city.curator)
    assert city.school.id not in curator.curated_school_ids
    with pytest.raises(AccessDenied):
        await school_card.school_card(session, curator, city.school.id, TODAY)
    record = await _audit(session, "curator.assignment_ended")
    assert record.details is not None
    assert record.details["before"] == {"ended_at": None}
    assert record.details["after"]["ended_at"].startswith("2026-11-24")
    assert "больше не куратор школы СШ № 17" in (await _told(session))[city.curator.id][0]
    with pytest.raises(DomainError) as again:
        await directory_changes.end_assignment(
            session, coordinator, city.school.id, city.curator.id, NOW
        )
    assert again.value.code == "curator_not_assigned"


async def _assignments_in_2026(session: AsyncSession) -> None:
    """The factories write 2022; the school's directory year becomes 2026/27."""
    await session.execute(CuratorAssignment.__table__.update().values(year=2026))


async def test_moving_a_school_to_another_curator(session: AsyncSession, city: City) -> None:
    await _assignments_in_2026(session)  # the new curator joins the school's year
    coordinator = await actor_for(session, city.coordinator)
    candidates = await directory_changes.move_candidates(session, coordinator, city.school.id)
    assert [c.name for c in candidates] == ["Куратор Второй"]  # not the current one, not away

    await directory_changes.move_school(
        session, coordinator, city.school.id, city.spare_curator.id, NOW
    )

    new = await session.scalar(
        select(CuratorAssignment).where(
            CuratorAssignment.curator_person_id == city.spare_curator.id
        )
    )
    assert new is not None and new.year == 2026 and new.ended_at is None  # 2026/27
    assert city.school.id not in (await actor_for(session, city.curator)).curated_school_ids
    assert city.school.id in (await actor_for(session, city.spare_curator)).curated_school_ids
    record = await _audit(session, "curator.school_moved")
    assert record.details == {
        "school_id": city.school.id,
        "year": 2026,
        "before": {"curators": [city.curator.id]},
        "after": {"curators": [city.spare_curator.id]},
    }
    told = await _told(session)
    assert "больше не куратор" in told[city.curator.id][0]
    assert "Вам передана школа СШ № 17" in told[city.spare_curator.id][0]

    # Back again in the same school year: the ended row opens again (one per year).
    await directory_changes.move_school(session, coordinator, city.school.id, city.curator.id, NOW)
    assert city.school.id in (await actor_for(session, city.curator)).curated_school_ids
    with pytest.raises(DomainError) as refused:
        await directory_changes.move_school(
            session, coordinator, city.school.id, city.away_curator.id, NOW
        )
    assert refused.value.code == "curator_not_candidate"


async def test_ending_a_role(session: AsyncSession, city: City) -> None:
    coordinator = await actor_for(session, city.coordinator)
    people = {p.id for p in await directory_changes.people_in_scope(session, coordinator)}
    assert {city.director.id, city.curator.id, city.spare_curator.id} <= people
    assert city.away_director.id not in people and city.regional.id not in people

    card = await directory_changes.person_card(session, coordinator, city.curator.id)
    assert [(r.role, r.revocable) for r in card.roles] == [(Role.CURATOR, True)]
    assert card.curated == ["СШ № 17"]
    await directory_changes.revoke_role(session, coordinator, card.roles[0].id, NOW)

    curator = await actor_for(session, city.curator)
    assert curator.roles == frozenset() and curator.curated_school_ids == frozenset()
    record = await _audit(session, "role.revoked")
    assert record.details is not None
    assert record.details["role"] == "curator"
    assert record.details["before"] == {"revoked_at": None}
    assert len(record.details["ended_curator_assignments"]) == 1
    assert "куратор" in (await _told(session))[city.curator.id][0]
    with pytest.raises(DomainError) as again:
        await directory_changes.revoke_role(session, coordinator, card.roles[0].id, NOW)
    assert again.value.code == "role_already_revoked"


async def _role_of(session: AsyncSession, person: Person) -> int:
    role = await session.scalar(
        select(RoleAssignment.id).where(RoleAssignment.person_id == person.id)
    )
    assert role is not None
    return role


async def test_a_coordinator_ends_only_roles_below_it_in_its_own_place(
    session: AsyncSession, city: City
) -> None:
    coordinator = await actor_for(session, city.coordinator)
    regional = await actor_for(session, city.regional)
    own = await _role_of(session, city.coordinator)
    with pytest.raises(DomainError) as refused:
        await directory_changes.revoke_role(session, regional, own + 10_000, NOW)
    assert isinstance(refused.value, NotFound)
    # Another municipality's person, a role above one's own, one's own role.
    for actor, role_owner in (
        (coordinator, city.away_director),
        (coordinator, city.regional),
        (await actor_for(session, city.away_coordinator), city.director),
    ):
        with pytest.raises(AccessDenied):
            await directory_changes.revoke_role(
                session, actor, await _role_of(session, role_owner), NOW
            )
    with pytest.raises(AccessDenied):
        await directory_changes.revoke_role(session, coordinator, own, NOW)
    # The regional coordinator may end the municipal coordinator's role, not its own.
    with pytest.raises(AccessDenied):
        await directory_changes.revoke_role(
            session, regional, await _role_of(session, city.regional), NOW
        )
    admin = await actor_for(session, await make_person(session, Role.ADMIN))
    assert (await directory_changes.role_to_revoke(session, admin, own))[0].id == own
    admin_role = await session.scalar(
        select(RoleAssignment.id).where(RoleAssignment.person_id == admin.person_id)
    )
    with pytest.raises(DomainError) as mine:
        await directory_changes.role_to_revoke(session, admin, int(admin_role or 0))
    assert mine.value.code == "role_own"
    await directory_changes.revoke_role(session, regional, own, NOW)
    assert (await actor_for(session, city.coordinator)).roles == frozenset()


async def test_other_municipality_and_absent_schools_are_refused(
    session: AsyncSession, city: City
) -> None:
    away: Actor = await actor_for(session, city.away_coordinator)
    school = city.school.id
    calls = [
        directory_changes.school_changes(session, away, school),
        directory_changes.toggle_flag(session, away, school, "shnor"),
        directory_changes.mark_exited(session, away, school, NOW),
        directory_changes.bring_back(session, away, school, NOW),
        directory_changes.end_assignment(session, away, school, city.curator.id, NOW),
        directory_changes.move_candidates(session, away, school),
        directory_changes.move_school(session, away, school, city.spare_curator.id, NOW),
        directory_changes.person_card(session, away, city.director.id),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            await call
    with pytest.raises(NotFound):
        await directory_changes.toggle_flag(session, away, 999_999, "shnor")
    with pytest.raises(NotFound):
        await directory_changes.person_card(session, away, 999_999)
    assert city.school.is_shnor is True and city.school.in_project is True
    assert await session.scalar(select(AuditRecord.id)) is None
    # The regional coordinator reaches the whole region, not another region.
    regional = await actor_for(session, city.regional)
    await directory_changes.toggle_flag(session, regional, school, "shnsu")
    with pytest.raises(AccessDenied):
        await directory_changes.toggle_flag(session, regional, city.away_school.id, "shnsu")


def test_names_in_change_screens_are_escaped() -> None:
    person = Person(full_name="<b>Иванов</b> & Ко", position="директор <i>")
    card = directory_changes.PersonCard(
        person, [directory_changes.RoleLine(1, Role.CURATOR, "СШ <1>", True)], ["Лицей <9>"]
    )
    text = texts.changes_person_text(card)
    assert "&lt;b&gt;Иванов&lt;/b&gt; &amp; Ко" in text and "СШ &lt;1&gt;" in text
    assert "<i>" not in text and "Лицей &lt;9&gt;" in text
    assert "&lt;b&gt;" in texts.changes_confirm_revoke(person.full_name, Role.CURATOR, "<x>")
    assert "<b>&lt;b&gt;" in texts.changes_confirm_move("<b>", "<b>", ["<b>"])


async def _at_once(factory: SessionFactory, change) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the change in several sessions at once; each result or refusal code, in order."""

    async def tap(index: int) -> str:
        for _attempt in range(50):
            try:
                async with unit_of_work(factory) as own:
                    await change(own, index)
                    return "done"
            except DomainError as refused:
                return refused.code
            except Exception as error:  # SQLite may refuse a writer that must start over
                if "locked" not in str(error).lower() and "deadlock" not in str(error).lower():
                    raise
        raise AssertionError("never got through")

    return list(await asyncio.gather(*(tap(index) for index in range(4))))


async def test_taps_at_once_change_once(
    session: AsyncSession, session_factory: SessionFactory, city: City
) -> None:
    coordinator = await actor_for(session, city.coordinator)
    role = await _role_of(session, city.director)
    school, spare = city.school.id, city.spare_curator.id
    await session.commit()

    async def revoke(own: AsyncSession, _index: int) -> None:
        await directory_changes.revoke_role(own, coordinator, role, NOW)

    async def move(own: AsyncSession, _index: int) -> None:
        await directory_changes.move_school(own, coordinator, school, spare, NOW)

    assert sorted(await _at_once(session_factory, revoke)) == [
        "done",
        *["role_already_revoked"] * 3,
    ]
    assert sorted(await _at_once(session_factory, move)) == [
        "curator_not_candidate",
        "curator_not_candidate",
        "curator_not_candidate",
        "done",
    ]
    async with session_factory() as fresh:
        actions = list(await fresh.scalars(select(AuditRecord.action)))
        told = await _told(fresh)
        live = list(
            await fresh.scalars(
                select(CuratorAssignment.curator_person_id).where(
                    CuratorAssignment.school_id == school, CuratorAssignment.ended_at.is_(None)
                )
            )
        )
    assert sorted(actions) == ["curator.school_moved", "role.revoked"]
    assert len(told[city.director.id]) == 1 and len(told[spare]) == 1
    assert live == [spare]


async def test_a_school_moved_before_the_rollover_stays_in_its_directory_year(
    session: AsyncSession, city: City
) -> None:
    """2027/28 has begun but nobody rolled over: the school is still in 2026/27, and the
    curator it is moved to joins that year (the rollover will carry them on)."""
    from bot.services.access.assignments import valid_on

    later = datetime(2027, 9, 10, 6, 0, tzinfo=UTC)
    await _assignments_in_2026(session)
    coordinator = await actor_for(session, city.coordinator)
    await directory_changes.move_school(
        session, coordinator, city.school.id, city.spare_curator.id, later
    )
    new = await session.scalar(
        select(CuratorAssignment).where(
            CuratorAssignment.curator_person_id == city.spare_curator.id
        )
    )
    assert new is not None and new.year == 2026
    holding = (
        await session.scalars(
            select(CuratorAssignment.curator_person_id).where(
                CuratorAssignment.school_id == city.school.id, valid_on(later.date())
            )
        )
    ).all()
    assert holding == [city.spare_curator.id]

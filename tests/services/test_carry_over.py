"""Carrying an item into the next school year or closing it: who may, when, idempotent,
and a settled item leaves /overdue, summaries, the digest and the reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    AuditRecord,
    ItemStatus,
    Notification,
    Roadmap,
    RoadmapItem,
    Role,
    SchoolRiskProfileEntry,
)
from bot.services.errors import AccessDenied, DomainError
from bot.services.notifications import digest
from bot.services.reporting import school_card, summaries
from bot.services.roadmaps import carry_over, risk_profile
from bot.services.roadmaps import reminders as roadmap_reminders
from tests.support.factories import actor_for, make_municipality, make_person, make_school

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 2026/27
TODAY = NOW.date()


async def _world(session: AsyncSession):  # type: ignore[no-untyped-def]
    town = await make_municipality(session, "Городок")
    school = await make_school(session, town, 17)
    away = await make_school(session, await make_municipality(session, "Далёкий"), 901)
    director = await make_person(session, Role.SCHOOL_STAFF, municipality=town, school=school)
    curator = await make_person(session, Role.CURATOR, municipality=town, curated=[school])
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=town)
    stranger = await make_person(session, Role.CURATOR, municipality=town, curated=[away])
    roadmap = Roadmap(school_id=school.id, year=2025)
    session.add(roadmap)
    await session.flush()
    items = [
        RoadmapItem(
            roadmap_id=roadmap.id,
            number=str(n + 1),
            position=n,
            measure=measure,
            deadline_text=wording,
            due_date=due,
            is_recurring=recurring,
        )
        for n, (measure, wording, due, recurring) in enumerate(
            [
                ("Педсовет", "март", date(2026, 3, 31), False),
                ("Открытые уроки", "май", date(2026, 5, 31), False),
                ("Консультации", "ежемесячно", None, True),
            ]
        )
    ]
    session.add_all(items)
    await session.flush()
    return school, director, curator, coordinator, stranger, items


async def _reminded(session: AsyncSession) -> tuple[int, int]:
    """What the deadline and recurring sweeps would queue now (rolled back)."""
    savepoint = await session.begin_nested()
    await roadmap_reminders.deadline_sweep(session, NOW)
    # The monthly item's own year (2025/26): its 25 April reminder.
    await roadmap_reminders.recurring_sweep(session, datetime(2026, 4, 25, 5, 0, tzinfo=UTC))
    keys = (await session.scalars(select(Notification.dedupe_key))).all()
    await savepoint.rollback()
    recurring = len([key for key in keys if key.startswith("recurring:")])
    return len(keys) - recurring, recurring


async def _overdue(session: AsyncSession, actor) -> int:  # type: ignore[no-untyped-def]
    return sum(row.overdue for row in await summaries.summarize(session, actor, TODAY))


async def test_carried_and_closed_items_leave_every_not_done_list(session: AsyncSession) -> None:
    school, director, curator, coordinator, _, (pedsovet, lessons, monthly) = await _world(session)
    coordinator_actor = await actor_for(session, coordinator)
    assert await _overdue(session, coordinator_actor) == 2
    assert len(await summaries.overdue_items(session, coordinator_actor, TODAY)) == 2
    week = await digest.build_digest(session, coordinator_actor, TODAY)
    assert [s.overdue for s in week.schools] == [2]
    assert await _reminded(session) == (4, 1)  # 2 overdue × school and curator; monthly

    school_actor = await actor_for(session, director)
    carried = await carry_over.carry_over(session, school_actor, pedsovet.id, today=TODAY)
    assert carried.changed and carried.year_label == "2026/27"
    closed = await carry_over.close(
        session, await actor_for(session, curator), lessons.id, " Не нужно ", today=TODAY
    )
    assert closed.changed
    await carry_over.close(session, coordinator_actor, monthly.id, None, today=TODAY)

    copy = await session.get(RoadmapItem, carried.new_item_id)
    assert copy is not None
    assert (copy.measure, copy.due_date, copy.status) == (
        "Педсовет",
        date(2027, 3, 31),  # «март» of the 2026/27 plan
        ItemStatus.NOT_STARTED,
    )
    assert (pedsovet.status, pedsovet.carried_to_item_id) == (ItemStatus.CARRIED_OVER, copy.id)
    assert (lessons.status, lessons.closing_note) == (ItemStatus.CLOSED, "Не нужно")
    assert await _overdue(session, coordinator_actor) == 0
    assert await summaries.overdue_items(session, coordinator_actor, TODAY) == []
    week = await digest.build_digest(session, coordinator_actor, TODAY)
    assert [s.overdue for s in week.schools] == [0]
    card = await school_card.school_card(session, coordinator_actor, school.id, TODAY)
    assert card.overdue == []
    # Three items, one of them now in 2026/27: still three in the totals, not four.
    assert (card.summary.total, card.summary.accepted) == (3, 0)
    assert sum(total for _, _, total in card.sections) == 3
    assert await _reminded(session) == (0, 0)

    # A second tap changes nothing; the other action on a settled item is refused.
    again = await carry_over.carry_over(session, school_actor, pedsovet.id, today=TODAY)
    assert not again.changed and again.new_item_id == copy.id
    assert not (
        await carry_over.close(session, school_actor, lessons.id, None, today=TODAY)
    ).changed
    with pytest.raises(DomainError) as refused:
        await carry_over.close(session, school_actor, pedsovet.id, None, today=TODAY)
    assert refused.value.code == "item_already_settled"
    copies = await session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.measure == "Педсовет")
    )
    assert copies == 2
    actions = (await session.scalars(select(AuditRecord.action))).all()
    assert actions.count("roadmap.item_carried_over") == 1
    assert actions.count("roadmap.item_closed") == 2


async def test_carry_all_takes_what_is_left_once(session: AsyncSession) -> None:
    school, director, *_ = await _world(session)
    actor = await actor_for(session, director)
    _, label, count = await carry_over.carry_all(session, actor, school.id, 2025, today=TODAY)
    assert (label, count) == ("2026/27", 3)
    assert (await carry_over.carry_all(session, actor, school.id, 2025, today=TODAY))[2] == 0
    listed = await carry_over.open_items(session, actor, school.id, 2025, today=TODAY)
    assert listed.total == 0
    new_items = await session.scalars(
        select(RoadmapItem.number)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.year == 2026)
        .order_by(RoadmapItem.position)
    )
    assert new_items.all() == ["1", "2", "3"]


async def test_only_the_school_its_curator_and_coordinators_settle(session: AsyncSession) -> None:
    school, _, _, _, stranger, (pedsovet, *_) = await _world(session)
    with pytest.raises(AccessDenied):
        await carry_over.carry_over(
            session, await actor_for(session, stranger), pedsovet.id, today=TODAY
        )
    future = Roadmap(school_id=school.id, year=2027)
    session.add(future)
    await session.flush()
    item = RoadmapItem(roadmap_id=future.id, number="1", measure="Позже")
    session.add(item)
    await session.flush()
    coordinator = await actor_for(
        session, await make_person(session, Role.ADMIN, full_name="Админ")
    )
    with pytest.raises(DomainError) as early:
        await carry_over.close(session, coordinator, item.id, None, today=TODAY)
    assert early.value.code == "carry_over_too_early"
    assert pedsovet.status == ItemStatus.NOT_STARTED


async def test_risk_profiles_follow_the_school_year(session: AsyncSession) -> None:
    """Set in February 2027 (2026/27), read in October 2026 by /summary and the card."""
    school, director, _, coordinator, *_ = await _world(session)
    staff = await actor_for(session, director)
    factor_id = 1
    year = risk_profile.profile_year(date(2027, 2, 10))
    assert year == 2026
    await risk_profile.toggle(session, staff, school.id, factor_id, year)
    row = await session.scalar(select(SchoolRiskProfileEntry))
    assert row is not None and row.year == 2026
    actor = await actor_for(session, coordinator)
    october = date(2026, 10, 5)
    summary = await summaries.summarize(session, actor, october)
    assert [s.high_risks for s in summary] == [[factor_id]]
    card = await school_card.school_card(session, actor, school.id, october)
    assert [r.factor_id for r in card.risks] == [factor_id]
    next_year = await summaries.summarize(session, actor, date(2027, 9, 2))
    assert [s.high_risks for s in next_year] == [[]]

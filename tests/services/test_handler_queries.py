"""The queries and scope rules handlers used to run themselves, now services.

handlers/event_create.py, roadmap_progress.py, reports.py, practices.py, visit_prompts.py
and directory_changes.py call these; here they are tested directly, without Telegram.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ItemStatus, RiskFactor, Role
from bot.services import local_time, school_names
from bot.services.access.permissions import opens_dashboard
from bot.services.directory import directory_changes
from bot.services.errors import AccessDenied, DomainError, NotFound
from bot.services.events import events
from bot.services.events.events import EventDraft
from bot.services.reporting import export_data, school_card
from bot.services.results import practices
from bot.services.roadmaps import roadmaps
from tests.support.factories import actor_for, make_municipality, make_person, make_school

# 20:30 UTC on 30.11 is already 01.12 in Yekaterinburg (UTC+5), still 30.11 in Kaliningrad (UTC+2).
LATE_EVENING_UTC = datetime(2026, 11, 30, 20, 30, tzinfo=UTC)


async def test_host_and_invitable_schools_are_the_municipality_s_by_number(
    session: AsyncSession,
) -> None:
    city, other = await make_municipality(session), await make_municipality(session)
    late = await make_school(session, city, 9)
    early = await make_school(session, city, 2)
    left = await make_school(session, city, 5)
    left.in_project = False
    await make_school(session, other, 1)
    await session.flush()
    assert [s.id for s in await events.host_schools(session, city.id)] == [
        early.id,
        left.id,
        late.id,
    ]
    assert [s.id for s in await events.invitable_schools(session, city.id)] == [early.id, late.id]


async def test_host_schools_offer_at_most_so_many(session: AsyncSession) -> None:
    city = await make_municipality(session)
    for number in range(1, events.HOST_SCHOOLS_OFFERED + 3):
        await make_school(session, city, number)
    hosts = await events.host_schools(session, city.id)
    assert len(hosts) == events.HOST_SCHOOLS_OFFERED
    assert hosts[0].number == 1


async def test_a_draft_names_only_schools_of_its_municipality(session: AsyncSession) -> None:
    city, other = await make_municipality(session), await make_municipality(session)
    ours, theirs = await make_school(session, city), await make_school(session, other)
    draft = EventDraft(municipality_id=city.id)
    assert await events.draft_school(session, draft, ours.id) is ours
    for school_id in (theirs.id, 10**8):
        with pytest.raises(DomainError) as refused:
            await events.draft_school(session, draft, school_id)
        assert refused.value.code == "school_out_of_scope"


async def test_a_draft_s_place_is_the_host_school_or_the_typed_text(session: AsyncSession) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city)
    assert await events.draft_place(session, EventDraft(host_school_id=school.id)) == (
        school.full_name
    )
    assert await events.draft_place(session, EventDraft(place_text="Актовый зал")) == "Актовый зал"
    assert await events.draft_place(session, EventDraft(host_school_id=10**8)) == "—"
    assert await events.draft_place(session, EventDraft()) == "—"


async def test_school_with_today_is_the_school_s_local_day(session: AsyncSession) -> None:
    east = await make_municipality(session, timezone="Asia/Yekaterinburg")
    west = await make_municipality(session, timezone="Europe/Kaliningrad")
    east_school, west_school = await make_school(session, east), await make_school(session, west)
    assert await local_time.school_with_today(session, east_school.id, LATE_EVENING_UTC) == (
        east_school,
        date(2026, 12, 1),
    )
    assert await local_time.school_with_today(session, west_school.id, LATE_EVENING_UTC) == (
        west_school,
        date(2026, 11, 30),
    )
    assert await local_time.school_with_today(session, 10**8, LATE_EVENING_UTC) is None


async def test_visible_school_today_refuses_as_get_visible_school(session: AsyncSession) -> None:
    city, other = await make_municipality(session), await make_municipality(session)
    school, elsewhere = await make_school(session, city), await make_school(session, other)
    curator = await actor_for(
        session, await make_person(session, Role.CURATOR, municipality=city, curated=[school])
    )
    found, today = await roadmaps.visible_school_today(
        session, curator, school.id, LATE_EVENING_UTC
    )
    assert (found, today) == (school, date(2026, 12, 1))
    with pytest.raises(AccessDenied):
        await roadmaps.visible_school_today(session, curator, elsewhere.id, LATE_EVENING_UTC)
    with pytest.raises(NotFound):
        await roadmaps.visible_school_today(session, curator, 10**8, LATE_EVENING_UTC)


def test_an_item_is_overdue_only_unsettled_and_past_its_deadline() -> None:
    def item(status: ItemStatus, due: date | None) -> roadmaps.RoadmapItem:
        return SimpleNamespace(status=status, due_date=due)  # type: ignore[return-value]

    today = date(2026, 12, 1)
    assert roadmaps.is_overdue(item(ItemStatus.IN_PROGRESS, date(2026, 11, 30)), today)
    assert not roadmaps.is_overdue(item(ItemStatus.IN_PROGRESS, today), today)
    assert not roadmaps.is_overdue(item(ItemStatus.IN_PROGRESS, None), today)
    assert not roadmaps.is_overdue(item(ItemStatus.DONE, date(2026, 11, 30)), today)


async def test_who_changes_a_school_from_its_card_and_whose_participants_are_exported(
    session: AsyncSession,
) -> None:
    city, other = await make_municipality(session), await make_municipality(session)
    school, elsewhere = await make_school(session, city), await make_school(session, other)
    coordinator = await actor_for(
        session, await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=city)
    )
    curator = await actor_for(
        session, await make_person(session, Role.CURATOR, municipality=city, curated=[school])
    )
    assert school_card.may_change_school(coordinator, school)
    assert not school_card.may_change_school(coordinator, elsewhere)
    assert not school_card.may_change_school(curator, school)
    assert export_data.coordinated_municipalities(coordinator, [school, elsewhere]) == [city.id]
    assert export_data.coordinated_municipalities(curator, [school]) == []
    assert opens_dashboard(coordinator.roles)
    assert not opens_dashboard(curator.roles)


async def test_risk_factor_choices_are_every_factor_by_number(session: AsyncSession) -> None:
    choices = await practices.risk_factor_choices(session)
    assert [number for number, _ in choices] == sorted(number for number, _ in choices)
    assert len(choices) == await session.scalar(select(func.count(RiskFactor.id)))


async def test_a_draft_s_school_name(session: AsyncSession) -> None:
    school = await make_school(session, await make_municipality(session))
    assert await school_names.short_name_of(session, school.id) == school.short_name
    assert await school_names.short_name_of(session, None) is None
    assert await school_names.short_name_of(session, 10**8) is None


async def test_the_menu_target_is_the_person_s_chat_and_remaining_roles(
    session: AsyncSession,
) -> None:
    city = await make_municipality(session)
    curator = await make_person(session, Role.CURATOR, municipality=city)
    offline = await make_person(session, Role.CURATOR, municipality=city, telegram_id=0)
    target = await directory_changes.menu_target(session, curator.id)
    actor = await actor_for(session, curator)
    assert target is not None and target.roles == actor.roles and Role.CURATOR in target.roles
    assert target.chat_id == actor.chat_id
    assert await directory_changes.menu_target(session, offline.id) is None

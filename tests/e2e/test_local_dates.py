"""One instant, three municipalities, three calendars: each sees its own «today».

01.12.2026 09:19 in Kamchatka is 30.11.2026 21:19 UTC — still 30.11 in Kaliningrad
(23:19) and already 01.12 in Yekaterinburg (02:19). A roadmap item due 30.11 is overdue
by one day in Yekaterinburg and Kamchatka and not yet overdue in Kaliningrad.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory
from bot.models import (
    Event,
    EventStatus,
    Person,
    Roadmap,
    RoadmapItem,
    Role,
    VisitFollowUp,
)
from bot.services import local_time
from bot.services.notifications.digest import digest_for
from bot.services.reporting.summaries import summarize
from tests.support.factories import (
    actor_for,
    make_municipality,
    make_person,
    make_school,
    make_visit,
)
from tests.support.harness import BotHarness

INSTANT = datetime(2026, 11, 30, 21, 19, tzinfo=UTC)
DUE = date(2026, 11, 30)
ZONES = {
    "Europe/Kaliningrad": ("30.11.2026", None),
    "Asia/Yekaterinburg": ("01.12.2026", 1),
    "Asia/Kamchatka": ("01.12.2026", 1),
}


async def _municipality_with_a_due_item(session: AsyncSession, zone: str, number: int) -> str:
    city = await make_municipality(session, name=f"Город {zone}", timezone=zone)
    school = await make_school(session, city, number=number)
    roadmap = Roadmap(school_id=school.id, year=2026, title="Дорожная карта")
    session.add(roadmap)
    await session.flush()
    session.add(RoadmapItem(roadmap_id=roadmap.id, number="1", measure="Педсовет", due_date=DUE))
    coordinator = await make_person(
        session, Role.MUNICIPAL_COORDINATOR, full_name=f"Координатор {zone}", municipality=city
    )
    return coordinator.full_name


async def _one_per_zone(
    bot: BotHarness,
    session_factory: SessionFactory,
    make: Callable[[AsyncSession, str, int], Awaitable[str]],
    first_school_number: int,
) -> dict[str, str]:
    """One municipality per zone made by `make` (its person's name), the clock at INSTANT."""
    async with session_factory() as session:
        names = {
            zone: await make(session, zone, first_school_number + n) for n, zone in enumerate(ZONES)
        }
        await session.commit()
    bot.clock.set(INSTANT)
    return names


async def test_summary_overdue_and_card_in_each_municipalitys_own_date(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    names = await _one_per_zone(bot, session_factory, _municipality_with_a_due_item, 700)
    for n, (zone, (today, days_overdue)) in enumerate(ZONES.items()):
        coordinator = await bot.login(names[zone])
        summary = (await bot.send(coordinator, "/summary")).messages[0].plain_text
        assert f"Сводка на {today} — школ: 1" in summary, zone
        overdue = (await bot.send(coordinator, "/overdue")).text
        card = (await bot.send(coordinator, f"/school {700 + n}")).text
        if days_overdue is None:
            assert "просроч" not in summary, zone
            assert "Педсовет" not in overdue and "просрочено" not in card, zone
        else:
            assert "⚠️ 1 просроч." in summary, zone
            assert f"срок 30.11.2026, {days_overdue} дн." in overdue, zone
            assert "принято 0 из 1, просрочено 1" in card, zone


async def _curator_with_a_follow_up_due(session: AsyncSession, zone: str, number: int) -> str:
    city = await make_municipality(session, name=f"Город {zone}", timezone=zone)
    school = await make_school(session, city, number=number)
    curator = await make_person(
        session, Role.CURATOR, full_name=f"Куратор {zone}", municipality=city, curated=[school]
    )
    visit = await make_visit(session, curator, school, date(2026, 11, 2))
    session.add(VisitFollowUp(visit_id=visit.id, what="Провести педсовет", due_date=DUE))
    return curator.full_name


async def test_a_new_visit_shows_open_follow_ups_overdue_by_the_schools_own_date(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    names = await _one_per_zone(bot, session_factory, _curator_with_a_follow_up_due, 750)
    for zone, (_today, days_overdue) in ZONES.items():
        curator = await bot.login(names[zone])
        opened = (await bot.send(curator, "/visit")).text
        assert "Провести педсовет (срок 30.11.2026)" in opened, zone
        if days_overdue is None:
            assert "просрочено" not in opened, zone
        else:
            assert f"просрочено на {days_overdue} дн." in opened, zone
        await bot.send(curator, "/cancel")


async def test_services_take_the_day_from_the_zone_not_from_utc(session: AsyncSession) -> None:
    """With the machine's clock at the instant too (time-machine), nothing falls back to UTC."""
    for n, zone in enumerate(ZONES):
        await _municipality_with_a_due_item(session, zone, 800 + n)
    await session.flush()
    with time_machine.travel(INSTANT, tick=False):
        for zone, (today, days_overdue) in ZONES.items():
            actor = await actor_for(session, await _person(session, f"Координатор {zone}"))
            local = await local_time.today_in_municipality(session, actor.municipality_id, INSTANT)
            assert local.strftime("%d.%m.%Y") == today, zone
            (row,) = await summarize(session, actor, local)
            assert row.overdue == (1 if days_overdue else 0), zone


async def test_the_digest_does_not_call_a_started_event_upcoming(session: AsyncSession) -> None:
    # 23:19 in Kaliningrad: the started event lies after UTC midnight of the local day.
    city = await make_municipality(session, timezone="Europe/Kaliningrad")
    school = await make_school(session, city)
    director = await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=school)
    for title, starts in [
        ("Семинар, начался два часа назад", INSTANT - timedelta(hours=2)),
        ("Вебинар через три часа", INSTANT + timedelta(hours=3)),
    ]:
        session.add(
            Event(
                municipality_id=city.id,
                format="seminar",
                title=title,
                starts_at=starts,
                status=EventStatus.PUBLISHED,
            )
        )
    await session.flush()
    with time_machine.travel(INSTANT, tick=False):
        digest = await digest_for(session, await actor_for(session, director), INSTANT)
    assert [title for title, _ in digest.events] == ["Вебинар через три часа"]


async def _person(session: AsyncSession, full_name: str) -> Person:
    person = await session.scalar(select(Person).where(Person.full_name == full_name))
    assert person is not None
    return person


async def test_the_roadmap_page_and_card_count_overdue_by_the_school_s_own_date(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        names = {
            zone: await _municipality_with_a_due_item(session, zone, 700 + n)
            for n, zone in enumerate(ZONES)
        }
        await session.commit()
    bot.clock.set(INSTANT)  # 30.11 on UTC's calendar everywhere
    for zone, (_today, days_overdue) in ZONES.items():
        coordinator = await bot.login(names[zone])
        page = (await bot.send(coordinator, "/roadmap")).last
        card = (await bot.press(coordinator, page.button_texts[0])).text
        if days_overdue is None:
            assert "⚠️ 1. Педсовет" not in page.text and "просрочено" not in card, zone
        else:
            assert "⚠️ 1. Педсовет" in page.text and "просрочено" in card, zone

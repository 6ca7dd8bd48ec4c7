"""Buttons forged to name another municipality's school, person, item, report, visit or
event: every callback family that carries an id refuses in Russian, shows nothing of the
other side, and changes nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.db import SessionFactory
from bot.models import (
    Event,
    EventRegistration,
    Invite,
    Notification,
    ProgressReport,
    RoadmapItem,
    Role,
    SchoolRiskProfileEntry,
    Visit,
)
from bot.services.events import events
from bot.services.events.events import EventDraft
from bot.services.roadmaps import roadmap_reports, roadmaps
from bot.services.visits import visits
from bot.services.visits.visit_drafts import VisitDraft
from tests.support.factories import (
    actor_for,
    load_demo_data,
    make_municipality,
    make_person,
    make_school,
)
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, press_safely
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
# Whatever of the other side a reply might show: every name and text below contains it.
SECRET = "Тайн"


@dataclass
class Other:
    """The other municipality and one of each thing in it."""

    region: int
    municipality: int
    school: int
    curator: int
    staff: int
    item: int
    report: int
    visit: int
    event: int
    notification: int


@pytest.fixture
async def other(bot: BotHarness, session_factory: SessionFactory) -> Other:
    async with session_factory() as session:
        await load_demo_data(session)
        city = await make_municipality(session, "Тайный городской округ")
        school = await make_school(session, city, 777)
        school.short_name, school.full_name = "Тайная школа", "Тайная средняя школа № 777"
        curator = await make_person(
            session, Role.CURATOR, full_name="Тайнова Ирина", curated=[school]
        )
        staff = await make_person(
            session, Role.SCHOOL_STAFF, full_name="Тайнов Пётр", school=school
        )
        coordinator = await make_person(
            session, Role.MUNICIPAL_COORDINATOR, full_name="Тайная Анна", municipality=city
        )
        staff_actor = await actor_for(session, staff)
        item = await roadmaps.add_item(
            session, staff_actor, school.id, "Тайное мероприятие", "до 01.03.2027", 2026
        )
        report = await roadmap_reports.submit_report(
            session,
            staff_actor,
            item.id,
            status=roadmaps.ItemStatus.IN_PROGRESS,
            percent=50,
            done_text="Тайный отчёт",
            evidence=[],
            now=NOW,
        )
        draft = VisitDraft(
            school_id=school.id,
            visit_date="2026-11-20",
            format="on_site",
            purpose="Тайная тема",
            participants=["teachers"],
            findings="Тайные выводы",
        )
        visit = await visits.save_visit(
            session, await actor_for(session, curator), draft, NOW, date(2026, 11, 24)
        )
        event = await events.publish(
            session,
            await actor_for(session, coordinator),
            EventDraft(
                format="seminar",
                title="Тайный семинар",
                starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC).isoformat(),
            ),
            NOW,
        )
        await events.sign_up(session, staff_actor, event.id, NOW)
        notification = await session.scalar(
            select(Notification.id).where(Notification.recipient_person_id == staff.id).limit(1)
        )
        assert notification is not None
        await session.commit()
        other = Other(
            region=city.region_id,
            municipality=city.id,
            school=school.id,
            curator=curator.id,
            staff=staff.id,
            item=item.id,
            report=report.id,
            visit=visit.id,
            event=event.id,
            notification=notification,
        )
    bot.clock.set(NOW)
    return other


async def _state(factory: SessionFactory, o: Other) -> tuple:  # type: ignore[type-arg]
    """Everything a forged button could have changed on the other side."""
    async with factory() as session:
        item = await session.get(RoadmapItem, o.item)
        report = await session.get(ProgressReport, o.report)
        visit = await session.get(Visit, o.visit)
        event = await session.get(Event, o.event)
        notification = await session.get(Notification, o.notification)
        assert item and report and visit and event and notification
        registrations = await session.scalars(
            select(EventRegistration.state).where(EventRegistration.event_id == o.event)
        )
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Invite, SchoolRiskProfileEntry, Visit, ProgressReport, RoadmapItem)
        ]
        return (
            item.measure,
            report.review_state,
            visit.deleted_at,
            event.status,
            event.version,
            event.results,
            sorted(registrations.all()),
            notification.due_at,
            notification.state,
            *counts,
        )


def forged(o: Other) -> dict[str, list[str]]:
    """Per person of the demo city, the other side's ids in every family they could press."""
    return {
        GAREEVA: [  # school staff of СШ № 17
            f"rm:o:{o.item}",
            f"rm:h:{o.item}",
            f"rm:rep:{o.item}",
            f"rm:ed:{o.item}",
            f"rm:ef:{o.item}:measure",
            f"rm:l:{o.school}:0",
            f"rm:sc:r:{o.school}",
            f"rm:sc:i:{o.school}",
            f"rm:sc:n:{o.school}",
            f"rm:sc:k:{o.school}",
            f"rm:rk:{o.school}:1",
            f"ev:o:{o.event}",
            f"ev:su:{o.event}",
            f"ev:no:{o.event}",
            f"ev:fb:{o.event}:5",
            f"vis:o:{o.visit}",
            f"ntf:sz:{o.notification}:1",
        ],
        SMIRNOVA: [  # curator of СШ № 17 and Лицей № 9
            f"vis:o:{o.visit}",
            f"vis:ed:{o.visit}",
            f"vis:dl:{o.visit}",
            f"vis:dy:{o.visit}",
            f"vis:l:0:{o.school}:0:0",
            f"vis:l:0:0:{o.curator}:0",
            f"rm:ac:{o.report}",
            f"rm:rt:{o.report}",
            f"rm:o:{o.item}",
            f"rep:g:2026:1:{o.school}",
            f"sch:o:{o.school}",
        ],
        PLOTNIKOVA: [  # coordinator of Kamensk-Uralsky
            f"sch:o:{o.school}",
            f"rep:g:2026:1:{o.school}",
            f"vis:o:{o.visit}",
            f"vis:fs:0:{o.school}:0:0",
            f"ev:o:{o.event}",
            f"ev:rg:{o.event}",
            f"ev:at:{o.event}:{o.staff}",
            f"ev:xl:{o.event}",
            f"ev:cn:{o.event}",
            f"ev:cy:{o.event}",
            f"ev:rf:{o.event}",
            f"ev:fs:{o.event}",
            f"ev:ed:{o.event}:1",
            f"ev:ef:{o.event}:1:0",
            f"ev:rs:{o.event}",
            f"rm:o:{o.item}",
            f"rm:ac:{o.report}",
            f"inv:s:curator:s{o.school}",
            f"inv:s:curator:c{o.school}",
            f"inv:s:curator:m{o.municipality}",
            f"inv:s:school_staff:s{o.school}",
            f"inv:s:municipal_coordinator:m{o.municipality}",
            f"inv:s:regional_coordinator:r{o.region}",
            "inv:s:admin:-",
            "inv:r:admin",
        ],
    }


async def test_forged_ids_of_another_municipality_are_refused_and_reveal_nothing(
    bot: BotHarness, session_factory: SessionFactory, other: Other, logged_errors: ErrorLog
) -> None:
    before = await _state(session_factory, other)
    for person, presses in forged(other).items():
        user = await bot.login(person)
        for data in presses:
            await bot.send(user, "/cancel")
            reply = await press_safely(bot, user, data, logged_errors, SECRET)
            assert reply.everything.strip(), f"{person}: {data} answered with silence"
            # A refusal, not the thing: no document, no card with the other side's buttons.
            assert not any(m.document_bytes for m in reply.messages), data
    assert await _state(session_factory, other) == before


async def test_forged_ids_inside_conversations_are_refused(
    bot: BotHarness, session_factory: SessionFactory, other: Other, logged_errors: ErrorLog
) -> None:
    """Buttons that only count mid-conversation: the school of a visit, its roadmap item,
    an event's host school and chosen schools."""
    before = await _state(session_factory, other)
    curator = await bot.login(SMIRNOVA)
    await bot.send(curator, "/visit")
    await press_safely(bot, curator, f"vis:s:{other.school}", logged_errors, SECRET)
    await bot.press(curator, "СШ № 17")
    await bot.send(curator, "20.11.2026")
    await bot.press(curator, "Выезд в школу")
    await press_safely(bot, curator, f"vis:pi:{other.item}", logged_errors, SECRET)
    coordinator = await bot.login(PLOTNIKOVA)
    await bot.send(coordinator, "/event_new")
    await bot.press(coordinator, "Семинар")
    await bot.send(coordinator, "Семинар по ВПР")
    await bot.send(coordinator, "01.12.2026 10:00")
    await bot.send(coordinator, "90")
    await press_safely(bot, coordinator, f"ev:pl:{other.school}", logged_errors, SECRET)
    await bot.send(coordinator, "Актовый зал")
    await bot.press(coordinator, "Пропустить")
    await bot.press(coordinator, "Выбранные школы")
    await press_safely(bot, coordinator, f"ev:cs:{other.school}", logged_errors, SECRET)
    await bot.send(coordinator, "/cancel")
    await bot.send(curator, "/cancel")
    assert await _state(session_factory, other) == before


MISSING_ID = 987_654_321  # no row of any table has this id


async def test_not_yours_and_does_not_exist_read_the_same(
    bot: BotHarness, other: Other, logged_errors: ErrorLog
) -> None:
    """SECURITY.md: a refusal never reveals whether the thing exists. Every forged press of the
    matrix is answered exactly as the same press naming an id that exists nowhere."""
    nowhere = Other(*[MISSING_ID] * len(Other.__dataclass_fields__))
    differing = []
    for person, presses in forged(other).items():
        user = await bot.login(person)
        for real, missing in zip(presses, forged(nowhere)[person], strict=True):
            seen = []
            for data in (real, missing):
                await bot.send(user, "/cancel")
                reply = await press_safely(bot, user, data, logged_errors, SECRET)
                seen.append(reply.everything.strip())
            if seen[0] != seen[1]:
                differing.append(f"{person} {real}: {seen[0]!r} ≠ {seen[1]!r}")
    assert differing == [], "\n".join(differing)


def test_every_refusal_of_an_unseen_thing_renders_one_text() -> None:
    from bot import texts

    rendered = {texts.error(code) for code in texts.UNIFORM_REFUSAL_CODES}
    assert rendered == {texts.NOT_FOUND_OR_HIDDEN}
    assert texts.error("school_out_of_scope") == texts.error("school_not_found")

"""A coordinator changes the directory by taps, as people do it on a phone.

Moves a school to another curator (the old one loses it, the new one gets it and is told),
ends a role (the menu follows), marks a school left the project, toggles a flag; a
coordinator of another municipality and a curator are refused and change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeUser
from bot.models import (
    AuditRecord,
    CuratorAssignment,
    Municipality,
    Role,
    RoleAssignment,
    School,
    SchoolStatus,
)
from bot.scheduler.sender import OutboxSender
from tests.support.factories import load_demo_data, make_municipality, make_person, person_named
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, CURATOR_17, DIRECTOR_17, TELYATNIKOV, ZHIGULINA

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # Tuesday 10:00 in Yekaterinburg
OTHER_CURATOR = TELYATNIKOV
AWAY_COORDINATOR = "Координатор Дальний"


@pytest.fixture
async def demo(bot: BotHarness, session_factory: SessionFactory) -> BotHarness:
    async with session_factory() as session:
        await load_demo_data(session)
        city = await make_municipality(session, "Дальнегорск")
        await make_person(
            session, Role.MUNICIPAL_COORDINATOR, full_name=AWAY_COORDINATOR, municipality=city
        )
        await session.commit()
    bot.clock.set(NOW)
    return bot


async def _school_17(factory: SessionFactory) -> School:
    async with factory() as session:
        school = await session.scalar(select(School).where(School.short_name == "СШ № 17"))
        assert school is not None
        return school


async def _menu_of_17(bot: BotHarness, coordinator: FakeUser) -> str:
    card = await bot.send(coordinator, "/school 17")
    assert texts.BUTTON_CHANGES in card.last.button_texts
    return (await bot.press(coordinator, texts.BUTTON_CHANGES)).text


async def _live_assignments(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(
            await session.scalar(
                select(func.count(CuratorAssignment.id)).where(CuratorAssignment.ended_at.is_(None))
            )
            or 0
        )


async def _deliver(bot: BotHarness, factory: SessionFactory) -> int:
    assert bot.application is not None
    return (await OutboxSender(bot.application.bot, factory, bot.clock).drain()).sent


CHANGE_ACTIONS = ("school.", "curator.", "role.")  # the demo's load writes invites' records


async def _audits(factory: SessionFactory) -> list[tuple[str, dict]]:
    async with factory() as session:
        rows = await session.scalars(select(AuditRecord).order_by(AuditRecord.id))
        return [
            (row.action, row.details or {}) for row in rows if row.action.startswith(CHANGE_ACTIONS)
        ]


async def test_a_school_moves_to_another_curator(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    old, new = await demo.login(CURATOR_17), await demo.login(OTHER_CURATOR)
    card = await demo.send(old, "/school 17")
    assert "Средняя школа № 17" in card.text
    assert texts.BUTTON_CHANGES not in card.last.button_texts  # a curator changes nothing
    assert (await demo.send(new, "/school 17")).text == texts.SCHOOL_NOT_FOUND

    menu = await _menu_of_17(demo, coordinator)
    assert "Изменения: СШ № 17" in menu and f"Куратор: {CURATOR_17}" in menu
    choices = await demo.press(coordinator, texts.BUTTON_CHANGES_MOVE)
    assert OTHER_CURATOR in choices.last.button_texts
    assert CURATOR_17 not in choices.last.button_texts
    confirm = await demo.press(coordinator, OTHER_CURATOR)
    assert f"Передать школу СШ № 17 куратору {OTHER_CURATOR}" in confirm.text
    assert f"Будут сняты: {CURATOR_17}" in confirm.text
    assert confirm.last.button_texts == [texts.BUTTON_CHANGES_CONFIRM_MOVE, "Отмена"]
    done = await demo.press(coordinator, texts.BUTTON_CHANGES_CONFIRM_MOVE)
    assert f"Школа СШ № 17 передана куратору {OTHER_CURATOR}" in done.text
    assert f"Куратор: {OTHER_CURATOR}" in done.text

    # Access follows at once: the old curator no longer finds the school, the new one does.
    assert (await demo.send(old, "/school 17")).text == texts.SCHOOL_NOT_FOUND
    school = await _school_17(session_factory)
    anchor = (await demo.send(old, "/help")).last.message_id
    forged = await demo.press_data(old, anchor, f"sch:o:{school.id}")
    assert forged.alerts == [texts.error("school_out_of_scope")]
    assert "Средняя школа № 17" in (await demo.send(new, "/school 17")).text
    async with session_factory() as session:
        year = await session.scalar(
            select(CuratorAssignment.year).where(
                CuratorAssignment.school_id == school.id,
                CuratorAssignment.ended_at.is_(None),
            )
        )
    assert year == 2026  # the school year 2026/27

    assert await _deliver(demo, session_factory) == 2
    told_new = demo.fake.last_message(new.id)
    assert told_new is not None and "Вам передана школа СШ № 17" in told_new.plain_text
    told_old = demo.fake.last_message(old.id)
    assert told_old is not None and "больше не куратор школы СШ № 17" in told_old.plain_text
    (action, details), *_ = [a for a in await _audits(session_factory) if a[0].startswith("cur")]
    assert action == "curator.school_moved" and details["school_id"] == school.id


async def test_ending_a_curator_assignment_asks_first(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    curator = await demo.login(CURATOR_17)
    await _menu_of_17(demo, coordinator)
    ask = await demo.press(coordinator, texts.changes_end_curator_button(CURATOR_17))
    assert f"Снять {CURATOR_17} с кураторства школы СШ № 17?" in ask.text
    back = await demo.press(coordinator, texts.BUTTON_CHANGES_CANCEL)
    assert f"Куратор: {CURATOR_17}" in back.text  # «Отмена» changed nothing
    assert await _audits(session_factory) == []
    await demo.press(coordinator, texts.changes_end_curator_button(CURATOR_17))
    done = await demo.press(coordinator, texts.BUTTON_CHANGES_CONFIRM_END)
    assert "больше не куратор школы СШ № 17" in done.text and "Куратор: —" in done.text
    assert (await demo.send(curator, "/school 17")).text == texts.SCHOOL_NOT_FOUND
    assert "Лицей № 9" in (await demo.send(curator, "/school лицей 9")).text  # still hers
    [(action, details)] = await _audits(session_factory)
    assert action == "curator.assignment_ended" and details["before"] == {"ended_at": None}


async def test_ending_a_role_from_the_people_list(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    director = await demo.login(DIRECTOR_17)
    await demo.send(director, "/start")
    menu = demo.fake.commands({"type": "chat", "chat_id": director.id})
    assert "roadmap" in [c["command"] for c in menu]

    people = await demo.send(coordinator, "/people")
    assert "Участники" in people.text
    assert "Страница 1 из 2" in people.text  # the city's ~15 people, 8 a page
    assert len(people.last.buttons) == texts.CHANGES_PEOPLE_PAGE + 1
    assert [text for text, _ in people.last.buttons[-1]] == [texts.BUTTON_NEXT]
    second = await demo.press(coordinator, texts.BUTTON_NEXT)
    assert "Страница 2 из 2" in second.text
    assert [text for text, _ in second.last.buttons[-1]] == [texts.BUTTON_PREVIOUS]
    assert set(second.last.button_texts).isdisjoint(people.last.button_texts[:-1])
    await demo.press(coordinator, texts.BUTTON_PREVIOUS)
    assert ZHIGULINA not in people.text  # the region's, not the city's
    card = await demo.press(coordinator, DIRECTOR_17)
    assert "управленческая команда школы: СШ № 17" in card.text
    role_button = texts.changes_role_button(Role.SCHOOL_STAFF, "СШ № 17")
    ask = await demo.press(coordinator, role_button)
    assert f"Снять роль «управленческая команда школы» (СШ № 17) у {DIRECTOR_17}?" in ask.text
    done = await demo.press(coordinator, texts.BUTTON_CHANGES_CONFIRM_END)
    assert "Роль «управленческая команда школы»" in done.text and "снята" in done.text
    assert "Действующих ролей нет." in done.text

    # The role is gone from the person's menu and commands at once.
    assert demo.fake.commands({"type": "chat", "chat_id": director.id}) == []
    assert (await demo.send(director, "/roadmap")).text == texts.REFUSED
    assert "/roadmap" not in (await demo.send(director, "/help")).text
    assert await _deliver(demo, session_factory) == 1
    told = demo.fake.last_message(director.id)
    assert told is not None and "снята координатором" in told.plain_text
    [(action, details)] = await _audits(session_factory)
    assert action == "role.revoked" and details["role"] == "school_staff"


async def test_a_school_leaves_the_project_and_comes_back(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    director = await demo.login(DIRECTOR_17)
    curator = await demo.login(CURATOR_17)
    assert "школ: 7" in (await demo.send(coordinator, "/summary")).messages[0].plain_text
    await _menu_of_17(demo, coordinator)
    ask = await demo.press(coordinator, texts.BUTTON_CHANGES_EXIT)
    assert "Отметить, что школа СШ № 17 вышла из проекта?" in ask.text
    assert ask.last.button_texts == [texts.BUTTON_CHANGES_CONFIRM_END, "Отмена"]
    done = await demo.press(coordinator, texts.BUTTON_CHANGES_CONFIRM_END)
    assert "Статус: вышла из проекта" in done.text
    assert texts.BUTTON_CHANGES_RETURN in done.last.button_texts

    school = await _school_17(session_factory)
    assert (school.status, school.in_project) == (SchoolStatus.EXITED, False)
    summary = (await demo.send(coordinator, "/summary")).messages[0].plain_text
    assert "школ: 6" in summary and "СШ № 17" not in summary
    card = await demo.send(coordinator, "/school 17")  # its history stays reachable
    assert "Статус: вышла из проекта" in card.text
    assert await _deliver(demo, session_factory) == 2  # the director and the curator
    for person in (director, curator):
        told = demo.fake.last_message(person.id)
        assert told is not None and "вышедшая из проекта" in told.plain_text

    back = await demo.press(coordinator, texts.BUTTON_CHANGES)
    back = await demo.press(coordinator, texts.BUTTON_CHANGES_RETURN)
    assert "Школа снова в проекте" in back.text
    assert "школ: 7" in (await demo.send(coordinator, "/summary")).messages[0].plain_text
    actions = [action for action, _ in await _audits(session_factory)]
    assert actions == ["school.exited", "school.returned"]


async def test_a_flag_is_toggled_by_a_tap(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    await _menu_of_17(demo, coordinator)
    reply = await demo.press(coordinator, texts.changes_flag_button("shnsu", False))
    assert "ШНСУ: да" in reply.text
    assert texts.changes_flag_button("shnsu", True) in reply.last.button_texts
    assert (await _school_17(session_factory)).is_shnsu is True
    [(action, details)] = await _audits(session_factory)
    assert (action, details) == (
        "school.flag_changed",
        {"flag": "is_shnsu", "before": False, "after": True},
    )


async def test_another_municipality_and_a_curator_are_refused(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    school = await _school_17(session_factory)
    async with session_factory() as session:
        director = await person_named(session, DIRECTOR_17)
        other = await person_named(session, OTHER_CURATOR)
        role = await session.scalar(
            select(RoleAssignment.id).where(RoleAssignment.person_id == director.id)
        )
    live_before = await _live_assignments(session_factory)
    forged = [
        f"chg:s:{school.id}",
        f"chg:fl:{school.id}:shnor",
        f"chg:exy:{school.id}",
        f"chg:cy:{school.id}:{other.id}",
        f"chg:my:{school.id}:{other.id}",
        f"chg:mv:{school.id}:0",
        f"ppl:o:{director.id}",
        f"ppl:ry:{role}",
    ]
    away = await demo.login(AWAY_COORDINATOR)
    curator = await demo.login(CURATOR_17)
    refusals = {texts.error("school_out_of_scope"), texts.error("access_denied")}
    for user, expected in ((away, refusals), (curator, {texts.REFUSED})):
        anchor = (await demo.send(user, "/help")).last.message_id
        for data in forged:
            reply = await demo.press_data(user, anchor, data)
            assert reply.alerts and set(reply.alerts) <= expected, (data, reply.everything)
            assert "СШ № 17" not in reply.everything and DIRECTOR_17 not in reply.everything
    assert (await demo.send(curator, "/people")).text == texts.REFUSED
    own_people = await demo.send(away, "/people")
    assert own_people.last.button_texts == [AWAY_COORDINATOR]  # only its own city
    coordinator = await demo.login(COORDINATOR)
    anchor = (await demo.send(coordinator, "/help")).last.message_id
    absent = await demo.press_data(coordinator, anchor, "chg:s:999999")
    assert absent.alerts == [texts.error("school_not_found")]
    # Nothing changed, nothing audited.
    assert await _audits(session_factory) == []
    assert await _live_assignments(session_factory) == live_before == 7
    unchanged = await _school_17(session_factory)
    assert unchanged.in_project and unchanged.is_shnor


async def test_long_curator_list_pages_and_people_open_from_the_school(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        school = await session.scalar(select(School).where(School.short_name == "СШ № 17"))
        assert school is not None
        city = await session.get(Municipality, school.municipality_id)
        for number in range(10):
            await make_person(
                session, Role.CURATOR, full_name=f"Яковлева {number:02d}", municipality=city
            )
        await session.commit()
    regional = await demo.login(ZHIGULINA)
    menu = await _menu_of_17(demo, regional)  # the region's coordinator changes it too
    assert "Изменения: СШ № 17" in menu
    first = await demo.press(regional, texts.BUTTON_CHANGES_MOVE)
    assert "страница 1 из 2" in first.text
    names = [text for row in first.last.buttons for text, _ in row]
    assert len(names) == texts.CHANGES_PEOPLE_PAGE + 2  # 8 curators, «Далее ▶», «◀ К школе»
    second = await demo.press(regional, texts.BUTTON_NEXT)
    assert "Яковлева 09" in second.last.button_texts and "страница 2 из 2" in second.text
    await demo.press(regional, texts.BUTTON_CHANGES_BACK)
    person = await demo.press(regional, texts.changes_person_button(DIRECTOR_17))
    assert DIRECTOR_17 in person.text and "управленческая команда школы: СШ № 17" in person.text
    assert texts.changes_role_button(Role.SCHOOL_STAFF, "СШ № 17") in person.last.button_texts

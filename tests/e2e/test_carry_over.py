"""The year's end by taps: after /new_year a school carries its unfinished items into the
new school year or closes them; both leave /overdue and show in the report with their mark."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import AuditRecord, ItemStatus, Roadmap, RoadmapItem, RoleAssignment
from bot.scheduler.sender import OutboxSender
from bot.services.reporting import report_data
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.factories import person_named
from tests.support.harness import BotHarness
from tests.support.personas import CURATOR_17, DIRECTOR_17, PLOTNIKOVA

FIRST_OF_SEPTEMBER = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg


async def _old_plan(session_factory: SessionFactory) -> tuple[int, list[int]]:
    """A 2025/26 plan of school 17: two unfinished items (overdue now) and a done one."""
    async with session_factory() as session:
        director = await person_named(session, DIRECTOR_17)
        school_id = await session.scalar(
            select(RoleAssignment.school_id).where(RoleAssignment.person_id == director.id)
        )
        roadmap = Roadmap(school_id=school_id, year=2025, title="Дорожная карта 2025/26")
        session.add(roadmap)
        await session.flush()
        items = [
            RoadmapItem(
                roadmap_id=roadmap.id,
                number=str(n + 1),
                position=n,
                measure=measure,
                deadline_text=deadline,
                due_date=due,
                status=status,
            )
            for n, (measure, deadline, due, status) in enumerate(
                [
                    ("Педсовет по итогам ВПР", "март", date(2026, 3, 31), ItemStatus.NOT_STARTED),
                    ("Открытые уроки", "май", date(2026, 5, 31), ItemStatus.IN_PROGRESS),
                    ("Семинар", "октябрь", date(2025, 10, 31), ItemStatus.DONE),
                ]
            )
        ]
        session.add_all(items)
        await session.commit()
        return int(school_id or 0), [item.id for item in items]


async def test_a_school_carries_one_item_over_and_closes_another(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    demo.clock.set(FIRST_OF_SEPTEMBER)
    school_id, (pedsovet, lessons, _) = await _old_plan(session_factory)
    director = await demo.login(DIRECTOR_17)
    assert "Педсовет по итогам ВПР" in (await demo.send(director, "/overdue")).text

    admin = demo.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
    await demo.send(admin, "/start")
    await demo.send(admin, "/new_year")
    await demo.press(admin, "Проверить переход в 2026/27")
    await demo.press(admin, "Перейти в 2026/27")
    await OutboxSender(demo.application.bot, session_factory, demo.clock).drain()
    told = demo.fake.last_message(director.id)
    assert told is not None and "не закрыто мероприятий: 2" in told.text
    assert told.button_texts == [texts.BUTTON_CARRY_ALL, texts.BUTTON_SETTLE_LIST]

    # The list, then the item's card with its two buttons.
    reply = await demo.press(director, texts.BUTTON_SETTLE_LIST)
    assert "Не решено мероприятий: 2" in reply.text
    reply = await demo.press(director, "1. Педсовет по итогам ВПР")
    assert texts.carry_button("2026/27") in reply.last.button_texts
    reply = await demo.press(director, texts.carry_button("2026/27"))
    assert reply.text == texts.item_carried("1", "2026/27", True)
    # A second tap (the stale card): nothing more.
    message = demo.fake.last_message(director.id)
    assert message is not None
    reply = await demo.press_data(director, message.message_id, f"co:c:{pedsovet}")
    assert reply.text == texts.item_carried("1", "2026/27", False)
    # /roadmap now shows the new plan, and leads back to what is left of the old one.
    reply = await demo.send(director, "/roadmap")
    assert "Педсовет по итогам ВПР" in reply.text and "Открытые уроки" not in reply.text
    assert texts.earlier_open_button("2025/26", 1) in reply.last.button_texts
    reply = await demo.press(director, texts.earlier_open_button("2025/26", 1))
    assert "Не решено мероприятий: 1" in reply.text
    assert reply.last.button_texts == ["2. Открытые уроки"]

    # The curator closes the other one with a note.
    curator = await demo.login(CURATOR_17)
    reply = await demo.send(curator, "/start")
    message = demo.fake.last_message(curator.id)
    assert message is not None
    reply = await demo.press_data(curator, message.message_id, f"co:x:{lessons}")
    assert reply.text == texts.CLOSE_ITEM_PROMPT.format(number="2")
    reply = await demo.send(curator, "Учитель уволился, перенос не нужен")
    assert reply.text == texts.item_closed("2", True)
    reply = await demo.press_data(curator, message.message_id, f"co:x:{lessons}")
    reply = await demo.press(curator, texts.BUTTON_CLOSE_NO_NOTE)
    assert reply.text == texts.item_closed("2", False)

    assert "Педсовет по итогам ВПР" not in (await demo.send(director, "/overdue")).text
    assert "Открытые уроки" not in (await demo.send(director, "/overdue")).text
    async with session_factory() as session:
        copies = (
            await session.execute(
                select(RoadmapItem.measure, RoadmapItem.due_date, RoadmapItem.status)
                .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
                .where(Roadmap.school_id == school_id, Roadmap.year == 2026)
            )
        ).all()
        # «март» re-read inside 2026/27: March 2027, not overdue on arrival.
        assert copies == [("Педсовет по итогам ВПР", date(2027, 3, 31), ItemStatus.NOT_STARTED)]
        closed = await session.get(RoadmapItem, lessons)
        assert closed is not None and closed.status == ItemStatus.CLOSED
        assert closed.closing_note == "Учитель уволился, перенос не нужен"
        actions = (await session.scalars(select(AuditRecord.action))).all()
        assert actions.count("roadmap.item_carried_over") == 1
        assert actions.count("roadmap.item_closed") == 1
        marks = {
            item.measure: item.settled
            for item in await report_data.report_items(
                session, [school_id], date(2025, 9, 1), date(2026, 8, 31)
            )
        }
    assert marks["Педсовет по итогам ВПР"] == "Перенесено в 2026/27"
    assert marks["Открытые уроки"] == "Закрыто: Учитель уволился, перенос не нужен"
    assert marks["Семинар"] is None
    # Nothing left to decide.
    reply = await demo.press(director, texts.BUTTON_CARRY_ALL)
    assert "переносить нечего" in reply.text


async def test_others_may_not_settle_and_a_plan_not_begun_is_refused(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    demo.clock.set(datetime(2026, 3, 1, 7, 0, tzinfo=UTC))  # still 2025/26
    school_id, (pedsovet, _, _) = await _old_plan(session_factory)
    async with session_factory() as session:
        roadmap = Roadmap(school_id=school_id, year=2026)
        session.add(roadmap)
        await session.flush()
        future = RoadmapItem(roadmap_id=roadmap.id, number="1", measure="План на будущее")
        session.add(future)
        await session.commit()
        future_id = future.id
    director = await demo.login(DIRECTOR_17)
    message_id = (await demo.send(director, "/start")).last.message_id
    reply = await demo.press_data(director, message_id, f"co:c:{future_id}")
    assert texts.error("carry_over_too_early", year="2026/27") in [*reply.alerts, reply.text]
    # The card of a current item offers no year-end buttons before June.
    reply = await demo.press_data(director, message_id, f"rm:o:{pedsovet}")
    assert texts.carry_button("2026/27") not in reply.last.button_texts
    async with session_factory() as session:
        item = await session.get(RoadmapItem, future_id)
        assert item is not None and item.status == ItemStatus.NOT_STARTED


async def test_a_risk_set_in_february_belongs_to_the_school_year(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    """In February 2027 the profile is 2026/27's: written so, and read so by the card and
    /summary (before, the calendar year 2027 was written and read)."""
    from bot.models import SchoolRiskProfileEntry

    demo.clock.set(datetime(2027, 2, 10, 6, 0, tzinfo=UTC))
    director = await demo.login(DIRECTOR_17)
    reply = await demo.send(director, "/risks")
    reply = await demo.press(director, reply.last.button_texts[0])
    assert reply.last.button_texts[0].startswith("🔴 1.")
    async with session_factory() as session:
        entry = (await session.scalars(select(SchoolRiskProfileEntry))).one()
    assert (entry.risk_factor_id, entry.level.value, entry.year) == (1, "high", 2026)
    coordinator = await demo.login(PLOTNIKOVA)
    card = await demo.send(coordinator, "/school 17")
    assert "Риски: 1. Низкий уровень оснащения школы — высокий" in card.text
    summary = await demo.send(coordinator, "/summary")
    assert "высокие риски: 1" in summary.everything

"""A visit's agreed next steps get done: reminded, marked done from the reminder, the
school card and /roadmap; gone from /overdue and the digest; first on the next /visit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import (
    AuditRecord,
    Notification,
    NotificationState,
    Roadmap,
    RoadmapItem,
    Visit,
    VisitFollowUp,
    VisitFormat,
)
from bot.scheduler.sender import OutboxSender
from bot.services.visits import reminders as visit_reminders
from tests.support.factories import person_named, school_named
from tests.support.harness import BotHarness
from tests.support.personas import DIRECTOR_9, DIRECTOR_17, PLOTNIKOVA, SMIRNOVA, TELYATNIKOV

STEP = "Провести педсовет по итогам ВПР"


async def _record_visit_by_taps(bot: BotHarness) -> None:
    """The curator's visit to СШ № 17 yesterday (23.11.2026) with one step due 26.11.2026."""
    curator = await bot.login(SMIRNOVA)
    await bot.send(curator, "/visit")
    await bot.press(curator, "СШ № 17")
    await bot.press(curator, texts.BUTTON_YESTERDAY)
    await bot.press(curator, "Выезд в школу")
    await bot.send(curator, "Анализ результатов ВПР")
    await bot.press(curator, "Директор")
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.send(curator, "Нет системы работы с неуспевающими")
    await bot.send(curator, "Составить индивидуальные планы")
    reply = await bot.send(curator, f"{STEP} — 26.11.2026")
    assert "до 26.11.2026" in reply.text
    await bot.press(curator, texts.BUTTON_DONE)
    await bot.press(curator, texts.BUTTON_DONE)
    reply = await bot.press(curator, texts.BUTTON_SAVE)
    assert texts.VISIT_SAVED in reply.text


async def test_reminded_done_from_the_reminder_and_gone_from_overdue(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    await _record_visit_by_taps(bot)
    curator = await bot.login(SMIRNOVA)
    director = await bot.login(DIRECTOR_17)
    # Two days past the date, 10:00 in Yekaterinburg: reminded (caught up), and overdue.
    bot.clock.set(datetime(2026, 11, 28, 5, 0, tzinfo=UTC))
    async with session_factory() as session:
        assert await visit_reminders.follow_up_sweep(session, bot.clock()) == 2
        await session.commit()
    assert bot.application is not None
    await OutboxSender(bot.application.bot, session_factory, bot.clock).drain()
    reminder = bot.fake.last_message(director.id)
    assert reminder is not None and STEP in reminder.plain_text
    assert reminder.button_texts[:2] == [texts.BUTTON_FOLLOW_UP_DONE, texts.BUTTON_SNOOZE_1]

    overdue = await bot.send(curator, "/overdue")
    assert "Просроченные договорённости" in overdue.text and STEP in overdue.text
    assert "просрочено на 2 дн." in overdue.text
    digest = await bot.send(curator, "/digest")
    assert "договорённостей просрочено 1" in digest.text

    reply = await bot.press(director, texts.BUTTON_FOLLOW_UP_DONE)
    assert texts.FOLLOW_UP_DONE in reply.text
    async with session_factory() as session:
        step = (await session.scalars(select(VisitFollowUp))).one()
        director_id = (await person_named(session, DIRECTOR_17)).id
        assert step.done_at == bot.clock() and step.done_by_person_id == director_id
        told = (
            await session.scalars(
                select(Notification.text).where(Notification.dedupe_key.like("followup-done %"))
            )
        ).all()
        assert "followup.done" in (await session.scalars(select(AuditRecord.action))).all()
    assert len(told) == 1 and "Гареева" in told[0]  # the curator hears of it

    overdue = await bot.send(curator, "/overdue")
    assert STEP not in overdue.text
    digest = await bot.send(curator, "/digest")
    assert "договорённостей просрочено" not in digest.text
    # A second tap on the same reminder (the curator's copy) says it is done already.
    again = await bot.press(curator, texts.BUTTON_FOLLOW_UP_DONE)
    assert again.alerts == [texts.ERRORS["followup_already_done"]]

    # The optional evidence: a comment, then a file.
    reply = await bot.press(director, texts.BUTTON_FOLLOW_UP_COMMENT)
    assert texts.FOLLOW_UP_COMMENT_ASK in reply.text
    reply = await bot.send_sticker(director)
    assert texts.FOLLOW_UP_COMMENT_EXPECTED in reply.text
    reply = await bot.send(director, "я" * 10_000)
    assert texts.error("text_too_long", length=10_000, limit=2000) in reply.text
    reply = await bot.send(director, "Педсовет проведён 27.11, протокол № 4")
    assert texts.FOLLOW_UP_COMMENT_SAVED in reply.text
    await bot.press(director, texts.BUTTON_FOLLOW_UP_COMMENT)
    await bot.restart()  # the comment asked for survives a restart
    reply = await bot.send_document(director, "протокол.pdf", b"%PDF-1.4", "application/pdf")
    assert texts.FOLLOW_UP_COMMENT_SAVED in reply.text
    async with session_factory() as session:
        step = (await session.scalars(select(VisitFollowUp))).one()
    assert step.done_comment == "Педсовет проведён 27.11, протокол № 4"
    assert step.done_file_id


async def _visit_with_steps(factory: SessionFactory, school: str, *steps: tuple[str, date]) -> None:
    async with factory() as session:
        curator = await person_named(session, SMIRNOVA)
        target = await school_named(session, school)
        visit = Visit(
            curator_person_id=curator.id,
            school_id=target.id,
            visit_date=date(2026, 11, 2),
            format=VisitFormat.ON_SITE,
            purpose="Консультация",
        )
        session.add(visit)
        await session.flush()
        session.add_all(
            VisitFollowUp(visit_id=visit.id, what=what, due_date=due) for what, due in steps
        )
        roadmap = Roadmap(school_id=target.id, year=2026)
        session.add(roadmap)
        await session.flush()
        session.add(RoadmapItem(roadmap_id=roadmap.id, number="1", measure="Педсовет"))
        await session.commit()


async def _step_id(factory: SessionFactory, what: str) -> int:
    async with factory() as session:
        found = await session.scalar(select(VisitFollowUp.id).where(VisitFollowUp.what == what))
    assert found is not None
    return found


async def test_done_from_the_card_and_roadmap_first_on_the_next_visit(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    await _visit_with_steps(
        session_factory,
        "СШ № 17",
        ("Разработать ИОМ для неуспевающих", date(2026, 11, 20)),
        ("Провести открытые уроки", date(2026, 12, 10)),
    )
    curator = await bot.login(SMIRNOVA)
    director = await bot.login(DIRECTOR_17)

    # The next /visit to the school starts with what is still open.
    await bot.send(curator, "/visit")
    reply = await bot.press(curator, "СШ № 17")
    shown = [m.plain_text for m in reply.messages]
    first = next(i for i, t in enumerate(shown) if "Открытые договорённости" in t)
    assert "Разработать ИОМ" in shown[first] and "Провести открытые уроки" in shown[first]
    assert first < next(i for i, t in enumerate(shown) if texts.VISIT_CHOOSE_DATE in t)
    await bot.send(curator, "/cancel")

    # The school card lists them (the late one marked) and the school marks one done there.
    card = await bot.send(director, "/school 17")
    assert texts.FOLLOW_UPS_SECTION in card.text
    assert "просрочено на 4 дн." in card.text
    reply = await bot.press(director, "✅ Разработать ИОМ для неуспевающих")
    assert texts.FOLLOW_UP_DONE in reply.text

    # /roadmap shows the one left; the curator marks it done there.
    roadmap = await bot.send(curator, "/roadmap")
    roadmap = await bot.press(curator, "СШ № 17")
    assert "Провести открытые уроки" in roadmap.text
    assert "Разработать ИОМ" not in roadmap.text
    reply = await bot.press(curator, "✅ Провести открытые уроки")
    assert texts.FOLLOW_UP_DONE in reply.text

    async with session_factory() as session:
        done = (await session.scalars(select(VisitFollowUp).order_by(VisitFollowUp.id))).all()
        curator_id = (await person_named(session, SMIRNOVA)).id
    assert all(step.done_at is not None for step in done)
    assert done[1].done_by_person_id == curator_id
    card = await bot.send(director, "/school 17")
    assert texts.FOLLOW_UPS_SECTION not in card.text
    await bot.send(curator, "/visit")
    reply = await bot.press(curator, "СШ № 17")
    assert "Открытые договорённости" not in reply.text


async def test_another_schools_follow_up_is_refused(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    await _visit_with_steps(session_factory, "Лицей № 9", ("Шаг лицея", date(2026, 11, 20)))
    step = await _step_id(session_factory, "Шаг лицея")
    director_17 = await bot.login(DIRECTOR_17)
    other_curator = await bot.login(TELYATNIKOV)
    for user in (director_17, other_curator):
        anchor = (await bot.send(user, "/help")).last.message_id
        for data in (f"fu:d:{step}", f"fu:c:{step}"):
            reply = await bot.press_data(user, anchor, data)
            assert reply.alerts == [texts.ERRORS["followup_not_yours"]], data
            assert "Шаг лицея" not in reply.everything
    anchor = (await bot.send(director_17, "/help")).last.message_id
    missing = await bot.press_data(director_17, anchor, "fu:d:999999")
    assert missing.alerts == [texts.ERRORS["followup_not_found"]]
    async with session_factory() as session:
        row = await session.get(VisitFollowUp, step)
        assert row is not None and row.done_at is None
        pending = await session.scalar(
            select(Notification.id).where(Notification.state == NotificationState.CANCELLED)
        )
    assert pending is None
    # The lyceum's own director may; a coordinator may not (not in the table).
    lyceum = await bot.login(DIRECTOR_9)
    anchor = (await bot.send(lyceum, "/help")).last.message_id
    reply = await bot.press_data(lyceum, anchor, f"fu:d:{step}")
    assert texts.FOLLOW_UP_DONE in reply.text
    coordinator = await bot.login(PLOTNIKOVA)
    anchor = (await bot.send(coordinator, "/help")).last.message_id
    refused = await bot.press_data(coordinator, anchor, f"fu:c:{step}")
    assert refused.alerts == [texts.REFUSED]

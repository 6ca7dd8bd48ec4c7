"""A returned report's thread: the curator returns, the school answers with text and a
file, the curator is told and reads the thread, puts it on hold, accepts; the history
keeps every step. Forged thread ids are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import (
    ItemStatus,
    ProgressReport,
    ReviewMessage,
    ReviewState,
    Roadmap,
    RoadmapItem,
)
from bot.scheduler.sender import OutboxSender
from tests.support.factories import person_named, school_named
from tests.support.harness import BotHarness
from tests.support.personas import DIRECTOR_9, DIRECTOR_17, SMIRNOVA, TELYATNIKOV


async def _pending_report(factory: SessionFactory) -> tuple[int, int]:
    async with factory() as session:
        school = await school_named(session, "СШ № 17")
        director = await person_named(session, DIRECTOR_17)
        roadmap = Roadmap(school_id=school.id, year=2026)
        session.add(roadmap)
        await session.flush()
        item = RoadmapItem(
            roadmap_id=roadmap.id,
            number="3",
            measure="Педсовет по итогам ВПР",
            due_date=date(2026, 12, 15),
        )
        session.add(item)
        await session.flush()
        report = ProgressReport(
            item_id=item.id,
            author_person_id=director.id,
            status=ItemStatus.DONE,
            done_text="Педсовет проведён",
            submitted_at=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
        )
        session.add(report)
        await session.commit()
        return report.id, item.id


async def _drain(bot: BotHarness, factory: SessionFactory) -> None:
    assert bot.application is not None
    await OutboxSender(bot.application.bot, factory, bot.clock).drain()


async def _state(factory: SessionFactory, report_id: int) -> ReviewState:
    async with factory() as session:
        report = await session.get(ProgressReport, report_id)
        assert report is not None
        return report.review_state


async def test_returned_report_thread_to_acceptance(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    report_id, item_id = await _pending_report(session_factory)
    curator = await bot.login(SMIRNOVA)
    director = await bot.login(DIRECTOR_17)

    await bot.send(curator, "/review")
    await bot.press(curator, texts.BUTTON_RETURN)
    reply = await bot.send(curator, "Нет протокола педсовета")
    assert texts.REVIEW_RETURNED in reply.text
    await _drain(bot, session_factory)
    notice = bot.fake.last_message(director.id)
    assert notice is not None and "возвращён" in notice.plain_text
    assert texts.BUTTON_THREAD_ANSWER in notice.button_texts

    # The school answers the return with a message, then with a file — not a new report.
    reply = await bot.press(director, texts.BUTTON_THREAD_ANSWER)
    assert texts.THREAD_WRITE_ASK in reply.text
    reply = await bot.send_sticker(director)
    assert texts.THREAD_EXPECTED in reply.text
    reply = await bot.send(director, "я" * 10_000)
    assert texts.error("text_too_long", length=10_000, limit=2000) in reply.text
    reply = await bot.send(director, "Протокол прикладываем, <подписан> & заверен")
    assert texts.THREAD_SENT in reply.text
    await bot.press(director, texts.BUTTON_THREAD_ANSWER)
    await bot.restart()  # the open thread reply survives a restart
    reply = await bot.send_document(
        director, "протокол.pdf", b"%PDF-1.4", "application/pdf", caption="Протокол № 4"
    )
    assert texts.THREAD_SENT in reply.text
    async with session_factory() as session:
        assert len((await session.scalars(select(ProgressReport))).all()) == 1
    assert await _state(session_factory, report_id) == ReviewState.RETURNED

    # The curator is told of each message and reads the whole thread with the file.
    before = len(bot.fake.messages_to(curator.id))
    await _drain(bot, session_factory)
    told = bot.fake.messages_to(curator.id)[before:]
    assert len(told) == 2 and all("Гареева" in m.plain_text for m in told)
    assert "📎 приложен файл" in told[1].plain_text
    reply = await bot.press(curator, texts.BUTTON_THREAD_OPEN)
    assert "вернул(а): Нет протокола педсовета" in reply.text
    assert "Протокол прикладываем, <подписан> & заверен" in reply.text
    assert "Протокол № 4 📎 документ" in reply.text
    assert "Состояние: возвращено" in reply.text
    assert any(m.method == "sendDocument" for m in reply.messages)
    assert texts.BUTTON_HOLD in reply.messages[0].button_texts

    reply = await bot.press(curator, texts.BUTTON_HOLD)
    assert texts.REVIEW_ON_HOLD in reply.text
    assert await _state(session_factory, report_id) == ReviewState.ON_HOLD
    await _drain(bot, session_factory)
    held = bot.fake.last_message(director.id)
    assert held is not None and "на паузу" in held.plain_text

    # The curator writes back in the thread; the school is told.
    await bot.press(curator, texts.BUTTON_THREAD_WRITE)
    reply = await bot.send(curator, "Жду подпись директора")
    assert texts.THREAD_SENT in reply.text
    await _drain(bot, session_factory)
    last = bot.fake.last_message(director.id)
    assert last is not None and "Жду подпись директора" in last.plain_text

    queue = await bot.send(curator, "/review")
    assert "На паузе" in queue.text
    reply = await bot.press(curator, texts.BUTTON_ACCEPT)
    assert texts.REVIEW_ACCEPTED in reply.text
    assert await _state(session_factory, report_id) == ReviewState.ACCEPTED
    async with session_factory() as session:
        item = await session.get(RoadmapItem, item_id)
        assert item is not None and item.status == ItemStatus.DONE
        states = (
            await session.scalars(
                select(ReviewMessage.state)
                .where(ReviewMessage.state.is_not(None))
                .order_by(ReviewMessage.id)
            )
        ).all()
    assert states == ["returned", "on_hold", "accepted"]

    anchor = (await bot.send(director, "/help")).last.message_id
    history = await bot.press_data(director, anchor, f"rm:h:{item_id}")
    text = history.text
    order = [
        "отчёт (выполнено): Педсовет проведён",
        "возвращено (выполнено): Нет протокола",
        "сообщение: Протокол прикладываем, <подписан> & заверен",
        "Протокол № 4 📎 документ",
        "на паузе",
        "Жду подпись директора",
        "принято",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions), text
    again = await bot.press_data(curator, anchor_of(bot, curator), f"rm:hd:{report_id}")
    assert again.alerts == [texts.ERRORS["roadmap_report_not_holdable"]]


def anchor_of(bot: BotHarness, user) -> int:  # type: ignore[no-untyped-def]
    message = bot.fake.last_message(user.id)
    assert message is not None
    return message.message_id


async def test_forged_thread_ids_are_refused(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    bot = demo
    report_id, _ = await _pending_report(session_factory)
    cases = [
        (DIRECTOR_9, f"rm:tm:{report_id}", texts.ERRORS["thread_not_yours"]),
        (DIRECTOR_9, f"rm:th:{report_id}", texts.ERRORS["school_out_of_scope"]),
        (DIRECTOR_17, f"rm:hd:{report_id}", texts.REFUSED),
        (TELYATNIKOV, f"rm:tm:{report_id}", texts.ERRORS["thread_not_yours"]),
        (TELYATNIKOV, f"rm:hd:{report_id}", texts.ERRORS["roadmap_review_only_curator"]),
        (DIRECTOR_17, "rm:tm:999999", texts.ERRORS["roadmap_report_not_found"]),
        (SMIRNOVA, "rm:th:999999", texts.ERRORS["roadmap_report_not_found"]),
    ]
    for name, data, refusal in cases:
        user = await bot.login(name)
        anchor = (await bot.send(user, "/help")).last.message_id
        reply = await bot.press_data(user, anchor, data)
        assert reply.alerts == [refusal], (name, data)
        assert "Педсовет" not in reply.everything
        # Nothing to type into: a refused thread opens no conversation.
        after = await bot.send(user, "Просто текст")
        assert texts.THREAD_SENT not in after.text
    async with session_factory() as session:
        assert (await session.scalars(select(ReviewMessage))).all() == []
    assert await _state(session_factory, report_id) == ReviewState.PENDING

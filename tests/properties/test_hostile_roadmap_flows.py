"""Roadmap conversations with hostile input at every text step: a school's report, a new
item, an item's field, a curator's return comment, and the import's file steps.

One bot per test serves all examples (see test_hostile_visit_flow.py); each example begins
with /cancel and checks that what it left unfinished stored nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.handlers.roadmaps.roadmap_import import IMPORT, NEW
from bot.handlers.roadmaps.roadmap_progress import DRAFT as REPORT_DRAFT
from bot.models import ProgressReport, ReviewState, Roadmap, RoadmapItem
from bot.scheduler.sender import OutboxSender
from tests.support.harness import BotHarness, Reply
from tests.support.hostile import ErrorLog, Hostile, Walk, hostile_inputs, one_bot, with_classics
from tests.support.personas import CURATOR_17, DIRECTOR_17
from tests.support.roadmap_files import seed_plan_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ONE_BOT = one_bot(max_examples=25)


@pytest.fixture
async def imported(demo: BotHarness, session_factory: SessionFactory) -> int:
    """СШ № 17's roadmap, imported through the chat; the id of its first item."""
    director = await demo.login(DIRECTOR_17)
    await demo.send(director, "/import")
    await demo.send_document(director, "plan.xlsx", seed_plan_xlsx(), XLSX)
    await demo.press(director, texts.BUTTON_UPLOAD)
    async with session_factory() as session:
        return int(
            (
                await session.scalars(
                    select(RoadmapItem.id).order_by(RoadmapItem.position).limit(1)
                )
            ).one()
        )


async def _count(factory: SessionFactory, model: type, *where) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _open_report(bot: BotHarness, walk: Walk, user, item_id: int) -> None:  # type: ignore[no-untyped-def]
    listing = await walk.begin("/roadmap")
    walk.check(await bot.press_data(user, listing.last.message_id, f"rm:rep:{item_id}"), "open")


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_every_report_step_answers_hostile_input_safely(
    demo: BotHarness,
    imported: int,
    session_factory: SessionFactory,
    logged_errors: ErrorLog,
    value: Hostile,
) -> None:
    director = await demo.login(DIRECTOR_17)
    walk = Walk(demo, director, value, logged_errors)
    await _open_report(demo, walk, director, imported)
    press = demo.press
    await walk.step("status", valid=lambda: press(director, "в работе"))
    await walk.step("percent", valid=lambda: press(director, "50%"))
    await walk.step("done text", moved_on=texts.REPORT_EVIDENCE, valid="Начали анализ")
    await walk.step("evidence", valid=lambda: press(director, texts.BUTTON_DONE))
    await walk.step("confirm")
    assert await _count(session_factory, ProgressReport) == 0  # nothing before «Отправить»
    walk.check(await demo.send(director, "/cancel"), "cancel")
    await walk.assert_no_draft(REPORT_DRAFT)
    assert await _count(session_factory, ProgressReport) == 0


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_new_item_steps_answer_hostile_input_safely(
    demo: BotHarness,
    imported: int,
    session_factory: SessionFactory,
    logged_errors: ErrorLog,
    value: Hostile,
) -> None:
    director = await demo.login(DIRECTOR_17)
    walk = Walk(demo, director, value, logged_errors)
    items = await _count(session_factory, RoadmapItem)
    await walk.begin("/item_new")
    await walk.step("measure", moved_on=texts.ITEM_NEW_DEADLINE, valid="Педсовет по итогам")
    assert await _count(session_factory, RoadmapItem) == items  # nothing before the deadline
    # The deadline is the last step: accepted, the item is stored with both answers.
    await walk.step("deadline", moved_on="добавлено", valid="до 01.09.2027")
    assert await _count(session_factory, RoadmapItem) == items + 1
    await walk.assert_no_draft(NEW)
    walk.check(await demo.press(director, texts.BUTTON_OPEN_ITEM), "card of the new item")


@ONE_BOT
@with_classics(field="measure")
@given(value=hostile_inputs(), field=st.sampled_from(list(texts.ITEM_EDIT_FIELDS)))
async def test_item_edit_answers_hostile_input_safely(
    demo: BotHarness,
    imported: int,
    session_factory: SessionFactory,
    logged_errors: ErrorLog,
    value: Hostile,
    field: str,
) -> None:
    director = await demo.login(DIRECTOR_17)
    walk = Walk(demo, director, value, logged_errors)
    listing = await walk.begin("/roadmap")
    reply = await demo.press_data(director, listing.last.message_id, f"rm:ef:{imported}:{field}")
    walk.check(reply, f"edit {field}")
    # Accepted, the card follows (with the new value, escaped); refused, the question stays.
    if not await walk.step(field, moved_on=texts.ITEM_EDITED):
        walk.check(await demo.send(director, "/cancel"), "cancel")
    await walk.assert_no_draft("roadmap_edit")


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_return_comment_answers_hostile_input_safely(
    demo: BotHarness,
    imported: int,
    session_factory: SessionFactory,
    logged_errors: ErrorLog,
    value: Hostile,
) -> None:
    """The value as the school's text and link, shown to the curator in /review, then as
    the curator's comment, sent back to the school."""
    director = await demo.login(DIRECTOR_17)
    curator = await demo.login(CURATOR_17)
    school = Walk(demo, director, value, logged_errors)
    await _open_report(demo, school, director, imported)
    await demo.press(director, "выполнено")
    await demo.press(director, texts.PERCENT_SKIP)
    await school.step("done text", moved_on=texts.REPORT_EVIDENCE, valid="Сделано")
    if value.kind == "text":
        link = f"https://example.org/?q={value.text}"[:4000]
        school.check(await demo.send(director, link), "evidence link")
    await demo.press(director, texts.BUTTON_DONE)
    school.check(await demo.press(director, texts.BUTTON_SEND), "send")
    pending = ProgressReport.review_state == ReviewState.PENDING
    assert await _count(session_factory, ProgressReport, pending) == 1

    walk = Walk(demo, curator, value, logged_errors)
    queue = await walk.begin("/review")  # the school's text and link, escaped
    message = next(m for m in queue.messages if texts.BUTTON_RETURN in m.button_texts)
    reply = await demo.press_data(curator, message.message_id, message.callback_data("Вернуть"))
    walk.check(reply, "return")
    if not await walk.step("comment", moved_on=texts.REVIEW_RETURNED):
        assert await _count(session_factory, ProgressReport, pending) == 1  # still waiting
        walk.check(await demo.send(curator, "Добавьте фото"), "valid comment")
    assert await _count(session_factory, ProgressReport, pending) == 0
    await walk.assert_no_draft("roadmap_returning")

    assert demo.application is not None
    told = len(demo.fake.messages_to(director.id))
    await OutboxSender(demo.application.bot, session_factory, demo.clock).drain()
    notices = demo.fake.messages_to(director.id)[told:]
    assert notices, "the school was not told"
    school.check(Reply(messages=notices), "returned notice")
    history = await demo.press_data(director, notices[-1].message_id, f"rm:h:{imported}")
    school.check(history, "history")


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_import_steps_answer_hostile_input_safely(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    director = await demo.login(DIRECTOR_17)
    walk = Walk(demo, director, value, logged_errors)
    await walk.begin("/import")
    await walk.step(
        "file", valid=lambda: demo.send_document(director, "plan.xlsx", seed_plan_xlsx(), XLSX)
    )
    await walk.step("preview")
    assert await _count(session_factory, RoadmapItem) == 0  # nothing before «Загрузить»
    assert await _count(session_factory, Roadmap) == 0
    walk.check(await demo.send(director, "/cancel"), "cancel")
    await walk.assert_no_draft(IMPORT)

"""/visit with hostile input at every step, through the real bot and the fake Bot API.

One bot serves all examples of a test (a fresh one per example would take minutes): each
example starts the conversation anew and ends it with /cancel, and the test checks that
nothing of it stayed behind, which is also what makes the examples independent.
"""

from __future__ import annotations

from hypothesis import given, settings
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory
from bot.handlers.visits.visit_prompts import DRAFT
from bot.models import Visit
from bot.scheduler.sender import OutboxSender
from tests.support.harness import BotHarness, Reply
from tests.support.hostile import (
    ErrorLog,
    Hostile,
    Walk,
    assert_answered_safely,
    assert_shown_literally,
    hostile_inputs,
    hostile_texts,
    one_bot,
    with_classics,
)
from tests.support.personas import DIRECTOR_17, SMIRNOVA

ONE_BOT = one_bot(max_examples=25)


async def _visits(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(Visit.id))) or 0)


@ONE_BOT
@with_classics()
@given(value=hostile_inputs())
async def test_every_visit_step_answers_hostile_input_safely(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    curator = await demo.login(SMIRNOVA)
    walk = Walk(demo, curator, value, logged_errors)
    press = demo.press
    await walk.begin("/visit")
    await walk.step("school", valid=lambda: press(curator, "СШ № 17"))
    if not await walk.step("date", moved_on=texts.VISIT_CHOOSE_FORMAT):
        walk.check(await press(curator, texts.BUTTON_TODAY), "today")
    await walk.step("format", valid=lambda: press(curator, "Другое"))
    await walk.step("format other", moved_on=texts.VISIT_PURPOSE, valid="Методический десант")
    await walk.step("purpose", moved_on=texts.VISIT_PARTICIPANTS, valid="Тема")
    await walk.step("participants", valid=lambda: press(curator, "Педагоги"))
    await press(curator, texts.PARTICIPANT_LABELS["other"])
    walk.check(await press(curator, texts.BUTTON_DONE), "participants done")
    await walk.step("participants other", moved_on=texts.VISIT_FINDINGS, valid="Родители")
    taken = await walk.step("findings", moved_on=texts.VISIT_RECOMMENDATIONS, valid="Выявлено")
    await walk.step("recommendations", moved_on="договорённост", valid="Рекомендовано")
    await walk.step("next steps", valid="Провести педсовет — 15.12.2026")
    if value.kind == "text" and value.text.strip():
        # The value as the «what» of a next step: echoed back at once, so it must be escaped.
        walk.check(await demo.send(curator, f"{value.text[:1900]} — 15.12.2026"), "next step")
    walk.check(await press(curator, texts.BUTTON_DONE), "next steps done")
    await walk.step("attachments", valid=lambda: press(curator, texts.BUTTON_DONE))
    card = demo.fake.last_message(curator.id)
    assert card is not None and "Проверьте" in card.plain_text, card
    if taken:
        assert_shown_literally(card.plain_text, value)
    await walk.step("summary", valid=lambda: press(curator, texts.BUTTON_CHANGE))
    await walk.step("which field", valid=lambda: press(curator, "Выявлено"))
    await walk.step("findings again", moved_on="Проверьте посещение", valid="Выявлено снова")
    # /visit over the unfinished draft asks first; the question wants a button too.
    walk.check(await demo.send(curator, "/visit"), "/visit again")
    await walk.step("resume?", valid=lambda: press(curator, texts.BUTTON_RESUME))
    assert await _visits(session_factory) == 0  # nothing stored before «Сохранить»

    walk.check(await demo.send(curator, "/cancel"), "cancel")
    await walk.assert_no_draft(DRAFT)
    assert await _visits(session_factory) == 0


@settings(ONE_BOT, max_examples=15)
@with_classics()
@given(value=hostile_texts())
async def test_a_visit_saved_with_hostile_text_is_shown_and_sent_escaped(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    """Past the card: the saved visit's card in /visits and the notices to the school and
    the coordinators carry the text escaped, and Telegram accepts every one of them."""
    curator = await demo.login(SMIRNOVA)
    director = await demo.login(DIRECTOR_17)
    walk = Walk(demo, curator, value, logged_errors)
    press = demo.press
    await walk.begin("/visit")
    await press(curator, "СШ № 17")
    await press(curator, texts.BUTTON_TODAY)
    await press(curator, "Выезд в школу")
    await walk.step("purpose", moved_on=texts.VISIT_PARTICIPANTS, valid="Тема")
    await press(curator, "Педагоги")
    await press(curator, texts.BUTTON_DONE)
    taken = await walk.step("findings", moved_on=texts.VISIT_RECOMMENDATIONS, valid="Выявлено")
    await walk.step("recommendations", moved_on="договорённост", valid="Рекомендовано")
    await press(curator, texts.BUTTON_DONE)
    await press(curator, texts.BUTTON_DONE)
    visits_before = await _visits(session_factory)
    walk.check(await press(curator, texts.BUTTON_SAVE), "save")
    assert await _visits(session_factory) == visits_before + 1

    listing = walk.check(await demo.send(curator, "/visits"), "/visits")
    newest = listing.last.buttons[0][0][1]
    card = walk.check(await demo.press_data(curator, listing.last.message_id, newest), "card")
    if taken:
        assert_shown_literally(card.text, value)
    assert demo.application is not None
    sender = OutboxSender(demo.application.bot, session_factory, demo.clock)
    told = len(demo.fake.messages_to(director.id))
    await sender.drain()
    assert demo.fake.errors == [], demo.fake.errors
    assert logged_errors.records == [], logged_errors.describe()
    notices = demo.fake.messages_to(director.id)[told:]
    assert notices, "the school was not told"
    for notice in notices:
        assert_answered_safely(Reply(messages=[notice]), demo.fake, logged_errors, sent=value)

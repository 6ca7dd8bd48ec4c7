"""Every field at its longest, in characters that grow when escaped: each card, queue and
notice still goes out as one message Telegram accepts (the visit's is in
test_visits_edges.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import texts
from bot.db import SessionFactory
from bot.scheduler.sender import OutboxSender
from bot.services.events.events import MAX_TEXT, MAX_TITLE
from bot.services.roadmaps.roadmap_reports import MAX_REPORT_TEXT
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, assert_answered_safely
from tests.support.personas import GAREEVA, PLOTNIKOVA, SMIRNOVA
from tests.support.roadmap_files import seed_plan_xlsx

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def longest(limit: int) -> str:
    """`limit` characters, a third of them `<` and `&` (four or five times longer escaped)."""
    return ("<&ы" * limit)[:limit]


async def _deliver(bot: BotHarness, session_factory: SessionFactory) -> None:
    assert bot.application is not None
    await OutboxSender(bot.application.bot, session_factory, bot.clock).drain()


async def test_an_event_with_every_field_at_its_longest(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    coordinator = await demo.login(PLOTNIKOVA)
    curator = await demo.login(SMIRNOVA)
    await demo.send(coordinator, "/event_new")
    await demo.press(coordinator, "Семинар")
    await demo.send(coordinator, longest(MAX_TITLE))
    await demo.send(coordinator, "01.12.2026 10:00")
    await demo.send(coordinator, "90")
    await demo.send(coordinator, longest(MAX_TEXT))  # the place
    await demo.send(coordinator, longest(MAX_TEXT))  # the goal
    await demo.press(coordinator, texts.EVENT_AUDIENCE_LABELS["curators"])
    await demo.press(coordinator, texts.BUTTON_NO_LIMIT)
    card = await demo.send(coordinator, longest(MAX_TEXT))  # the description
    assert_answered_safely(card, demo.fake, logged_errors)
    assert texts.BUTTON_PUBLISH in card.last.button_texts
    published = await demo.press(coordinator, texts.BUTTON_PUBLISH)
    assert texts.EVENT_PUBLISHED in published.text
    await _deliver(demo, session_factory)
    listing = await demo.send(curator, "/events")
    assert_answered_safely(listing, demo.fake, logged_errors)
    shown = await demo.press_data(curator, listing.last.message_id, listing.last.buttons[0][0][1])
    assert_answered_safely(shown, demo.fake, logged_errors)


async def test_a_report_with_every_field_at_its_longest(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    director = await demo.login(GAREEVA)
    curator = await demo.login(SMIRNOVA)
    await demo.send(director, "/import")
    await demo.send_document(director, "plan.xlsx", seed_plan_xlsx(), XLSX)
    await demo.press(director, texts.BUTTON_UPLOAD)
    listing = await demo.send(director, "/roadmap")
    item = listing.last.buttons[0][0][1].rsplit(":", 1)[1]
    await demo.press_data(director, listing.last.message_id, f"rm:rep:{item}")
    await demo.press(director, "в работе")
    await demo.press(director, "50%")
    await demo.send(director, longest(MAX_REPORT_TEXT))
    for n in range(10):
        await demo.send(director, f"https://example.org/{n}/" + longest(1000))
    summary = await demo.press(director, texts.BUTTON_DONE)
    assert_answered_safely(summary, demo.fake, logged_errors)
    sent = await demo.press(director, texts.BUTTON_SEND)
    assert texts.REPORT_SENT in sent.text
    await _deliver(demo, session_factory)

    queue = await demo.send(curator, "/review")
    assert_answered_safely(queue, demo.fake, logged_errors)
    await demo.press(curator, texts.BUTTON_RETURN)
    returned = await demo.send(curator, longest(MAX_REPORT_TEXT))
    assert texts.REVIEW_RETURNED in returned.text
    await _deliver(demo, session_factory)
    history = await demo.press_data(director, listing.last.message_id, f"rm:h:{item}")
    assert_answered_safely(history, demo.fake, logged_errors)
    card = await demo.press_data(director, listing.last.message_id, f"rm:o:{item}")
    assert_answered_safely(card, demo.fake, logged_errors)

"""One busy person never holds up everyone else (issue 15, parts 1–2), end to end.

- a slow upload in one chat while another chat's command is answered, with the uploader
  told «Обрабатываю файл…» and shown the preview once the parse is done;
- a flooder warned once, their throttled updates not handled, everyone else answered;
- a 429 on one chat's reply delays that chat only.

Nothing here sleeps: the slow parse (in a worker process) waits on a socket the test
answers after the other chat's answer came (tests/support/gated_work.py); the flood
gate's clock is held still, so the flood is one streak.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.updates import message_json, text_content
from bot.handlers import protection
from bot.handlers.roadmaps import roadmap_import as roadmap_import_handlers
from bot.lanes import ChatLanes
from bot.models import BotStateEntry
from bot.persistence import HELD_REPLIES, INBOX, DatabasePersistence
from tests.support.bot_fixtures import DEMO_NOW
from tests.support.factories import load_demo_data
from tests.support.gated_work import Gate
from tests.support.harness import PROCESS_TIMEOUT, BotHarness
from tests.support.personas import COORDINATOR, DIRECTOR_17
from tests.support.roadmap_files import messy_plan_xlsx

StateKeyChange = tuple[tuple[str, str], Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BURST = 3


async def _harness(
    fake: FakeTelegram, factory: SessionFactory, url: str, **options: object
) -> BotHarness:
    async with factory() as session:
        await load_demo_data(session)
        await session.commit()
    # The parse workers start with the bot, as in production.
    overrides = {"file_workers_at_start": True}
    harness = BotHarness(fake, factory, url, settings_overrides=overrides, **options)  # type: ignore[arg-type]
    harness.clock.set(DEMO_NOW)
    await harness.start()
    return harness


@pytest.fixture
async def noticing(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> AsyncIterator[BotHarness]:
    """The demo bot that says «Обрабатываю файл…» for any parse it has to wait for."""
    harness = await _harness(fake_telegram, session_factory, database_url, file_notice_after=0.0)
    yield harness
    await harness.stop()
    assert fake_telegram.errors == [], fake_telegram.errors


@pytest.fixture
async def strict(
    fake_telegram: FakeTelegram, session_factory: SessionFactory, database_url: str
) -> AsyncIterator[BotHarness]:
    harness = await _harness(fake_telegram, session_factory, database_url, flood_burst=BURST)
    yield harness
    await harness.stop()


def test_the_application_runs_updates_in_chat_lanes(noticing: BotHarness) -> None:
    assert noticing.application is not None
    lanes = noticing.application.update_processor
    assert isinstance(lanes, ChatLanes)
    assert lanes.max_running > 1
    assert lanes.admission is not None  # flood control decides before the lane


async def test_a_slow_upload_in_one_chat_while_another_chat_is_answered(
    noticing: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = noticing
    director = await bot.login(DIRECTOR_17)
    coordinator = await bot.login(COORDINATOR)
    await bot.send(director, "/import")
    pool = bot.application.bot_data["runtime"].workers  # type: ignore[union-attr]
    assert pool.started  # with the application: the first upload does not wait for it

    async with Gate() as gate:
        real_read = roadmap_import_handlers.read_roadmap
        monkeypatch.setattr(roadmap_import_handlers, "read_roadmap", gate.wrap(real_read))
        upload = asyncio.create_task(
            bot.send_document(director, "plan.xlsx", messy_plan_xlsx(), XLSX)
        )
        pid, parsing = await asyncio.wait_for(gate.arrived(), PROCESS_TIMEOUT)
        # The parse runs in a worker process, not in the bot's own.
        assert pid != os.getpid() and pid in {p.pid for p in pool.processes()}
        # The director's parse is still waiting: the coordinator is served meanwhile.
        reply = await bot.send(coordinator, "/whoami")
        assert COORDINATOR in reply.text
        assert not upload.done()
        await bot.fake.wait_for(
            lambda: any(m.text == texts.FILE_PROCESSING for m in bot.fake.messages_to(director.id)),
            PROCESS_TIMEOUT,
        )
        await gate.release(parsing)
        reply = await upload
    assert reply.messages[0].text == texts.FILE_PROCESSING
    assert "Дорожная карта: СШ № 17, 2023/24 учебный год" in reply.last.plain_text


async def test_a_parse_over_its_budget_is_killed_and_the_person_told(
    fake_telegram: FakeTelegram,
    session_factory: SessionFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await _harness(fake_telegram, session_factory, database_url, file_notice_after=0.0)
    try:
        settings = bot.application.bot_data["runtime"].settings  # type: ignore[union-attr]
        settings.file_time_budget = 2.0  # the work itself never ends: killed at 2 s
        pool = bot.application.bot_data["runtime"].workers  # type: ignore[union-attr]
        director = await bot.login(DIRECTOR_17)
        await bot.send(director, "/import")
        async with Gate() as gate:
            real_read = roadmap_import_handlers.read_roadmap
            monkeypatch.setattr(roadmap_import_handlers, "read_roadmap", gate.wrap(real_read))
            upload = asyncio.create_task(
                bot.send_document(director, "plan.xlsx", messy_plan_xlsx(), XLSX)
            )
            stuck_pid, _never_released = await asyncio.wait_for(gate.arrived(), PROCESS_TIMEOUT)
            reply = await upload
        assert reply.messages[0].text == texts.FILE_PROCESSING
        assert texts.ERRORS["file_too_heavy"] in reply.text
        assert texts.roadmap_imported(7, 0) not in reply.text
        # The stuck worker was killed, and a fresh one took its place.
        alive = {p.pid for p in pool.processes()}
        assert stuck_pid not in alive and len(alive) == pool.size
        assert (await bot.send(director, "/cancel")).messages  # the chat is not stuck
        # The next upload is parsed as usual by the pool.
        monkeypatch.undo()
        settings.file_time_budget = 120.0
        await bot.send(director, "/import")
        reply = await bot.send_document(director, "plan.xlsx", messy_plan_xlsx(), XLSX)
        assert "Дорожная карта: СШ № 17, 2023/24 учебный год" in reply.last.plain_text
    finally:
        await bot.stop()
    assert pool.processes() == []  # stopped with the application


async def test_a_flooder_is_warned_once_and_everyone_else_is_answered(
    strict: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = strict
    monkeypatch.setattr(protection, "_now", lambda: 1_000.0)  # one streak, however slow
    flooder = bot.stranger("Флудер")
    others = [bot.stranger(f"Гость {n}") for n in range(5)]
    ids = []
    for n in range(40):
        ids.append(bot.fake.send_text(flooder, "/help"))
        if n % 8 == 0:
            ids.append(bot.fake.send_text(others[n // 8], "/help"))
    for update_id in ids:
        await bot._await_processed(update_id)

    to_flooder = [m.text for m in bot.fake.messages_to(flooder.id)]
    assert to_flooder.count(texts.SLOW_DOWN) == 1
    answered = [t for t in to_flooder if t != texts.SLOW_DOWN]
    assert len(answered) == BURST  # the other 37 were dropped, not handled
    assert to_flooder[-1] == texts.SLOW_DOWN  # the warning after the answers, in order
    for other in others:
        texts_seen = [m.text for m in bot.fake.messages_to(other.id)]
        assert texts_seen and texts.SLOW_DOWN not in texts_seen
        assert texts_seen == [answered[0]]


async def test_flooded_updates_are_never_written_to_the_inbox(
    strict: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flood control decides as a batch arrives: what it drops costs no inbox write ahead
    of the others in the batch, and is never replayed after a restart."""
    bot = strict
    written: list[str] = []
    real_write = DatabasePersistence.write_in

    async def spying_write(
        self: DatabasePersistence, session: AsyncSession, changes: Iterable[StateKeyChange]
    ) -> None:
        changes = list(changes)
        # Updates written on receipt (not the rows that later hold an update's replies).
        written.extend(
            key
            for (namespace, key), data in changes
            if namespace == INBOX and data and HELD_REPLIES not in data
        )
        await real_write(self, session, changes)

    monkeypatch.setattr(DatabasePersistence, "write_in", spying_write)
    monkeypatch.setattr(protection, "_now", lambda: 1_000.0)  # one streak, however slow
    flooder, other = bot.stranger("Флудер"), bot.stranger("Гость")
    flood = [bot.fake.send_text(flooder, "/help") for _ in range(30)]
    others = [bot.fake.send_text(other, "/help") for _ in range(2)]
    for update_id in flood + others:
        await bot._await_processed(update_id)

    kept = flood[:BURST] + others
    assert sorted(int(key) for key in written) == sorted(kept)  # the 27 dropped: never
    to_flooder = [m.text for m in bot.fake.messages_to(flooder.id)]
    assert to_flooder.count(texts.SLOW_DOWN) == 1
    assert len(bot.fake.messages_to(other.id)) == 2

    await bot.restart()  # nothing of the flood is queued again
    async with bot.session_factory() as session:
        left = await session.scalars(
            select(BotStateEntry.key).where(BotStateEntry.namespace == INBOX)
        )
        assert list(left) == []
    assert [m.text for m in bot.fake.messages_to(flooder.id)] == to_flooder


async def test_a_429_on_one_chat_delays_only_that_chat(strict: BotHarness) -> None:
    bot = strict
    slow, quick = bot.stranger("Медленный"), bot.stranger("Быстрый")
    # Telegram asks the bot to wait 4 s before the slow chat's reply (replies.deliver waits
    # up to 5 s and sends again): that wait happens in the slow chat's lane only.
    bot.fake.inject_fault("sendMessage", 429, "Too Many Requests: retry after 4", retry_after=4)
    slow_id = bot.fake.send_text(slow, "/help")
    await bot.fake.wait_for(lambda: bot.fake.stats["injected_faults"] == 1, PROCESS_TIMEOUT)
    reply = await bot.send(quick, "/help")
    assert reply.messages
    assert bot.fake.messages_to(slow.id) == []  # still waiting out its 429
    await bot._await_processed(slow_id)
    assert [m.text for m in bot.fake.messages_to(slow.id)] == [reply.messages[0].text]


async def test_on_the_webhook_path_flooded_updates_are_never_written_either(
    strict: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook hands each update to the queue one at a time (bot/webhook.py): the
    verdict taken there, before the update is written down, keeps a flood out of the inbox."""
    bot = strict
    written: list[int] = []
    real_record = DatabasePersistence.record_received

    async def spying_record(self: DatabasePersistence, update_id: int, data: Any) -> None:
        written.append(update_id)
        await real_record(self, update_id, data)

    monkeypatch.setattr(DatabasePersistence, "record_received", spying_record)
    monkeypatch.setattr(protection, "_now", lambda: 1_000.0)  # one streak, however slow
    flooder = bot.stranger("Флудер")
    application = bot.application
    assert application is not None
    ids = list(range(9_000_000, 9_000_030))
    for number, update_id in enumerate(ids):
        payload = {
            "update_id": update_id,
            "message": message_json(flooder, 50_000 + number, **text_content("/help")),
        }
        # What bot/webhook.py does with a parsed body.
        await application.update_queue.put(Update.de_json(payload, application.bot))
    for update_id in ids:
        await bot._await_processed(update_id)

    assert written == ids[:BURST]  # the 27 dropped: never written down
    to_flooder = [m.text for m in bot.fake.messages_to(flooder.id)]
    assert to_flooder.count(texts.SLOW_DOWN) == 1
    assert len(to_flooder) == BURST + 1

"""Replies after the commit, by construction (handlers/guard.py, handlers/replies.py).

A guarded handler's replies are held while it works and sent once its unit of work has
committed: a handler that fails after `answer()` shows the user only the error, a commit
that fails sends no «сохранено», and what a reply announces is already visible to anyone.
The probes are small handlers put in front of the bot's own for these tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Message, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.db import SessionFactory
from bot.handlers import replies
from bot.handlers.guard import guarded
from bot.handlers.replies import acknowledge, answer, later
from bot.models import Region
from bot.runtime import BotContext
from bot.services.errors import DomainError
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog

SMIRNOVA = "Смирнова Светлана Анатольевна"  # a curator of the demo
SAID = "Проба: сохранено."
PROBE_REGION = "Регион для проверки"

Probe = Callable[[Update, BotContext], Awaitable[Any]]


def _install(bot: BotHarness, command: str, probe: Probe) -> None:
    """The probe as the first handler of group 0, ahead of the «unknown command» fallback."""
    assert bot.application is not None
    bot.application.handlers[0].insert(0, CommandHandler(command, guarded("whoami")(probe)))


async def _regions(factory: SessionFactory, name: str = PROBE_REGION) -> int:
    async with factory() as session:
        count = await session.scalar(select(func.count(Region.id)).where(Region.name == name))
        return int(count or 0)


async def test_a_handler_that_fails_after_answering_shows_only_the_error(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async def probe(update: Update, context: BotContext) -> None:
        context.session.add(Region(name=PROBE_REGION))
        await answer(update, SAID)
        raise DomainError("not_found")

    _install(demo, "probe", probe)
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/probe")
    assert SAID not in reply.everything
    assert reply.text == texts.error("not_found")
    assert len(reply.messages) == 1
    assert await _regions(session_factory) == 0  # rolled back


async def test_an_unexpected_failure_after_answering_shows_only_the_internal_error(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    async def probe(update: Update, context: BotContext) -> None:
        context.session.add(Region(name=PROBE_REGION))
        await answer(update, SAID)
        await later(lambda: answer(update, SAID))
        raise RuntimeError("a bug after the reply")

    _install(demo, "probe", probe)
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/probe")
    assert SAID not in reply.everything
    assert reply.text == texts.INTERNAL_ERROR
    assert await _regions(session_factory) == 0
    assert logged_errors.records  # the error handler logged the bug


async def test_the_reply_leaves_only_when_its_data_is_visible_from_another_session(
    demo: BotHarness, session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_when_sent: list[int] = []
    sent_before_return: list[int] = []
    send = replies.deliver_now

    async def watching(*args: Any, **kwargs: Any) -> Message | None:
        seen_when_sent.append(await _regions(session_factory))
        return await send(*args, **kwargs)

    monkeypatch.setattr(replies, "deliver_now", watching)

    async def probe(update: Update, context: BotContext) -> None:
        # No commit here: the guard commits, then sends.
        context.session.add(Region(name=PROBE_REGION))
        await context.session.flush()
        await answer(update, SAID)
        await answer(update, SAID + " Второе.")
        sent_before_return.append(len(seen_when_sent))

    _install(demo, "probe", probe)
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/probe")
    assert [m.text for m in reply.messages] == [SAID, SAID + " Второе."]  # in order
    assert sent_before_return == [0]  # nothing left while the handler worked
    assert seen_when_sent == [1, 1]  # each reply saw the committed row


async def test_a_failing_commit_sends_no_saved_reply(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog
) -> None:
    async with session_factory() as session:
        session.add(Region(name=PROBE_REGION))
        await session.commit()

    async def probe(update: Update, context: BotContext) -> None:
        # Not flushed: the unique name fails only at the guard's commit.
        context.session.add(Region(name=PROBE_REGION))
        await answer(update, SAID)
        await acknowledge(update, SAID)

    _install(demo, "probe", probe)
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/probe")
    assert SAID not in reply.everything
    assert reply.text == texts.INTERNAL_ERROR
    assert await _regions(session_factory) == 1
    assert logged_errors.records


async def test_a_handler_that_needs_the_sent_message_gets_it_after_the_commit(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    received: list[tuple[int, int]] = []

    async def probe(update: Update, context: BotContext) -> None:
        context.session.add(Region(name=PROBE_REGION))

        async def remember(message: Message | None) -> None:
            assert message is not None
            received.append((message.message_id, await _regions(session_factory)))

        assert await answer(update, SAID, then=remember) is None  # held, not sent yet
        assert received == []

    _install(demo, "probe", probe)
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/probe")
    assert received == [(reply.last.message_id, 1)]


async def test_outside_a_guarded_handler_replies_go_at_once(
    demo: BotHarness,
) -> None:
    curator = await demo.login(SMIRNOVA)
    reply = await demo.send(curator, "/nosuchcommand")  # the unguarded fallback
    assert reply.text == texts.UNKNOWN_COMMAND


async def test_the_outbox_sends_in_order_and_drops_on_demand() -> None:
    said: list[str] = []

    async def say(word: str) -> None:
        said.append(word)

    outbox = replies.Outbox()
    with replies.holding(outbox):
        await later(lambda: say("первое"))
        await later(lambda: say("второе"))
    assert said == [] and len(outbox) == 2
    await later(lambda: say("сразу"))  # no outbox any more: at once
    await outbox.send()
    assert said == ["сразу", "первое", "второе"]
    with replies.holding(outbox):
        await later(lambda: say("никогда"))
    outbox.drop()
    await outbox.send()
    assert said == ["сразу", "первое", "второе"]

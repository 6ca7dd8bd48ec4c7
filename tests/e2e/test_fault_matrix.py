"""Every main flow × every way Telegram fails under its decisive step.

One row per (flow, fault) where the flow's step calls the faulted method: the change is
stored exactly once, the user is never told «не сохранено» about something saved, a reply
is never delivered twice, a second tap stores nothing more, and the bot answers the next
update normally. Flows: tests/support/flows.py; faults: tests/support/faults.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeTelegram
from bot.handlers import replies
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.faults import FAULTS, READ_TIMEOUT, Fault
from tests.support.flows import FLOWS, Flow, notifications
from tests.support.harness import BotHarness

CASES = [
    pytest.param(flow, fault, id=f"{flow.name} | {fault.name}")
    for flow in FLOWS
    for fault in FAULTS
    if fault.method in flow.methods
]


@pytest.fixture
async def impatient_bot(
    fake_telegram: FakeTelegram,
    session_factory: SessionFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[BotHarness]:
    """The bot with a short request timeout and retry pause, so timeouts cost little."""
    monkeypatch.setattr(replies, "RETRY_PAUSE", 0.05)
    harness = BotHarness(
        fake_telegram,
        session_factory,
        database_url,
        admin_ids=[ADMIN_TELEGRAM_ID],
        read_timeout=READ_TIMEOUT,
    )
    await harness.start()
    yield harness
    await harness.stop()
    assert fake_telegram.errors == [], fake_telegram.errors


async def _stored(bot: BotHarness, flow: Flow) -> int:
    async with bot.session_factory() as session:
        return await flow.stored(session)


def _deliveries(bot: BotHarness, chat_id: int, text: str) -> int:
    """Messages in the chat that show `text` (each send or edit counted once per message)."""
    return len(
        {
            (m.message_id, m.plain_text)
            for m in bot.fake.messages_to(chat_id)
            if text and text in m.plain_text
        }
    )


@pytest.mark.parametrize(("flow", "fault"), CASES)
async def test_flow_survives_fault(impatient_bot: BotHarness, flow: Flow, fault: Fault) -> None:
    bot = impatient_bot
    user = await flow.prepare(bot)
    before = await _stored(bot, flow)
    sent_before = len(bot.fake.messages_to(user.id))

    fault.inject(bot.fake)
    reply = await flow.act(bot, user)
    await bot.settle()  # a timed-out request may still land: count it

    assert await _stored(bot, flow) == before + flow.adds
    assert texts.INTERNAL_ERROR not in reply.everything
    new = bot.fake.messages_to(user.id)[sent_before:]
    sends = [m for m in new if not m.edited]
    assert len({(m.method, m.plain_text) for m in sends}) == len(sends), "a reply came twice"
    if fault.reply_survives and flow.success:
        assert any(flow.success in "\n".join([m.plain_text, *m.button_texts]) for m in new)
    queued = await notifications(bot.session_factory)

    if flow.again is not None:
        again = await flow.again(bot, user)
        assert texts.INTERNAL_ERROR not in again.everything
        assert await _stored(bot, flow) == before + flow.adds
        assert await notifications(bot.session_factory) == queued

    after = await bot.send(user, "/whoami")
    assert after.text and texts.INTERNAL_ERROR not in after.text

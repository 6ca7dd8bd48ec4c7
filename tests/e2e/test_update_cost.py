"""What one update costs: SQL statements, commits and Telegram calls, so they do not creep back.

The script is bench.updates' (commands, the visit form, a cancel, lists, a press, /help),
one curator, one update at a time after a warm-up cycle. The ceilings are today's figures
(below); a change that needs more must say why there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.updates import PRESS, SCRIPT
from bot import persistence
from bot.fake_bot_api.records import FakeUser
from tests.support.harness import BotHarness
from tests.support.personas import SMIRNOVA


@dataclass
class Cost:
    statements: list[str] = field(default_factory=list)
    parameters: list[object] = field(default_factory=list)
    commits: int = 0


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Cost]:
    cost = Cost()

    def statement(
        _connection: object, _cursor: object, text: str, parameters: object, *_args: object
    ) -> None:
        cost.statements.append(text)
        cost.parameters.append(parameters)

    def commit(_connection: object) -> None:
        cost.commits += 1

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", statement)
    event.listen(sync_engine, "commit", commit)
    try:
        yield cost
    finally:
        event.remove(sync_engine, "before_cursor_execute", statement)
        event.remove(sync_engine, "commit", commit)


async def _script(bot: BotHarness, user: FakeUser) -> int:
    for step in SCRIPT:
        if step == PRESS:
            last = bot.fake.last_message(user.id)
            assert last is not None and last.buttons, "the script expects buttons here"
            await bot.press_data(user, last.message_id, last.buttons[0][0][1])
        else:
            await bot.send(user, step)
    return len(SCRIPT)


def _api_calls(bot: BotHarness) -> int:
    return sum(count for method, count in bot.fake.stats.items() if method != "getUpdates")


async def test_one_update_costs_at_most_so_many_statements_commits_and_calls(
    demo: BotHarness, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows of sent replies go with the next update's write; their own write comes only
    # after RELEASE_DELAY without traffic, which a loaded machine can reach between two
    # steps of the script: a commit the updates do not cost. Not counted here.
    monkeypatch.setattr(persistence, "RELEASE_DELAY", 3600.0)
    curator = await demo.login(SMIRNOVA)
    await _script(demo, curator)  # warm-up: menus published, caches filled
    calls_before = _api_calls(demo)
    with counting(engine) as cost:
        updates = await _script(demo, curator)
    calls = (_api_calls(demo) - calls_before) / updates
    statements = len(cost.statements) / updates
    commits = cost.commits / updates
    assert statements <= STATEMENTS_PER_UPDATE, (statements, cost.statements)
    assert commits <= COMMITS_PER_UPDATE, commits
    assert calls <= API_CALLS_PER_UPDATE, (calls, demo.fake.stats)


async def test_a_batch_of_updates_is_fetched_once_and_recorded_in_one_statement(
    demo: BotHarness, engine: AsyncEngine
) -> None:
    users = [demo.fake.user(800_000 + n, first_name="Гость") for n in range(10)]
    with counting(engine) as cost:
        # All ten arrive before the bot's long poll is answered: one batch.
        update_ids = [demo.fake.send_text(user, "/help") for user in users]
        for update_id in update_ids:
            await demo._await_processed(update_id)
    receipts = [
        parameters
        for text, parameters in zip(cost.statements, cost.parameters, strict=True)
        if "INSERT INTO bot_state" in text and '"update_id"' in str(parameters)
    ]
    # One executemany for the whole batch on receipt, so one poll brought all ten (each
    # update's own commit then replaces its row by its held replies, and a later write
    # deletes it). The next poll may begin at once: a lane is free (tests/
    # test_batched_polling.py), so how many there were depends on the machine's speed.
    assert len(receipts) == 1, receipts
    assert len(receipts[0]) == 10, receipts  # type: ignore[arg-type]
    for user in users:
        assert demo.fake.messages_to(user.id), "every one of the batch was answered"


# Measured, the same on SQLite and PostgreSQL, one update at a time (so each fetch brings
# one update): per update the actor (1), the handler's own queries (≈1.5 on average over
# the script), the inbox row on receipt (1), and in the update's one unit of work the state
# with the inbox row replaced by the held replies (one upsert) and the deletion of the
# previous update's row, its replies sent (one delete; under load one delete carries many).
# Commits: the inbox row on receipt and the update's one unit of work (was 3: the handler's
# work and the state were two). API calls: a press is answer + edit + the next question.
# 45 → 47 statements per script when two features landed: the school's open next steps
# under its roadmap page (follow-ups) and the school's time zone for «Сегодня» in the
# visit form (local dates) — one query each, not a growth per row. 47 → 53 with one unit
# of work per update: the held replies' row is deleted by a statement of its own.
# 53 → 47 when queries asked twice in one update were dropped: /start takes the guard's
# actor, /help needs only the roles (not the scope names and schools of /whoami), the visit
# form's first question reuses the school list, and its date step asks «today» once.
# 47 → 48: the open follow-ups shown when a visit starts are overdue by the school's own
# date (its zone, one query), not by UTC's.
STATEMENTS_PER_UPDATE = 48 / 9
COMMITS_PER_UPDATE = 2.0
API_CALLS_PER_UPDATE = 14 / 9

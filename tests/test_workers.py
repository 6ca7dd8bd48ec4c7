"""The parse workers (bot/workers.py): processes of their own, killed past the budget,
capped in memory, stopped with the pool. Marked slow: each test starts Pythons."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import AsyncIterator

import pytest

from bot.services.roadmaps.roadmap_import import ImportRefused, read_roadmap
from bot.workers import OverBudget, WorkerPool, _serve
from tests.support.gated_work import Gate, echo, environment, grab, stuck

pytestmark = pytest.mark.slow
BUDGET = 60.0  # far more than any of these calls needs; the over-budget test sets its own


@pytest.fixture
async def pool() -> AsyncIterator[WorkerPool]:
    workers = WorkerPool(size=1, memory_mb=512)
    workers.start()
    yield workers
    workers.close()
    assert workers.processes() == []


async def test_work_runs_in_another_process_and_comes_back_as_plain_data(
    pool: WorkerPool,
) -> None:
    assert await pool.run(os.getpid, budget=BUDGET) != os.getpid()
    assert await pool.run(echo, ({"a": [1, 2]},), budget=BUDGET) == {"a": [1, 2]}


async def test_the_works_own_refusal_comes_back_with_its_code_and_the_worker_goes_on(
    pool: WorkerPool,
) -> None:
    pid = await pool.run(os.getpid, budget=BUDGET)
    with pytest.raises(ImportRefused) as refused:
        await pool.run(read_roadmap, (b"not a table", "plan.pdf", None, {}), budget=BUDGET)
    assert refused.value.code
    assert await pool.run(os.getpid, budget=BUDGET) == pid  # the same worker


async def test_work_over_its_budget_is_killed_and_replaced(pool: WorkerPool) -> None:
    before = {p.pid for p in pool.processes()}
    with pytest.raises(OverBudget):
        await pool.run(stuck, budget=0.3)
    after = {p.pid for p in pool.processes()}
    assert len(after) == 1 and after.isdisjoint(before)
    assert await pool.run(echo, (7,), budget=BUDGET) == 7


async def test_work_over_the_memory_cap_fails_there_and_the_worker_is_replaced(
    pool: WorkerPool,
) -> None:
    pid = await pool.run(os.getpid, budget=BUDGET)
    with pytest.raises(MemoryError):
        await pool.run(grab, (2048,), budget=BUDGET)  # 2 GiB against a 512 MiB cap
    assert await pool.run(os.getpid, budget=BUDGET) != pid
    assert await pool.run(grab, (16,), budget=BUDGET) == 16 * 1024 * 1024


async def test_calls_beyond_the_pool_size_wait_for_a_worker(pool: WorkerPool) -> None:
    results = await asyncio.gather(*(pool.run(echo, (n,), budget=BUDGET) for n in range(5)))
    assert results == list(range(5))
    assert len(pool.processes()) == 1


async def test_a_pool_started_lazily_and_closed_leaves_no_process() -> None:
    workers = WorkerPool(size=2, memory_mb=512)
    assert workers.processes() == []
    assert await workers.run(echo, ("x",), budget=BUDGET) == "x"
    processes = workers.processes()
    assert len(processes) == 2
    workers.close()
    assert all(not p.is_alive() for p in processes)


async def test_a_worker_has_no_token_or_database_url_in_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:hunter2@db/bot")
    monkeypatch.setenv("PGPASSWORD", "hunter2")
    workers = WorkerPool(size=1, memory_mb=512)
    workers.start()
    try:
        seen = await workers.run(environment, budget=BUDGET)
    finally:
        workers.close()
    assert not {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "PGPASSWORD"} & set(seen)
    assert seen["PATH"] == os.environ["PATH"]  # the rest is as the bot's


async def test_a_worker_whose_bot_was_killed_mid_call_ends_quietly() -> None:
    # The kill loop saw it: a SIGKILLed bot's worker finished its parse, could not send the
    # answer, tried to send that error too and died with two tracebacks in the bot's log.
    context = multiprocessing.get_context("spawn")
    bot_end, worker_end = context.Pipe()
    worker = context.Process(target=_serve, args=(worker_end, None, (), ()))
    worker.start()
    worker_end.close()
    assert bot_end.recv() == "ready"
    async with Gate() as gate:
        bot_end.send((gate.wrap(echo), ("parsed",), {}))
        _pid, writer = await gate.arrived()
        bot_end.close()  # the bot is gone while the work runs
        await gate.release(writer)
        await asyncio.to_thread(worker.join, 60)
    assert worker.exitcode == 0

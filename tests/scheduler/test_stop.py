"""A job still running when the bot stops is cancelled after the grace period, quietly."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.scheduler import _tracked


async def test_a_job_cancelled_by_the_stop_ends_with_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    running: set[asyncio.Task[Any]] = set()
    started = asyncio.Event()

    async def slow_sweep() -> int:
        started.set()
        await asyncio.Event().wait()  # never set: only the stop ends it
        return 1

    task = asyncio.create_task(_tracked(running, slow_sweep)())
    await started.wait()
    assert running == {task}
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        task.cancel()
        # APScheduler would log a job that raised CancelledError with its traceback.
        assert await task is None
    assert running == set()
    assert [record.getMessage() for record in caplog.records] == [
        "slow_sweep cancelled by the stop; the next start runs it again"
    ]
    assert all(record.exc_info is None for record in caplog.records)

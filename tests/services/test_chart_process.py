"""The progress chart drawn in its own process (bot/reports/chart.py, issue 15's memory)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest

from bot.reports.chart import ChartProcess, progress_chart_png

ROWS = [("СШ № 1", 3, 10), ("Лицей № 9", 0, 0), ("СШ № 17", 5, 5)]


@pytest.fixture
def worker() -> Iterator[ChartProcess]:
    process = ChartProcess()
    yield process
    process.close()


async def test_the_drawing_process_draws_what_this_process_would(worker: ChartProcess) -> None:
    png = await worker.draw(ROWS)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == progress_chart_png(ROWS)
    assert worker.running
    assert await worker.draw(ROWS[:1]) != png  # the same process draws the next one


async def test_a_failed_drawing_is_raised_and_the_process_goes_on(worker: ChartProcess) -> None:
    with pytest.raises(RuntimeError, match="chart drawing failed"):
        await worker.draw([("СШ № 1", "три", 10)])  # type: ignore[list-item]
    assert (await worker.draw(ROWS))[:4] == b"\x89PNG"


async def test_a_killed_drawing_process_is_started_again(worker: ChartProcess) -> None:
    await worker.draw(ROWS)
    process = worker._process
    assert process is not None
    process.kill()
    process.wait()
    assert (await worker.draw(ROWS))[:4] == b"\x89PNG"
    assert worker._process is not process


async def test_the_process_ends_when_idle_and_starts_on_the_next_chart() -> None:
    worker = ChartProcess(idle_seconds=0.01)
    closed = threading.Event()
    close = worker.close

    def noted_close() -> None:
        close()
        closed.set()

    worker.close = noted_close  # type: ignore[method-assign]
    try:
        await worker.draw(ROWS)
        process = worker._process
        assert process is not None
        assert closed.wait(timeout=30)
        assert not worker.running and process.returncode is not None
        assert (await worker.draw(ROWS))[:4] == b"\x89PNG"
    finally:
        close()


def test_the_drawing_process_ends_quietly_when_the_bot_is_gone() -> None:
    """Killed while a chart was drawn, the bot leaves no reader: the drawer returns instead
    of printing a BrokenPipeError into the bot's log."""
    import json
    import os

    from bot.reports.chart import _write_frame, serve

    requests = io.BytesIO()
    request = {"rows": [["СШ № 17", 1, 2]], "labels": ["Школа", "Ход работ"]}
    _write_frame(requests, json.dumps(request).encode())
    requests.seek(0)
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read the answer
    with os.fdopen(write_end, "wb") as answers:
        serve(requests, answers)  # returns; does not raise

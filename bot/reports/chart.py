"""A PNG bar chart of roadmap progress per school, for phones: one bar per school.

The bot draws through `draw_progress_chart`: in a separate process (`python -m
bot.reports.chart`, which alone imports matplotlib) that stays while charts keep coming and ends
IDLE_SECONDS after the last. matplotlib's import (~40 MB) and the heap it leaves behind
(another ~2 MB a chart, not given back to the system) go with that process: a bot that has
drawn the Monday digests for every coordinator idles as small as one that has drawn nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn (it is slow to import)
    from matplotlib.figure import Figure

# Telegram refuses photos whose width + height exceed 10,000 px or whose sides differ more than
# 20 times; 60 bars at 120 dpi make about 770 × 3,400 px. Callers pass the schools that matter.
MAX_BARS = 60


def progress_chart_png(
    rows: list[tuple[str, int, int]], labels: tuple[str, str] | None = None
) -> bytes:
    """rows: (school, accepted, total). Bars show the accepted share, labelled «7/25».

    Only the first MAX_BARS rows are drawn (the title says how many were left out).
    labels: (axis, title), chart_labels(len(rows)) by default.
    """
    from matplotlib import pyplot

    figure = build_progress_figure(rows, labels)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def chart_labels(count: int) -> tuple[str, str]:
    """The axis and the title of a chart of `count` rows. bot.texts is imported here, not by
    the module: the drawing process gets the words with the rows and never imports it
    (with what it imports, ~38 MB)."""
    from bot import texts

    return texts.CHART_AXIS, texts.chart_title(max(0, count - MAX_BARS))


def build_progress_figure(
    rows: list[tuple[str, int, int]], labels: tuple[str, str] | None = None
) -> Figure:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot

    axis, title = labels if labels is not None else chart_labels(len(rows))
    rows = rows[:MAX_BARS]
    names = [name for name, _, _ in rows][::-1]
    shares = [(done / total * 100 if total else 0.0) for _, done, total in rows][::-1]
    counts = [f"{done}/{total}" for _, done, total in rows][::-1]
    height = max(2.5, 0.45 * len(rows) + 1.2)
    figure, axes = pyplot.subplots(figsize=(6.4, height), dpi=120)
    bars = axes.barh(names, shares, color="#2e7d32")
    axes.set_xlim(0, 100)
    axes.set_xlabel(axis)
    axes.set_title(title)
    for bar, label in zip(bars, counts, strict=True):
        axes.text(
            min(bar.get_width() + 1, 88),
            bar.get_y() + bar.get_height() / 2,
            label,
            va="center",
            fontsize=8,
        )
    figure.tight_layout()
    return figure


IDLE_SECONDS = 30.0  # the drawing process ends this long after its last chart


class ChartProcess:
    """One drawing process (`python -m bot.reports.chart`), started on demand, shared by every
    caller one chart at a time, ended when idle. A plain child process on pipes, not
    multiprocessing: that would keep a resource-tracker process (~13 MB) for good."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._timer: threading.Timer | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    async def draw(self, rows: list[tuple[str, int, int]]) -> bytes:
        """progress_chart_png(rows), drawn in the drawing process (waited for in a thread)."""
        return await asyncio.to_thread(self.draw_now, rows)

    def draw_now(self, rows: list[tuple[str, int, int]]) -> bytes:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            try:
                try:
                    return _exchange(self._started(), rows)
                except (BrokenPipeError, EOFError):  # it died (killed, out of memory): once more
                    self._stop()
                    return _exchange(self._started(), rows)
            finally:
                self._timer = threading.Timer(self.idle_seconds, self.close)
                self._timer.daemon = True
                self._timer.start()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            from bot.config import without_secrets  # the bot's, loaded; not in the drawer

            environment = without_secrets(os.environ)  # it needs none of the bot's settings
            root = str(Path(__file__).resolve().parents[2])  # where the `bot` package lives
            environment["PYTHONPATH"] = os.pathsep.join(
                p for p in (root, environment.get("PYTHONPATH")) if p
            )
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot.reports.chart"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        return self._process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()  # end of input: the process returns from serve()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()

    def close(self) -> None:
        """End the process (after a chart in progress); the next draw starts another."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._stop()


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError
    size = struct.unpack(">I", head)[0]
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return payload


def _exchange(process: subprocess.Popen[bytes], rows: list[tuple[str, int, int]]) -> bytes:
    assert process.stdin is not None and process.stdout is not None
    request = {"rows": rows, "labels": chart_labels(len(rows))}
    _write_frame(process.stdin, json.dumps(request).encode())
    answer = _read_frame(process.stdout)
    if answer[:1] != b"P":  # «E» and the error's text: drawing failed, the process lives on
        raise RuntimeError(f"chart drawing failed: {answer[1:].decode(errors='replace')}")
    return answer[1:]


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The drawing process: a frame of JSON (rows, labels) in, a frame of «P» + PNG out,
    until EOF. After each chart the freed heap goes back to the system (glibc's malloc_trim):
    without it the process grew by ~2 MB a chart, 260 digest charts made it ~160 MB."""
    trim = _malloc_trim()
    while True:
        try:
            request = json.loads(_read_frame(requests))
        except EOFError:
            return
        try:
            rows = [(str(n), int(a), int(t)) for n, a, t in request["rows"]]
            axis, title = request["labels"]
            answer = b"P" + progress_chart_png(rows, (str(axis), str(title)))
        except Exception as error:  # reported to the caller, who raises it
            answer = b"E" + repr(error).encode()
        try:
            _write_frame(answers, answer)
        except BrokenPipeError:
            return  # the bot is gone (killed while a chart was drawn): nothing to answer
        if trim is not None:
            trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)  # glibc only (not musl, not macOS)


charts = ChartProcess()


async def draw_progress_chart(rows: list[tuple[str, int, int]]) -> bytes:
    """The progress chart as PNG, drawn out of this process (see the module's docstring)."""
    return await charts.draw(rows)


if __name__ == "__main__":
    # The frames keep the real stdout; anything printed while drawing goes to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)

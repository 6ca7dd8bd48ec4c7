"""After start-up the garbage collector no longer walks what start-up made (bot/app.py).

In a fresh interpreter: freezing in the test process would keep every later test's cycles.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import gc
from bot.app import freeze_start_up_objects
cycle = []; cycle.append(cycle); del cycle  # start-up garbage: collected, not frozen
freeze_start_up_objects()
frozen = gc.get_freeze_count()
tracked = len(gc.get_objects())
made_later = [[] for _ in range(1000)]
freeze_start_up_objects()  # a leader promoted again: nothing more is frozen
print(frozen, tracked, gc.get_freeze_count())
"""


def test_start_up_objects_are_frozen_once_per_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    frozen, tracked_after, frozen_again = map(int, done.stdout.split())
    assert frozen > 10_000  # the bot's modules, classes and handlers
    assert tracked_after < 100  # a full collection walks next to nothing
    assert frozen_again == frozen

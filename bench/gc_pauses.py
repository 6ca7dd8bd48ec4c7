"""Time this process has spent in the garbage collector, for `bench.updates --trace`."""

from __future__ import annotations

import gc
import time


class GcClock:
    """Adds up the collector's pauses since `install`: their seconds, count and longest."""

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0
        self.longest = 0.0
        self._started = 0.0

    def install(self) -> GcClock:
        gc.callbacks.append(self._on_collection)
        return self

    def summary(self) -> str:
        return (
            f"{self.count} collections, {self.total * 1000:.0f} ms in all,"
            f" the longest {self.longest * 1000:.1f} ms"
        )

    def _on_collection(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.total += pause
        self.count += 1
        self.longest = max(self.longest, pause)

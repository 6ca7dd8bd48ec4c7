"""Per-user flood control: a token bucket per Telegram user, in memory.

A person tapping fast (a burst of a few updates) is fine; a client sending dozens a second
is slowed down without affecting anyone else.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGate:
    def __init__(self, rate_per_second: float = 3.0, burst: int = 10, max_users: int = 50_000):
        self.rate = rate_per_second
        self.burst = burst
        self.max_users = max_users
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def admit(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(admitted, warn): warn is True once per flood, to tell the user; the flood ends
        when the user has been quiet long enough for the burst to refill."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[user_id] = bucket
            if len(self._buckets) > self.max_users:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(user_id)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= self.burst:
                # Calm long enough to refill the whole burst: a new flood is a new streak.
                # (An update let through mid-flood by the refill does not end the streak,
                # or a steady flooder would be told off every few messages.)
                bucket.warned = False
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn


class RecentUpdates:
    """Update ids seen lately: Telegram may deliver one update twice (webhook retries)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

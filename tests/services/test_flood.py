"""Flood control slows one noisy user and nobody else; duplicates are recognised."""

from __future__ import annotations

from bot.services.access.flood import FloodGate, RecentUpdates


def test_burst_then_throttle_then_recover() -> None:
    gate = FloodGate(rate_per_second=2, burst=5)
    results = [gate.admit(1, now=0.0) for _ in range(100)]
    admitted = [ok for ok, _ in results]
    warnings = [warn for _, warn in results]
    assert admitted.count(True) == 5
    assert warnings.count(True) == 1  # told once per streak, not a hundred times
    assert gate.admit(1, now=1.0) == (True, False)  # two tokens back after a second


def test_a_steady_flood_is_told_once_and_a_new_flood_after_calm_again() -> None:
    gate = FloodGate(rate_per_second=3, burst=20)
    results = [gate.admit(1, now=n / 20) for n in range(200)]  # 200 messages in 10 s
    assert [warn for _, warn in results].count(True) == 1
    assert 20 < [ok for ok, _ in results].count(True) < 60  # the burst plus the refill
    calm = 10.0 + 20 / 3 + 0.1  # quiet until the whole burst is back
    results = [gate.admit(1, now=calm + n / 20) for n in range(100)]
    assert [warn for _, warn in results].count(True) == 1


def test_other_users_are_not_slowed() -> None:
    gate = FloodGate(rate_per_second=1, burst=3)
    for _ in range(50):
        gate.admit(1, now=0.0)
    assert all(gate.admit(2, now=0.0)[0] for _ in range(3))


def test_recent_updates_forgets_oldest() -> None:
    recent = RecentUpdates(size=3)
    assert [recent.first_time(i) for i in (1, 2, 1, 3, 4, 5)] == [
        True,
        True,
        False,
        True,
        True,
        True,
    ]
    assert recent.first_time(1) is True  # evicted, so seen as new

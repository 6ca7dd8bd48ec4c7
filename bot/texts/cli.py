"""Lines the command line prints (not the bot's chat)."""

from __future__ import annotations

# ---------------------------------------------------------------- seed-demo (issue 13 part 4)


def demo_activity_loaded(
    roadmaps: int, items: int, reports: int, visits: int, risk_entries: int, assignments: int
) -> str:
    """The CLI's line after `seed-demo`: what the living part of the demo added this time."""
    if not (roadmaps or items or reports or visits or risk_entries or assignments):
        return "Дорожные карты, посещения и рисковые профили демо-школ уже загружены — ничего не добавлено."
    return (
        f"Добавлено для демо-школ: дорожных карт — {roadmaps} (пунктов — {items}, "
        f"отчётов — {reports}), посещений — {visits}, записей рисковых профилей — {risk_entries}, "
        f"закреплений кураторов на текущий учебный год — {assignments}."
    )

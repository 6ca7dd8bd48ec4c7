"""A newcomer's first look at the living demo, through the fake Telegram."""

from __future__ import annotations

from bot.db import SessionFactory
from bot.seed.activity import load_demo_activity
from tests.support.bot_fixtures import DEMO_NOW
from tests.support.harness import BotHarness


async def test_a_coordinator_sees_a_municipality_at_work(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_activity(session, now=DEMO_NOW)
        await session.commit()
    coordinator = await demo.login("Плотникова Тамара Андреевна")
    reply = await demo.send(coordinator, "/summary")
    summary = reply.messages[0].plain_text
    assert "Сводка на 24.11.2026 — школ: 7" in summary
    # The school with the most overdue items comes first.
    assert summary.index("СШ № 60") < summary.index("СШ № 51") < summary.index("Лицей № 9")
    assert "СШ № 60: 7/25 принято, ⚠️ 8 просроч., 📝 1 на проверке" in summary
    assert "Лицей № 9: 6/13 принято, ⚠️ 1 просроч., 📝 1 на проверке" in summary
    assert "СШ № 35: 3/13 принято, ⚠️ 4 просроч." in summary
    assert "посещение 45 дн. назад; куратор: Телятников Александр Юрьевич" in summary
    assert "высокие риски: 1, 5, 9" in summary
    assert "0/0" not in summary
    assert reply.messages[1].method == "sendPhoto"
    overdue = (await demo.send(coordinator, "/overdue")).text
    assert "Просрочено: 29" in overdue
    assert "Скорректировать дорожную карту" not in overdue  # accepted in every school

"""A newcomer's first look at the living demo, through the fake Telegram."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.db import SessionFactory
from bot.seed.activity import load_demo_activity
from tests.support.bot_fixtures import DEMO_NOW
from tests.support.harness import BotHarness
from tests.support.personas import PLOTNIKOVA, SMIRNOVA, TELYATNIKOV, ZYKOVA


async def test_a_coordinator_sees_a_municipality_at_work(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_activity(session, now=DEMO_NOW)
        await session.commit()
    coordinator = await demo.login(PLOTNIKOVA)
    reply = await demo.send(coordinator, "/summary")
    summary = reply.messages[0].plain_text
    assert "Сводка на 24.11.2026 — школ: 7" in summary
    # The school with the most overdue items comes first.
    assert summary.index("СШ № 60") < summary.index("СШ № 51") < summary.index("Лицей № 9")
    assert "СШ № 60: 7/25 принято, ⚠️ 8 просроч., 📝 1 на проверке" in summary
    assert "Лицей № 9: 6/13 принято, ⚠️ 1 просроч., 📝 1 на проверке" in summary
    assert "СШ № 35: 3/13 принято, ⚠️ 4 просроч." in summary
    assert f"посещение 45 дн. назад; куратор: {TELYATNIKOV}" in summary
    assert "высокие риски: 1, 5, 9" in summary
    assert "0/0" not in summary
    assert reply.messages[1].method == "sendPhoto"
    overdue = (await demo.send(coordinator, "/overdue")).text
    assert "Просрочено: 29" in overdue
    assert "Скорректировать дорожную карту" not in overdue  # accepted in every school


async def test_a_curator_has_reports_to_review_and_the_digest_and_report_are_full(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        await load_demo_activity(session, now=DEMO_NOW)
        await session.commit()
    curator = await demo.login(SMIRNOVA)
    queue = [m.plain_text for m in (await demo.send(curator, "/review")).messages]
    assert [text.split("\n")[0] for text in queue] == [
        "СШ № 17, мероприятие 7",
        "Лицей № 9, мероприятие 6",
    ]
    assert "https://licey9.kamensk.example/500plus/protokol-pedsoveta.pdf" in queue[1]
    visits = (await demo.send(curator, "/visits")).messages[0].plain_text
    assert "Посещения — всего 6" in visits
    assert f"15.11.2026 · Лицей № 9 · {SMIRNOVA}" in visits

    coordinator = await demo.login(ZYKOVA)
    digest = (await demo.send(coordinator, "/digest")).text
    assert "СШ № 60: ⚠️ просрочено 8, 📝 на проверке 1" in digest
    assert "Лицей № 9: ⚠️ просрочено 1, 📝 на проверке 1, ✅ за неделю 1" in digest
    assert "Просрочено больше 14 дней" in digest
    await demo.send(coordinator, "/report")
    await demo.press(coordinator, "I полугодие 2026/2027")
    document = (await demo.press(coordinator, "Лицей № 9")).last
    assert document.method == "sendDocument"
    workbook = load_workbook(io.BytesIO(document.document_bytes or b""))
    cells = " ".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
        for value in row if value
    )  # fmt: skip
    # Accepted items carry the school's mark of execution; a report still waiting does not.
    assert "составлены списки обучающихся «зоны риска»" in cells  # item 2, accepted in September
    assert "Разработано и утверждено положение о системе профилактики" in cells  # item 7
    assert "по каждому учителю с отрицательной динамикой принято решение" not in cells  # item 6
    assert "Консультация по отчётным материалам за I полугодие" in cells  # a visit of the half

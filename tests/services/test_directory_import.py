"""The directory import: messy sheets read, every row checked, idempotent, scoped, audited."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    AuditRecord,
    CuratorAssignment,
    Invite,
    Municipality,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolStatus,
)
from bot.services.access.actors import Actor
from bot.services.directory import ImportReport, Sheet, import_directory, read_directory
from bot.services.directory.export import build_directory, build_template
from bot.services.roadmaps.roadmap_import import ImportRefused
from tests.support.directory_files import (
    EAST,
    NORTH,
    REGION,
    RegionBook,
    curator_name,
    region_book,
    school_municipality,
    school_short,
)
from tests.support.factories import (
    actor_for,
    bind_account,
    load_demo_data,
    make_person,
    next_telegram_id,
)
from tests.support.roadmap_files import zip_bomb

NOW = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def run(
    session: AsyncSession, content: bytes, actor: Actor | None = None, now: datetime = NOW
) -> ImportReport:
    report = await import_directory(
        session, actor, read_directory(content), now=now, invite_ttl=WEEK
    )
    if report.accepted:
        await session.commit()
    else:
        await session.rollback()
    return report


def counts(report: ImportReport) -> dict[str, tuple[int, int, int, int]]:
    return {
        sheet.value: (c.new, c.changed, c.unchanged, c.refused)
        for sheet, c in report.counts.items()
    }


def refusals(report: ImportReport) -> list[str]:
    return [refusal.text() for refusal in report.refusals]


async def count(session: AsyncSession, column) -> int:  # type: ignore[no-untyped-def]
    return int(await session.scalar(select(func.count(column))) or 0)


async def test_a_region_file_with_title_rows_and_merged_cells_loads(session: AsyncSession) -> None:
    report = await run(session, region_book().xlsx(title_rows=True))
    assert refusals(report) == []
    assert counts(report) == {
        "municipalities": (2, 0, 0, 0),
        "schools": (32, 0, 0, 0),
        "people": (14, 0, 0, 0),
        "assignments": (20, 0, 0, 0),
    }
    east = await session.scalar(select(Municipality).where(Municipality.name == EAST))
    assert east is not None and east.timezone == "Asia/Krasnoyarsk"  # «МСК+4»
    school = await session.scalar(select(School).where(School.short_name == "СШ № 20"))
    assert school is not None
    assert (school.is_shnor, school.is_shnsu, school.has_nonobjectivity_signs) == (
        True,
        True,
        True,
    )
    assert school.municipality_id == east.id
    assert await count(session, CuratorAssignment.id) == 20
    years = set((await session.scalars(select(CuratorAssignment.year))).all())
    assert years == {2026}
    # Everyone gets a link for their own person; nobody is bound yet.
    assert len(report.invites) == 14
    assert await count(session, Invite.id) == 14
    assert all(i.person_id is not None for i in await session.scalars(select(Invite)))


async def test_importing_the_same_file_twice_changes_nothing(session: AsyncSession) -> None:
    content = region_book().xlsx()
    first = await run(session, content)
    audit_rows = await count(session, AuditRecord.id)
    second = await run(session, content)
    assert refusals(second) == []
    assert counts(second) == {
        "municipalities": (0, 0, 2, 0),
        "schools": (0, 0, 32, 0),
        "people": (0, 0, 14, 0),
        "assignments": (0, 0, 20, 0),
    }
    assert second.ended_assignments == 0
    assert await count(session, AuditRecord.id) == audit_rows
    assert await count(session, Invite.id) == 14
    # The same links are handed out again: nobody's link changes under them.
    assert [i.token for i in second.invites] == [i.token for i in first.invites]


async def test_messy_headers_are_understood(session: AsyncSession) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = " муниципальные образования "
    sheet.append(["СПИСОК МУНИЦИПАЛИТЕТОВ"])
    sheet.append(["№ П/П", "НАИМЕНОВАНИЕ МО", "ещё столбец", "ЧАСОВОЙ ПОЯС:", "Регион*"])
    sheet.append([1, "Город Тестовый", "что-то", "Europe/Moscow", "Тестовая область"])
    schools = workbook.create_sheet("Перечень ОО")
    # A two-row header: «Признаки» merged over its two columns, the others merged down.
    schools.append(["Наименование", "Муниципалитет", "Признаки", None, "Статус"])
    schools.append([None, None, "ШНОР", "Признаки необъективности", None])
    schools.merge_cells("A1:A2")
    schools.merge_cells("B1:B2")
    schools.merge_cells("C1:D1")
    schools.merge_cells("E1:E2")
    schools.append(["Гимназия № 3", "город тестовый", "✓", "ложь", "выбыла"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = await run(session, buffer.getvalue())
    assert refusals(report) == []
    school = await session.scalar(select(School))
    assert school is not None
    assert (school.short_name, school.is_shnor, school.has_nonobjectivity_signs) == (
        "Гимназия № 3",
        True,
        False,
    )
    assert school.status == SchoolStatus.EXITED and school.in_project is False


def _refusing_book() -> RegionBook:
    book = region_book()
    book.municipalities.append([3, "Южный округ", "Asia/Atlantis", REGION, ""])
    book.schools[32][4] = "может быть"  # ШНОР of СШ № 32, which nothing else refers to
    book.schools.append([40, "Школа № 40", "СШ № 40", "Неизвестный округ", "да", "", "", "", ""])
    book.schools.append([41, "Школа № 5 (дубль)", "СШ № 5", NORTH, "да", "", "", "", ""])
    book.people.append([20, "Двойнова Ирина", "директор", "школа", "СШ № 2"])
    book.people.append([21, "Двойнова Ирина", "директор", "школа", "СШ № 3"])
    book.people.append([22, "Странная Роль", "", "завхоз", NORTH])
    book.assignments.append([curator_name(1), "СШ № 99", NORTH, "2026/27"])
    book.assignments.append(["Северова Нина Павловна", "СШ № 13", NORTH, "2026/27"])
    book.assignments.append([curator_name(2), "СШ № 14", NORTH, "2026/2028"])
    book.assignments.append([curator_name(1), "СШ № 1", NORTH, "2026/27"])
    return book


async def test_every_bad_row_is_refused_by_sheet_row_and_reason(session: AsyncSession) -> None:
    report = await run(session, _refusing_book().xlsx())
    found = refusals(report)
    expected = [
        "Муниципалитеты, строка 4: часового пояса «Asia/Atlantis» не существует",
        "Школы, строка 33: «ШНОР»: значение «может быть» — ожидается да/нет (+/-, 1/0) или пусто",
        "Школы, строка 34: неизвестный муниципалитет «Неизвестный округ»",
        "Школы, строка 35: школа «СШ № 5» повторяется — она уже в строке 6",
        "Люди, строка 17: «Двойнова Ирина» уже представитель другой школы (строка 16)",
        "Люди, строка 18: роль «завхоз» не распознана",
        "Кураторы, строка 22: неизвестная школа «СШ № 99»",
        "Кураторы, строка 23: у «Северова Нина Павловна» на листе «Люди» нет роли «куратор»",
        "Кураторы, строка 24: учебный год «2026/2028» не распознан",
        "Кураторы, строка 25: это закрепление уже в строке 2",
    ]
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert not report.accepted
    # All or nothing: the good rows were rolled back with the bad ones.
    assert await count(session, School.id) == 0
    assert await count(session, Person.id) == 0
    assert await count(session, AuditRecord.id) == 0


async def test_a_curator_may_not_curate_the_school_they_work_for(session: AsyncSession) -> None:
    book = region_book()
    book.people.append([30, curator_name(1), "заместитель директора", "школа", "СШ № 1"])
    report = await run(session, book.xlsx())
    assert any(
        "Кураторы, строка 2: «Куратова-1 Мария Ивановна» — представитель школы СШ № 1" in line
        for line in refusals(report)
    ), refusals(report)


async def test_a_moved_curator_and_a_closed_school_are_audited(session: AsyncSession) -> None:
    await run(session, region_book().xlsx())
    changed = region_book()
    # СШ № 1 moves from curator 1 to curator 2; СШ № 3 leaves the project.
    changed.assignments[1][0] = curator_name(2)
    changed.schools[3][7] = "выбыла"
    report = await run(session, changed.xlsx(), now=NOW + timedelta(days=30))
    assert refusals(report) == []
    assert counts(report)["assignments"] == (1, 0, 19, 0)
    assert counts(report)["schools"] == (0, 1, 31, 0)
    assert report.ended_assignments == 1
    school_1 = await session.scalar(select(School).where(School.short_name == "СШ № 1"))
    school_3 = await session.scalar(select(School).where(School.short_name == "СШ № 3"))
    assert school_1 is not None and school_3 is not None
    assert (school_3.status, school_3.in_project) == (SchoolStatus.EXITED, False)
    live = await session.execute(
        select(Person.full_name)
        .join(CuratorAssignment, CuratorAssignment.curator_person_id == Person.id)
        .where(CuratorAssignment.school_id == school_1.id, CuratorAssignment.ended_at.is_(None))
    )
    assert live.scalars().all() == [curator_name(2)]
    audit = {
        record.action: record.details
        for record in await session.scalars(
            select(AuditRecord).where(AuditRecord.at >= NOW + timedelta(days=1))
        )
    }
    assert audit["directory.assignment.ended"]["before"]["curator"] == curator_name(1)
    assert audit["directory.assignment.created"]["after"]["curator"] == curator_name(2)
    assert audit["directory.school.changed"] == {
        "before": {"status": "active", "in_project": True},
        "after": {"status": "exited", "in_project": False},
    }
    # Re-importing the changed file is again a no-op.
    again = await run(session, changed.xlsx(), now=NOW + timedelta(days=31))
    assert again.changes == 0


async def test_a_municipal_coordinator_changes_only_their_municipality(
    session: AsyncSession,
) -> None:
    await run(session, region_book().xlsx())
    north = await session.scalar(select(Municipality).where(Municipality.name == NORTH))
    assert north is not None
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=north)
    actor = await actor_for(session, coordinator)
    await session.commit()
    changed = region_book()
    changed.schools[1][8] = "Новая Директор"  # СШ № 1, North: allowed
    changed.schools[20][8] = "Чужая Директор"  # СШ № 20, East: refused
    changed.people.append([16, "Новикова Ольга", "", "муниципальный координатор", NORTH])
    report = await run(session, changed.xlsx(), actor=actor)
    east_rows = [line for line in refusals(report) if EAST in line]
    outside = f"муниципалитет «{EAST}» вне вашей области — не изменён"
    assert f"Муниципалитеты, строка 3: {outside}" in east_rows
    assert f"Школы, строка 21: {outside}" in east_rows
    assert "Люди, строка 2: регион «Курганская область» вне вашей области" in refusals(report)
    promoted = "Люди, строка 16: роль «муниципальный координатор» вы назначить не можете"
    assert promoted in refusals(report)
    assert not report.accepted


async def test_a_regional_coordinator_is_held_to_their_region(session: AsyncSession) -> None:
    await load_demo_data(session)
    await session.commit()
    schools_before = await count(session, School.id)
    demo_coordinator = await session.scalar(
        select(Person)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(RoleAssignment.role == Role.REGIONAL_COORDINATOR)
    )
    assert demo_coordinator is not None
    await bind_account(session, demo_coordinator, next_telegram_id())
    actor = await actor_for(session, demo_coordinator)
    await session.commit()
    report = await run(session, region_book().xlsx(), actor=actor)
    assert refusals(report)[0].startswith(
        "Муниципалитеты, строка 2: неизвестный регион «Курганская область» — новый регион"
    )
    assert await count(session, School.id) == schools_before  # nothing added


async def test_the_exported_directory_reimports_as_a_no_op(session: AsyncSession) -> None:
    await load_demo_data(session)
    assert (await run(session, region_book().xlsx())).accepted
    schools = await count(session, School.id)
    exported = await build_directory(session, None)
    report = await run(session, exported)
    assert refusals(report) == []
    assert report.changes == 0, counts(report)
    assert counts(report)["schools"] == (0, 0, schools, 0)
    assert counts(report)["assignments"][2] == await count(session, CuratorAssignment.id)


async def test_the_template_reads_back_with_one_example_row_per_sheet() -> None:
    book = read_directory(build_template())
    assert book.problems == []
    assert {sheet: len(rows) for sheet, rows in book.rows.items()} == {sheet: 1 for sheet in Sheet}
    workbook = load_workbook(io.BytesIO(build_template()))
    assert workbook.sheetnames == ["Муниципалитеты", "Школы", "Люди", "Кураторы"]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"not a zip at all", "справочник.xlsx", "directory_not_xlsx"),
        (b"a;b;c\n1;2;3\n", "справочник.csv", "directory_not_xlsx"),
        (zip_bomb(), "bomb.xlsx", "import_zip_bomb"),
        (b"PK" + b"\0" * (3 * 1024 * 1024), "big.xlsx", "directory_too_big"),
    ],
)
def test_a_wrong_file_is_refused_whole(content: bytes, name: str, code: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_directory(content, name)
    assert refused.value.code == code


def test_a_workbook_without_directory_sheets_is_refused() -> None:
    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.title = "Лист1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused) as refused:
        read_directory(buffer.getvalue())
    assert refused.value.code == "directory_no_sheets"


async def test_a_sheet_without_its_headers_is_named(session: AsyncSession) -> None:
    book = region_book()
    book.schools[0] = ["Что-то", "Другое"]
    report = await run(session, book.xlsx())
    assert refusals(report)[0].startswith(
        "Школы: не нашёл заголовки; нужны столбцы «Полное наименование»"
    )
    assert not report.accepted


async def test_a_coordinators_own_export_comes_back_unchanged(session: AsyncSession) -> None:
    await run(session, region_book().xlsx())
    for name in ("Регионова Ольга Викторовна", "Северова Нина Павловна"):
        person = await session.scalar(select(Person).where(Person.full_name == name))
        assert person is not None
        await bind_account(session, person, next_telegram_id())
        actor = await actor_for(session, person)
        await session.commit()
        exported = await build_directory(session, actor)
        report = await run(session, exported, actor=actor)
        assert refusals(report) == [], name
        assert report.changes == 0, (name, counts(report))
    north_rows = counts(report)
    assert north_rows["schools"] == (0, 0, 18, 0)
    assert north_rows["assignments"] == (0, 0, 12, 0)


async def test_formulas_huge_cells_and_excel_booleans(session: AsyncSession) -> None:
    book = region_book()
    book.schools[1][8] = '=HYPERLINK("http://evil","x")'
    book.schools[2][1] = "Ш" * 10_000
    book.schools[3][4] = True  # Excel's ИСТИНА
    book.schools[4][5] = "ИСТИНА"
    book.people[4][1] = "Куратова-1\u202e Мария Ивановна\u200b"  # bidi override, zero width
    report = await run(session, book.xlsx())
    found = refusals(report)
    assert found[0] == "Школы, строка 2: «Директор»: формула вместо значения — вставьте значения"
    too_long = "«Полное наименование»: слишком длинный текст (10000 символов)"
    assert found[1] == f"Школы, строка 3: {too_long}"
    assert found[2:] == [
        "Люди, строка 15: неизвестная школа «СШ № 1» — её нет на листе «Школы» "
        "или её строка там отклонена",
        "Кураторы, строка 2: неизвестная школа «СШ № 1» — её нет на листе «Школы» "
        "или её строка там отклонена",
        "Кураторы, строка 3: неизвестная школа «СШ № 2» — её нет на листе «Школы» "
        "или её строка там отклонена",
    ]
    del book.schools[1:3]
    del book.people[14]
    book.assignments = book.assignments[:1] + book.assignments[2:]
    book.assignments[1][1] = "СШ № 3"  # curator 1 keeps one school
    report = await run(session, book.xlsx())
    assert refusals(report) == []
    school = await session.scalar(select(School).where(School.short_name == "СШ № 3"))
    assert school is not None and school.is_shnor
    names = set((await session.scalars(select(Person.full_name))).all())
    assert curator_name(1) in names  # invisible characters cleaned at the boundary


async def test_a_curator_merged_down_over_their_schools_curates_each(
    session: AsyncSession,
) -> None:
    await run(session, region_book().xlsx())
    workbook = load_workbook(io.BytesIO(region_book().xlsx()))
    sheet = workbook["Кураторы"]
    sheet["A3"] = None  # curator 1's second school: the name is in the merged cell above
    sheet.merge_cells("A2:A3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = await run(session, buffer.getvalue())
    assert refusals(report) == []
    assert report.changes == 0, counts(report)


async def test_a_curator_added_before_the_rollover_joins_the_school_year_it_is_in(
    session: AsyncSession,
) -> None:
    """2027/28 has begun, the region has not rolled over: a row without a year adds the
    curator to the school's 2026/27 — the school's other curator keeps it."""
    from bot.models import CuratorAssignment
    from bot.services.access.assignments import valid_on

    await run(session, region_book().xlsx())
    later = datetime(2027, 9, 6, 5, 0, tzinfo=UTC)
    book = region_book()
    book.assignments.append([curator_name(2), school_short(1), school_municipality(1), ""])
    report = await run(session, book.xlsx(), now=later)
    assert refusals(report) == [] and report.changes == 1, counts(report)
    school_id = (
        await session.scalars(
            select(CuratorAssignment.school_id)
            .join(Person, Person.id == CuratorAssignment.curator_person_id)
            .where(Person.full_name == curator_name(2))
            .order_by(CuratorAssignment.id.desc())
        )
    ).first()
    holding = (
        await session.execute(
            select(Person.full_name, CuratorAssignment.year)
            .join(Person, Person.id == CuratorAssignment.curator_person_id)
            .where(CuratorAssignment.school_id == school_id, valid_on(later.date()))
            .order_by(Person.full_name)
        )
    ).all()
    assert sorted(holding) == sorted([(curator_name(1), 2026), (curator_name(2), 2026)])


@pytest.mark.parametrize(
    ("table", "kind"),
    [
        ("municipalities", Sheet.MUNICIPALITIES),
        ("schools", Sheet.SCHOOLS),
        ("people", Sheet.PEOPLE),
        ("assignments", Sheet.ASSIGNMENTS),
    ],
)
def test_a_single_sheet_named_list1_is_known_by_its_headers(table: str, kind: Sheet) -> None:
    rows = getattr(region_book(), table)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Лист1"
    sheet.append(["Приложение к приказу"])  # a title row above the header
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    book = read_directory(buffer.getvalue())
    assert list(book.rows) == [kind] and book.problems == []
    assert len(book.rows[kind]) == len(rows) - 1

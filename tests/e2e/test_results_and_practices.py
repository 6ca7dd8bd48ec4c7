"""Issue 18 parts 3 and 5 through the bot: a coordinator imports two years of results for
7 schools × 3 assessments and the school card shows the change; who left the risk zone;
refusals (a school, a coordinator of another municipality, a broken row). A curator saves
a visit's findings to the practice bank with one tap; a school of the region finds it by
its risk factor and by a word."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory, unit_of_work
from bot.fake_bot_api import FakeUser
from bot.models import (
    AssessmentResult,
    AuditRecord,
    Practice,
    RiskFactor,
    RiskLevel,
    Role,
    SchoolRiskProfileEntry,
    TrainingCourse,
)
from tests.support.factories import make_municipality, make_person, school_named
from tests.support.harness import BotHarness
from tests.support.personas import COORDINATOR, GAREEVA, SMIRNOVA
from tests.support.results_files import results_xlsx, seed_002_courses_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _results_count(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(AssessmentResult)) or 0)


async def _import(bot: BotHarness, user: FakeUser, content: bytes) -> str:
    intro = await bot.send(user, "/results")
    assert "Результаты оценочных процедур" in intro.text
    preview = await bot.send_document(user, "vpr_oge_ege.xlsx", content, XLSX)
    return preview.text


async def test_two_years_import_and_the_card_shows_the_change(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    preview = await _import(demo, coordinator, results_xlsx(2024))
    assert "Строк: 21, школ: 7, учебный год: 2024/25" in preview
    assert "Новых: 21" in preview
    assert await _results_count(session_factory) == 0  # a preview writes nothing
    applied = await demo.press(coordinator, texts.BUTTON_APPLY)
    assert "Результаты загружены: строк 21, школ 7" in applied.text
    await _import(demo, coordinator, results_xlsx(2025))
    await demo.press(coordinator, texts.BUTTON_APPLY)
    assert await _results_count(session_factory) == 42

    card = await demo.send(coordinator, "/school 17")
    assert "Результаты 2025/26:" in card.text
    assert "доля «2» 9 %, в 2024/25 — 22 %" in card.text
    assert "ВПР, Математика, 5 кл.: «2» 8 % (▼ −13 п.п.), ср. балл 3,4, участников 41" in (
        card.text
    )
    director = await demo.login("Лосева Е.А.")  # СШ № 60 stayed in the zone: «▲»/«▼» honest
    own = await demo.send(director, "/school 60")
    assert "ОГЭ, Математика, 9 кл.: «2» 19 % (▼ −7 п.п.)" in own.text

    await demo.send(coordinator, "/results")
    left = await demo.press(coordinator, texts.BUTTON_RESULTS_LEFT_RISK)
    assert "Вышли из зоны риска в 2025/26" in left.text
    for school in ("СШ № 1", "СШ № 17", "СШ № 35", "СШ № 38"):
        assert f"{school}:" in left.text
    assert "СШ № 60" not in left.text and "Лицей № 9" not in left.text
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditRecord.action))).all()
    assert actions.count("results.imported") == 2

    await demo.send(coordinator, "/report")
    await demo.press(coordinator, "I полугодие 2026/2027")
    report = await demo.press(coordinator, texts.REPORT_WHOLE)
    sheet = load_workbook(io.BytesIO(report.last.document_bytes or b""))["Результаты"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == list(texts.REPORT_RESULTS_HEADERS)
    assert ["СШ № 17", "2025/26", "9.0", "22.0", "-13.0", "3"] in rows
    assert len(rows) == 8


async def test_one_broken_row_refuses_the_file_and_names_the_row(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    extra = [[22, "Школа № 999", "ВПР", "Математика", "5", 10, "5", 3.5]]
    preview = await _import(demo, coordinator, results_xlsx(2025, extra))
    assert "Отклонено строк: 1. Файл не будет применён." in preview
    assert "строка 25: школа «Школа № 999» не найдена среди ваших школ" in preview
    assert texts.BUTTON_APPLY not in str(demo.fake.messages_to(coordinator.id)[-1].buttons)
    assert await _results_count(session_factory) == 0
    reply = await demo.send(coordinator, "просто текст")
    assert reply.text == texts.RESULTS_FILE_EXPECTED
    await demo.send(coordinator, "/cancel")


async def test_a_school_cannot_import_and_another_municipality_sees_nothing(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    await _import(demo, coordinator, results_xlsx(2024))
    await demo.press(coordinator, texts.BUTTON_APPLY)

    director = await demo.login(GAREEVA)
    refused = await demo.send(director, "/results")
    assert refused.text == texts.REFUSED
    upload = await demo.send_document(director, "r.xlsx", results_xlsx(2025), XLSX)
    assert "Проверка файла" not in upload.text

    async with unit_of_work(session_factory) as session:
        away = await make_municipality(session, name="Другой округ")
        await make_person(
            session, Role.MUNICIPAL_COORDINATOR, full_name="Чужой Координатор", municipality=away
        )
    stranger = await demo.login("Чужой Координатор")
    preview = await _import(demo, stranger, results_xlsx(2025))
    assert "Отклонено строк: 21" in preview
    assert "не найдена среди ваших школ" in preview
    assert await _results_count(session_factory) == 21
    await demo.send(stranger, "/cancel")
    await demo.send(stranger, "/results")
    left = await demo.press(stranger, texts.BUTTON_RESULTS_LEFT_RISK)
    assert "Таких школ нет" in left.text
    assert "СШ № 17" not in (await demo.send(stranger, "/school 17")).text


async def test_a_visit_saved_to_the_bank_is_found_by_its_factor_and_a_word(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    async with unit_of_work(session_factory) as session:  # СШ № 17's profile: factor 4
        school = await school_named(session, "СШ № 17")
        session.add(
            SchoolRiskProfileEntry(
                school_id=school.id, risk_factor_id=4, level=RiskLevel.HIGH, year=2026
            )
        )
    curator = await demo.login(SMIRNOVA)
    await demo.send(curator, "/visit")
    await demo.press(curator, "СШ № 17")
    await demo.press(curator, texts.BUTTON_TODAY)
    purpose = await demo.press(curator, "Выезд в школу")
    factors = [
        (label, int(data.rsplit(":", 1)[1]))
        for row in purpose.last.buttons
        for label, data in row
        if data.startswith("vis:pr:")
    ]
    assert [factor for _label, factor in factors] == [4]
    label, factor = factors[0]
    await demo.press(curator, label)
    await demo.press(curator, "Педагоги")
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.send(curator, "Педагогические пары и наставничество для молодых учителей")
    await demo.send(curator, "Продолжить пары во втором полугодии")
    await demo.send(curator, "Провести педсовет — 15.12.2026")
    await demo.press(curator, texts.BUTTON_DONE)
    await demo.press(curator, texts.BUTTON_DONE)
    saved = await demo.press(curator, texts.BUTTON_SAVE)
    assert texts.BUTTON_TO_PRACTICES in str(saved.last.buttons)
    banked = await demo.press(curator, texts.BUTTON_TO_PRACTICES)
    assert "сохранена в банк практик" in banked.text
    again = await demo.press(curator, texts.BUTTON_TO_PRACTICES)
    assert again.alerts == [texts.ERRORS["practice_visit_saved"]]
    async with session_factory() as session:
        practice = (await session.scalars(select(Practice))).one()
    assert practice.risk_factor_ids == [factor]

    reader = await demo.login("Лосева Е.А.")  # another school of the region
    menu = await demo.send(reader, "/practices")
    assert "Банк практик региона" in menu.text
    by_factor = await demo.press_data(reader, menu.last.message_id, f"prc:f:{factor}")
    assert "Педагогические пары и наставничество" in by_factor.text
    assert "СШ № 17" in by_factor.text
    other = 1 if factor != 1 else 2
    empty = await demo.press_data(reader, menu.last.message_id, f"prc:f:{other}")
    assert texts.PRACTICES_NONE in empty.text
    found = await demo.send(reader, "/practices наставничеству")
    assert "Педагогические пары" in found.text
    assert texts.PRACTICES_NONE in (await demo.send(reader, "/practices робототехника")).text
    digest = await demo.send(reader, "/digest")
    assert "Новое в банке практик" in digest.text and "(СШ № 17)" in digest.text

    async with unit_of_work(session_factory) as session:
        away = await make_municipality(session, name="Другой регион")
        await make_person(session, Role.MUNICIPAL_COORDINATOR, full_name="Чужой", municipality=away)
    stranger = await demo.login("Чужой")
    assert texts.PRACTICES_NONE in (await demo.send(stranger, "/practices пары")).text
    assert "Новое в банке практик" not in (await demo.send(stranger, "/digest")).text


async def test_one_result_typed_for_one_school_by_taps(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    await demo.send(coordinator, "/results")
    asked = await demo.press(coordinator, texts.BUTTON_RESULTS_ONE)
    assert asked.text == texts.RESULTS_ONE_SCHOOL
    assert (await demo.send(coordinator, "школа 999")).text == texts.SCHOOL_NOT_FOUND
    assert (await demo.send_sticker(coordinator)).text == texts.RESULTS_TEXT_EXPECTED
    await demo.send(coordinator, "сш 17")
    await demo.press(coordinator, "ВПР")
    await demo.press(coordinator, "2025/26")
    bad = await demo.send(coordinator, "Математика; 5; сорок; 12,5")
    assert "число участников «сорок»" in bad.text
    assert await _results_count(session_factory) == 0
    saved = await demo.send(coordinator, "Математика; 5; 48; 12,5; 3,4")
    assert "Результат сохранён: СШ № 17, 2025/26, ВПР, Математика, 5 кл. — «2» 12,5 %" in (
        saved.text
    )
    card = await demo.send(coordinator, "/school 17")
    assert "ВПР, Математика, 5 кл.: «2» 12,5 %, ср. балл 3,4, участников 48" in card.text


async def test_the_seed_002_course_table_imports_and_the_card_shows_the_share(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    staff = await demo.send(coordinator, "/training 17 20")
    assert staff.text == "✅ СШ № 17: педагогов — 20."
    assert (await demo.send(coordinator, "/training 17 0")).text == texts.ERRORS[
        "training_bad_staff"
    ].format(limit=1000)
    await demo.send(coordinator, "/training")
    preview = await demo.send_document(coordinator, "kursy.xlsx", seed_002_courses_xlsx(), XLSX)
    assert "Проверка таблицы курсов" in preview.text
    # 29 courses in the seed; 25 name a school of the demo (its 17 schools), 4 none of them.
    assert "Курсов: 25, школ: 17" in preview.text
    assert "Нет в справочнике, пропущены: 7, 2, 5, 14" in preview.text
    assert "Каменск–Уральская гимназия" in preview.text
    applied = await demo.press(coordinator, texts.BUTTON_APPLY)
    assert "Курсы загружены" in applied.text
    async with session_factory() as session:
        school = await school_named(session, "СШ № 17")
        courses = (
            await session.scalars(
                select(TrainingCourse)
                .where(TrainingCourse.school_id == school.id)
                .order_by(TrainingCourse.starts_on)
            )
        ).all()
    assert [(c.hours, c.starts_on.isoformat(), c.people_trained) for c in courses] == [
        (120, "2019-10-07", 1),
        (16, "2020-01-13", 1),
        (24, "2020-01-29", 1),
        (16, "2020-02-28", 1),
    ]
    assert courses[3].provider == 'ФГБУ "Федеральный центр тестирования" г. Москва'
    assert courses[3].title.startswith("Подготовка технических специалистов пунктов")
    card = await demo.send(coordinator, "/school 17")
    assert "Курсовая подготовка 2019/20: курсов 4, обучено не меньше 4, это 20 % из 20" in (
        card.text
    )

    await demo.send(coordinator, "/report")
    await demo.press(coordinator, "I полугодие 2026/2027")
    report = await demo.press(coordinator, texts.REPORT_WHOLE)
    sheet = load_workbook(io.BytesIO(report.last.document_bytes or b""))["Курсы"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == list(texts.REPORT_TRAINING_HEADERS)
    assert ["СШ № 17", "2019/20", "4", "4", "20", "20"] in rows

    director = await demo.login(GAREEVA)
    assert (await demo.send(director, "/training")).text == texts.REFUSED
    assert (await demo.send(director, "/training 17 99")).text == texts.REFUSED


async def test_a_practice_typed_in_a_short_conversation(
    demo: BotHarness, session_factory: SessionFactory
) -> None:
    coordinator = await demo.login(COORDINATOR)
    await demo.send(coordinator, "/practices")
    asked = await demo.press(coordinator, texts.BUTTON_PRACTICE_NEW)
    assert asked.text == texts.PRACTICE_ASK_SCHOOL
    assert (await demo.send(coordinator, "школа 999")).text == texts.SCHOOL_NOT_FOUND
    await demo.send(coordinator, "лицей 9")
    assert (await demo.send_sticker(coordinator)).text == texts.PRACTICE_TEXT_EXPECTED
    too_long = await demo.send(coordinator, "П" * 10_000)
    assert "Слишком длинно: 10000 знаков, можно до 200" in too_long.text
    await demo.send(coordinator, "Клуб молодых педагогов")
    await demo.press(coordinator, "7. " + await _factor_title(session_factory, 7))
    await demo.send(coordinator, "Ежемесячные встречи молодых учителей с наставниками")
    saved = await demo.send(coordinator, "-")
    assert "Практика «Клуб молодых педагогов» сохранена" in saved.text
    async with session_factory() as session:
        practice = (await session.scalars(select(Practice))).one()
    assert (practice.risk_factor_ids, practice.result, practice.visit_id) == ([7], None, None)
    found = await demo.send(coordinator, "/practices наставники")
    assert "Клуб молодых педагогов" in found.text and "Лицей № 9" in found.text

    director = await demo.login(GAREEVA)  # a school browses, does not add
    menu = await demo.send(director, "/practices")
    assert texts.BUTTON_PRACTICE_NEW not in str(menu.last.buttons)
    forged = await demo.press_data(director, menu.last.message_id, "prc:new")
    assert forged.alerts == [texts.REFUSED]


async def _factor_title(factory: SessionFactory, number: int) -> str:
    async with factory() as session:
        title = await session.scalar(select(RiskFactor.title).where(RiskFactor.id == number))
    return str(title)[:40]

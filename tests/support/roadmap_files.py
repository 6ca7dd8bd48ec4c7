"""Roadmap files for tests: the real 2019–2020 plan from the seeds, and broken ones."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

from openpyxl import Workbook

from bot.services.roadmaps.roadmap_import import ParsedItem

SEED_PLAN_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "seed_plan_2019_2020.csv"


def table_to_xlsx(rows: list[list[object]], merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_plan_rows() -> list[list[str]]:
    with SEED_PLAN_CSV.open(encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter=";"))


def seed_plan_xlsx() -> bytes:
    return table_to_xlsx(seed_plan_rows())


def zip_bomb() -> bytes:
    """A valid zip whose member inflates to 40 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    return buffer.getvalue()


# A file that takes seconds to build goes into `parametrize` as a callable (functools.partial:
# the test id stays «contentN»), built when its test runs, not while every run collects.
Built = Callable[[], bytes]


def built(content: bytes | Built) -> bytes:
    return content if isinstance(content, bytes) else content()


@cache
def many_rows_xlsx(count: int) -> bytes:
    """A workbook with `count` filled rows under the header (written in streaming mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["№", "Мероприятие", "Срок"])
    for number in range(1, count + 1):
        sheet.append([number, "Мероприятие", "май 2022"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parsed_item(number: str, due: str | None, measure: str | None = None) -> ParsedItem:
    """An already-read roadmap row: a due date (ISO) or, with None, a monthly measure."""
    return ParsedItem(
        row=1,
        number=number,
        section=None,
        risk_factor_id=None,
        measure=measure or f"Мероприятие {number}",
        deadline_text=due or "ежемесячно",
        due_date=due,
        is_recurring=due is None,
        responsible=None,
        expected_result=None,
    )


# -- files as schools keep them (issue 14) -------------------------------------------------

RISK_TITLES = {  # as seeded by migration 0001
    1: "Низкий уровень оснащения школы",
    2: "Дефицит педагогических кадров",
    3: "Недостаточная предметная и методическая компетентность педагогических работников",
    4: "Риски низкой адаптивности учебного процесса",
    5: "Несформированность внутришкольной системы повышения квалификации",
    6: "Низкое качество преодоления языковых и культурных барьеров",
    7: "Пониженный уровень качества школьной образовательной и воспитательной среды",
    8: "Высокая доля обучающихся с рисками учебной неуспешности",
    9: "Низкий уровень вовлечённости родителей",
    10: "Низкая учебная мотивация обучающихся",
}
MESSY_TITLE = "План мероприятий («дорожная карта») МОУ «Средняя школа № 17» на 2023 год"
MESSY_SECTIONS = ["1. Организационные мероприятия", "2. Работа с педагогами и родителями"]
# number, measure, deadline, responsible, risk as written; the expected reading beside it.
MESSY_ITEMS = [
    (
        "1.1",
        "Анализ результатов ВПР",
        date(2023, 3, 15),
        "Зам. по УВР",
        "низкая мотивация учеников",
    ),
    ("1.2", "Педсовет по итогам анализа", "I квартал 2023", "Директор", "8"),
    (
        "1.3",
        "Родительские собрания",
        "сентябрь–октябрь 2023",
        "Классные руководители",
        "Низкий уровень вовлеченности родителей",
    ),
    ("2.1", "Курсы повышения квалификации", "в течение года", "Зам. по УВР", "дефицит кадров"),
    (
        "2.2",
        "Диагностика профессиональных затруднений",
        "2 раза в год (начало и конец учебного года)",
        "Руководители ШМО",
        "Риск 3",
    ),
    ("2.3", "Взаимопосещение уроков", "ноябрь–декабрь 2023", "Руководители ШМО", ""),
    ("2.4", "Открытые уроки", None, "Учителя", "что-то своё"),  # deadline merged from above
]
MESSY_EXPECTED = {  # number → (risk factor, due date or None)
    "1.1": (10, date(2023, 3, 15)),
    "1.2": (8, date(2023, 3, 31)),
    "1.3": (9, date(2023, 10, 31)),
    "2.1": (2, date(2023, 12, 31)),
    "2.2": (3, None),
    "2.3": (None, date(2023, 12, 31)),
    "2.4": (None, date(2023, 12, 31)),
}


def messy_plan_xlsx() -> bytes:
    """A title row and an empty one, merged section rows, an Excel date, a «Риск» column
    in words and numbers, a deadline merged over two items — as a school keeps its plan."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([MESSY_TITLE])
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(
        ["№ п/п", "Содержание работы", "Срок исполнения", "Ответственные исполнители", "Риск"]
    )
    rows = {"1.1": MESSY_SECTIONS[0], "2.1": MESSY_SECTIONS[1]}
    for number, measure, deadline, responsible, risk in MESSY_ITEMS:
        if number in rows:
            sheet.append([rows[number]])
            sheet.merge_cells(f"A{sheet.max_row}:E{sheet.max_row}")
        sheet.append([number, measure, deadline, responsible, risk])
    sheet.merge_cells(f"C{sheet.max_row - 1}:C{sheet.max_row}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SEED_002_TITLE = (
    "О реализации плана мероприятий, направленных на создание условий для получения "
    "качественного образования в школах с низкими результатами обучения и в школах, "
    "находящихся в неблагоприятных социальных условиях в 2019-2020 учебном году"
)
SEED_002_HEADER = ["№ п\\п", "Мероприятия", "Отметка о исполнении", "Ответственные исполнительные"]


def seed_002_rows() -> list[list[str]]:
    """The seed 002 plan as the school has it: a title, the header (repeated at page breaks,
    as in the seed), four section rows above their items («1.», «2.» …), no deadline column."""
    rows = [[SEED_002_TITLE], [], SEED_002_HEADER]
    section = None
    for number, item_section, _risk, measure, _deadline, responsible, mark in seed_plan_rows()[1:]:
        if item_section != section:
            section = item_section
            rows.append([section])
        rows.append([f"{number}.", measure, mark, responsible])
        if number in ("2", "11", "20"):
            rows.append(list(SEED_002_HEADER))
    return rows


def seed_002_xlsx() -> bytes:
    """Section rows merged across the table, the title too."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in seed_002_rows():
        sheet.append(row)
        if len(row) == 1:
            sheet.merge_cells(f"A{sheet.max_row}:D{sheet.max_row}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_002_csv_cp1251() -> bytes:
    """What Excel's «CSV (разделители — запятые)» writes in Russia: «;» and Windows-1251."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in seed_002_rows():
        writer.writerow(row + [""] * (4 - len(row)))
    return buffer.getvalue().encode("cp1251")


CONTROL_CSV = (  # NUL fails a PostgreSQL insert; \x01 breaks the XML of an XLSX report
    "№;Раздел;Мероприятие;Срок;Ответственные\n"
    "1;Раз\x00дел\x01;Педсовет\x00 по\x01 итогам\x1b ВПР;дека\x00брь 2026;Ива\x07нов\n"
    "2;Раздел;Семинар\u202e наоборот;ежемесячно;\x00\n"
)

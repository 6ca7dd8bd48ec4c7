"""Results forms for tests: 7 schools × 3 assessments, as a municipality sends them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook

# How the municipality writes the seven «500+» schools of the demo.
SCHOOLS = [
    "МАОУ «Средняя школа № 1»",
    "СОШ 17",
    "Средняя школа № 35",
    "сш №38",
    "МАОУ СШ 51",
    "Средняя школа № 60",
    "Лицей №9",
]
ASSESSMENTS = [
    ("ВПР", "Математика", "5"),
    ("ОГЭ", "Математика", "9"),
    ("ЕГЭ", "Русский язык", "11"),
]
HEADER = [
    "№",
    "Наименование ОО",
    "Оценочная процедура",
    "Предмет",
    "Класс",
    "Количество участников",
    "Доля «2», %",
    "Средний балл",
]


def fail_percent(school: int, assessment: int, year: int) -> float:
    """2024/25: every school in the risk zone (≥ 15 %); 2025/26: the first four out of it."""
    if year == 2024:
        return 20.0 + school + assessment
    return 8.0 + assessment if school < 4 else 18.0 + assessment


def results_rows(year: int) -> list[list[object]]:
    rows: list[list[object]] = [
        [f"Результаты оценочных процедур за {year}/{year + 1} учебный год"],
        [],
        HEADER,
    ]
    number = 0
    for s, school in enumerate(SCHOOLS):
        for a, (assessment, subject, grade) in enumerate(ASSESSMENTS):
            number += 1
            fail = fail_percent(s, a, year)
            rows.append(
                [
                    number,
                    school,
                    assessment,
                    subject,
                    grade,
                    40 + s,
                    str(fail).replace(".", ","),
                    3.4,
                ]
            )
    return rows


def results_xlsx(year: int, extra: list[list[object]] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in results_rows(year) + (extra or []):
        sheet.append(row)
    sheet.merge_cells("A1:H1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Seed 002's course tables, copied line for line from shared/seeds/002_*.txt (tab-separated).
SEED_002_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "seed_002_courses.tsv"


def seed_002_course_rows() -> list[list[str]]:
    """Seed 002's course tables as they are: title, two header rows, section rows, «ИТОГО»,
    a row broken over a page; tab-separated in the seed, cell for cell here."""
    rows = []
    for line in SEED_002_COURSES.read_text(encoding="utf-8").splitlines():
        cells = [re.sub(r"</?[ip]>", "", cell).strip() for cell in line.split("\t")]
        rows.append(cells)
    return rows


def seed_002_courses_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in seed_002_course_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Results forms for tests: 7 schools × 3 assessments, as a municipality sends them."""

from __future__ import annotations

import io

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

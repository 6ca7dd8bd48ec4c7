"""The XLSX template a school fills in with its roadmap."""

from __future__ import annotations

import io

from bot.services.roadmaps.roadmap_import import HEADERS

WIDTHS = [6, 30, 28, 60, 22, 30, 40]
EXAMPLE = [
    "1",
    "Организационные мероприятия",
    "8",
    "Составление индивидуальных планов работы с обучающимися группы риска",
    "ноябрь–декабрь 2026",
    "Заместитель директора по УВР",
    "Планы на 100% обучающихся группы риска",
]


def build_template(risk_titles: dict[int, str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Дорожная карта"
    sheet.append(HEADERS)
    sheet.append(EXAMPLE)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    factors = workbook.create_sheet("Факторы риска")
    factors.append(["№", "Фактор риска"])
    for number, title in sorted(risk_titles.items()):
        factors.append([number, title])
    factors.column_dimensions["B"].width = 90
    hint = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="10",
        allow_blank=True,
        showErrorMessage=True,
        error="Номер фактора риска от 1 до 10 (см. лист «Факторы риска»)",
    )
    sheet.add_data_validation(hint)
    hint.add("C2:C1000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

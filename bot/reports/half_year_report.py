"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot import texts
from bot.services.report_data import ReportItem

REPORT_HEADERS = ["№", "Мероприятия", "Отметка об исполнении", "Ответственные исполнители"]


def _mark(item: ReportItem) -> str:
    parts = [texts.ITEM_STATUS_LABELS[item.status.value].capitalize()]
    if item.done_text:
        parts.append(item.done_text)
    if item.evidence:
        parts.append("Ссылки: " + item.evidence.replace("\n", " "))
    return ". ".join(parts)


def build_half_year_report(
    title: str,
    items: list[ReportItem],
    visits: list[tuple[date, str, str, str, str | None, str | None]],
    events: list[tuple[str, date, int, int]],
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Отчёт"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(REPORT_HEADERS)
    current_school = None
    for item in items:
        if item.school != current_school and len({i.school for i in items}) > 1:
            sheet.append([item.school])
            sheet.cell(sheet.max_row, 1).font = Font(italic=True)
            current_school = item.school
        sheet.append([item.number, item.measure, _mark(item), item.responsible or ""])
    for column, width in zip("ABCD", (6, 60, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    visit_sheet = workbook.create_sheet("Посещения")
    visit_sheet.append(["Дата", "Школа", "Куратор", "Формат", "Цель", "Рекомендации"])
    for day, school, curator, fmt, purpose, recommendations in visits:
        visit_sheet.append(
            [
                texts.fmt_date(day),
                school,
                curator,
                texts.VISIT_FORMAT_LABELS.get(fmt, fmt),
                purpose or "",
                recommendations or "",
            ]
        )
    event_sheet = workbook.create_sheet("Мероприятия")
    event_sheet.append(["Мероприятие", "Дата", "Записалось", "Участвовало"])
    for title_, day, signed, attended in events:
        event_sheet.append([title_, texts.fmt_date(day), signed, attended])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

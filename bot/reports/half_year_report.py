"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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


WRAP = Alignment(wrap_text=True, vertical="top")


def build_half_year_report(
    title: str,
    items: list[ReportItem],
    visits: list[tuple[date, str, str, str, str | None, str | None]],
    events: list[tuple[str, date, int, int]],
) -> bytes:
    # Write-only mode streams rows to the file: a region's report stays fast and small in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Отчёт")
    for column, width in zip("ABCD", (6, 60, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width

    def cells(values: list[object], font: Font | None = None) -> list[WriteOnlyCell]:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = WRAP
            if font is not None:
                cell.font = font
            row.append(cell)
        return row

    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=12)
    sheet.append([heading])
    sheet.append(cells(list(REPORT_HEADERS), Font(bold=True)))
    current_school = None
    several_schools = len({item.school for item in items}) > 1  # once, not per row
    for item in items:
        if item.school != current_school and several_schools:
            sheet.append(cells([item.school], Font(italic=True)))
            current_school = item.school
        sheet.append(cells([item.number, item.measure, _mark(item), item.responsible or ""]))

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

"""Who signed up for an event, as XLSX for the organiser: name, school, sign-up, presence."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot import texts
from bot.reports.cells import CellValue, text_cell
from bot.services.events.event_results import Participant

WIDTHS = (5, 40, 30, 22, 14)


def build_registrations_xlsx(title: str, people: Sequence[Participant]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(texts.REGISTRATIONS_SHEET)
    for column, width in zip("ABCDE", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([text_cell(sheet, title, font=Font(bold=True))])
    sheet.append(
        [text_cell(sheet, header, font=Font(bold=True)) for header in texts.REGISTRATIONS_HEADERS]
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, person in enumerate(people, start=1):
        attended = texts.ATTENDED_LABELS[person.attended] if person.attended is not None else ""
        values: list[CellValue] = [
            number,
            person.name,
            person.school or "",
            texts.ORGANISER_STATE_LABELS[person.state.value],
            attended,
        ]
        sheet.append([text_cell(sheet, value, alignment=wrap) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

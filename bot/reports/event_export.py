"""Who signed up for an event, as XLSX for the coordinator."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot import texts


def build_registrations_xlsx(title: str, people: list) -> bytes:  # list[Participant]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Участники"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["№", "ФИО", "Запись", "Присутствие"])
    for number, person in enumerate(people, start=1):
        attended = {True: "был(а)", False: "не был(а)"}.get(person.attended, "")
        sheet.append(
            [number, person.name, texts.REGISTRATION_STATE_LABELS[person.state.value], attended]
        )
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 25
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Roadmap files for tests: the real 2019–2020 plan from the seeds, and broken ones."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from bot.services.roadmap_import import ParsedItem

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

"""Reading a directory workbook: sheets found by name, header rows found wherever they are.

Headers are matched as people write them: any case, «ё» or «е», extra words, a title
row above, «№ п/п» and columns we do not know (ignored), header cells merged across
rows or columns (the merged value fills the whole range). Nothing here touches the
database; every cell is cleaned with `clean_text`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.services.roadmaps.roadmap_import import (
    MAX_FILE_BYTES,
    MAX_ZIP_MEMBERS,
    ImportRefused,
    _looks_like_bomb,
)
from bot.services.text_cleaning import clean_text

if TYPE_CHECKING:  # openpyxl itself is imported only when a workbook arrives
    from openpyxl.worksheet.worksheet import Worksheet

MAX_ROWS_PER_SHEET = 3000
MAX_COLUMNS = 30
HEADER_ROWS = 10
MAX_CELL = 500


class Sheet(StrEnum):
    MUNICIPALITIES = "municipalities"
    SCHOOLS = "schools"
    PEOPLE = "people"
    ASSIGNMENTS = "assignments"


# The sheet's title as we write it (export, template, messages), and how people name it.
SHEET_TITLES = {
    Sheet.MUNICIPALITIES: "Муниципалитеты",
    Sheet.SCHOOLS: "Школы",
    Sheet.PEOPLE: "Люди",
    Sheet.ASSIGNMENTS: "Кураторы",
}
_SHEET_NAMES = [
    (Sheet.ASSIGNMENTS, r"куратор|закреплен|назначен"),
    (Sheet.MUNICIPALITIES, r"муницип|территор|\bмо\b|округ"),
    (Sheet.SCHOOLS, r"школ|\bоо\b|организац"),
    (Sheet.PEOPLE, r"люд|участник|сотрудник|пользовател|контакт|персонал"),
]

# Per sheet, in matching order (the first column a header matches wins): key, pattern.
COLUMNS: dict[Sheet, list[tuple[str, str]]] = {
    Sheet.MUNICIPALITIES: [
        ("timezone", r"час|пояс|зона|timezone"),
        ("authority", r"орган|управлени"),
        ("region", r"регион|субъект"),
        ("name", r"муницип|наименован|назван|\bмо\b|округ|район|город"),
    ],
    Sheet.SCHOOLS: [
        ("nonobjectivity", r"необъектив"),
        ("shnsu", r"шнсу|неблагоприят"),
        ("shnor", r"шнор|низк\w* (образоват|результат)"),
        ("status", r"статус|в проекте|участ"),
        ("director", r"директор|руководител"),
        ("municipality", r"муницип|\bмо\b|округ|район|город|территор"),
        ("short_name", r"кратк|сокращ"),
        ("full_name", r"полн|наименован|назван|^школа$|^оо$|организац"),
    ],
    Sheet.PEOPLE: [
        ("full_name", r"фио|ф\.и\.о|фамилия"),
        ("position", r"должн"),
        ("role", r"^рол"),
        ("organisation", r"мест\w* работ|организац"),
        ("municipality", r"^муницип|^мо$|^округ|^район"),
        ("scope", r"област|сфер|охват|действ|территор|школ|муницип|регион"),
    ],
    Sheet.ASSIGNMENTS: [
        ("year", r"год|период"),
        ("municipality", r"муницип|\bмо\b|округ|район"),
        ("curator", r"куратор|фио"),
        ("school", r"школ|\bоо\b|организац|наименован"),
    ],
}
REQUIRED: dict[Sheet, tuple[str, ...]] = {
    Sheet.MUNICIPALITIES: ("name", "timezone"),
    Sheet.SCHOOLS: ("full_name",),
    Sheet.PEOPLE: ("full_name", "role"),
    Sheet.ASSIGNMENTS: ("curator", "school"),
}
# The headers we write (export and template), in this order.
HEADERS: dict[Sheet, list[tuple[str, str]]] = {
    Sheet.MUNICIPALITIES: [
        ("name", "Муниципалитет"),
        ("timezone", "Часовой пояс"),
        ("region", "Регион"),
        ("authority", "Орган управления образованием"),
    ],
    Sheet.SCHOOLS: [
        ("full_name", "Полное наименование"),
        ("short_name", "Краткое наименование"),
        ("municipality", "Муниципалитет"),
        ("shnor", "ШНОР"),
        ("shnsu", "ШНСУ"),
        ("nonobjectivity", "Признаки необъективности"),
        ("status", "Статус в проекте"),
        ("director", "Директор"),
    ],
    Sheet.PEOPLE: [
        ("full_name", "ФИО"),
        ("position", "Должность"),
        ("role", "Роль"),
        ("scope", "Область действия"),
        ("municipality", "Муниципалитет"),
        ("organisation", "Место работы"),
    ],
    Sheet.ASSIGNMENTS: [
        ("curator", "Куратор (ФИО)"),
        ("school", "Школа"),
        ("municipality", "Муниципалитет"),
        ("year", "Учебный год"),
    ],
}


@dataclass(frozen=True)
class SheetRow:
    row: int  # the row's number as Excel shows it
    values: dict[str, str]


@dataclass(frozen=True)
class SheetProblem:
    sheet: Sheet
    row: int | None
    reason: str


@dataclass
class DirectoryBook:
    rows: dict[Sheet, list[SheetRow]] = field(default_factory=dict)
    problems: list[SheetProblem] = field(default_factory=list)


def read_directory(content: bytes, file_name: str = "directory.xlsx") -> DirectoryBook:
    """The workbook's known sheets, row by row; raises ImportRefused for an unreadable file."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused("directory_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not (file_name.lower().endswith(".xlsx") or content[:2] == b"PK"):
        raise ImportRefused("directory_not_xlsx")
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportRefused("directory_not_xlsx") from None
    if len(members) > MAX_ZIP_MEMBERS or _looks_like_bomb(members):
        raise ImportRefused("import_zip_bomb")
    from openpyxl import load_workbook

    try:
        # Not read_only: merged ranges are only known to a fully loaded sheet. The zip checks
        # above bound what loading can cost.
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise ImportRefused("directory_not_xlsx") from None
    book = DirectoryBook()
    for worksheet in workbook.worksheets:
        kind = sheet_kind(worksheet.title)
        if kind in book.rows:
            continue
        if worksheet.max_row > MAX_ROWS_PER_SHEET + HEADER_ROWS:
            raise ImportRefused("directory_too_many_rows", limit=MAX_ROWS_PER_SHEET)
        table = _table(worksheet)
        # «Лист1»: a sheet named by nobody is known by its header row.
        kind = kind or kind_by_header(table)
        if kind is None or kind in book.rows:
            continue
        book.rows[kind] = _sheet_rows(kind, table, book.problems)
    if not book.rows:
        raise ImportRefused("directory_no_sheets")
    return book


def sheet_kind(title: str) -> Sheet | None:
    label = _label(title)
    for kind, pattern in _SHEET_NAMES:
        if re.search(pattern, label):
            return kind
    return None


def kind_by_header(table: list[list[object]]) -> Sheet | None:
    """The table a header row names: the kind whose required columns are all there and
    which understands the most columns (a curators' «Куратор, Школа» row is not a list of
    schools; «ФИО директора» on a schools' row does not make it curators)."""
    best: tuple[int, Sheet] | None = None
    for row in table[:HEADER_ROWS]:
        for kind in Sheet:
            columns = _header_map(kind, row)
            if set(REQUIRED[kind]) <= columns.keys() and (best is None or len(columns) > best[0]):
                best = (len(columns), kind)
    return best[1] if best else None


def _label(text: object) -> str:
    value = clean_text(str(text or ""), single_line=True).lower().replace("ё", "е")
    return value.strip(" *:.")


def _table(worksheet: Worksheet) -> list[list[object]]:
    width = min(worksheet.max_column or 0, MAX_COLUMNS)
    table: list[list[object]] = [
        list(row)
        for row in worksheet.iter_rows(
            min_row=1, max_row=worksheet.max_row, max_col=width, values_only=True
        )
    ]
    # A merged range keeps its value in the top-left cell only: spread it over the range.
    for merged in worksheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(table) or left >= width:
            continue
        value = table[top][left]
        for r in range(top, min(merged.max_row, len(table))):
            for c in range(left, min(merged.max_col, width)):
                table[r][c] = value
    return table


def _header_map(kind: Sheet, header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = _label(cell)
        if not label or label.startswith("№"):
            continue
        for key, pattern in COLUMNS[kind]:
            if re.search(pattern, label):
                if key not in found:
                    found[key] = index
                break
    return found


def _sheet_rows(
    kind: Sheet, table: list[list[object]], problems: list[SheetProblem]
) -> list[SheetRow]:
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(table[:HEADER_ROWS]):
        columns = _header_map(kind, row)
        if set(REQUIRED[kind]) <= columns.keys() and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    if best is None:
        expected = ", ".join(f"«{title}»" for _key, title in HEADERS[kind])
        problems.append(SheetProblem(kind, None, f"не нашёл заголовки; нужны столбцы {expected}"))
        return []
    header_index, columns = best
    rows: list[SheetRow] = []
    for offset, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        values = {key: cell_text(row, index) for key, index in columns.items()}
        if not any(values.values()):
            continue
        rows.append(SheetRow(offset, values))
    return rows


def cell_text(row: list[object], index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    # Excel turns a typed «01.09.2026» into a date, «7» into 7.0 and ИСТИНА into True.
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value), single_line=True).strip()

"""Reading a roadmap from XLSX or CSV: every row validated, every problem named by row.

Limits are checked before parsing: the file's size, an XLSX's uncompressed size (zip
bombs), the number of rows. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.services.deadlines import DeadlineUnreadable, parse_deadline
from bot.services.school_year import SchoolYear

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_ROWS = 1000
MAX_MEASURE = 2000
MAX_CELL = 1000
MAX_ZIP_MEMBERS = 500
MAX_RATIO = 200  # deflated XML of a real workbook stays far below this
MAX_COLUMNS = 20
HEADER_ROWS = 10
MAX_SCANNED_ROWS = 10 * MAX_ROWS  # empty rows too: a sheet padded to row 1,000,000
MERGED_MARK = "__merged__"

COLUMNS = {
    "number": ("№", "номер", "n"),
    "section": ("раздел", "направление"),
    "risk": ("фактор",),
    "measure": ("мероприят",),
    "deadline": ("срок",),
    "responsible": ("ответствен", "исполнител"),
    "expected": ("ожидаем", "результат", "показател"),
}
REQUIRED = ("number", "measure", "deadline")
HEADERS = [
    "№",
    "Раздел / направление",
    "Фактор риска",
    "Мероприятие",
    "Срок",
    "Ответственные",
    "Ожидаемый результат / показатель",
]


@dataclass(frozen=True)
class ParsedItem:
    row: int
    number: str
    section: str | None
    risk_factor_id: int | None
    measure: str
    deadline_text: str
    due_date: str | None  # ISO; the preview survives a restart as JSON
    is_recurring: bool
    responsible: str | None
    expected_result: str | None


@dataclass
class ParsedRoadmap:
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(item.section for item in self.items if item.section))


class ImportRefused(ValueError):
    """The file as a whole cannot be read; `code` names the catalog message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_roadmap(
    content: bytes, file_name: str, year: int, risk_titles: dict[int, str]
) -> ParsedRoadmap:
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused("import_too_big", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    name = file_name.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        table = _xlsx_rows(content)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(content)
    else:
        raise ImportRefused("import_wrong_type")
    return _parse_table(table, year, risk_titles)


def _xlsx_rows(content: bytes) -> list[list[object]]:
    """Rows of the first sheet, streamed (read_only) and counted as they come."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportRefused("import_not_xlsx") from None
    # Declared sizes: zipfile stops at the declared size and fails the CRC if a member
    # inflates beyond it, so checking them up front is enough to refuse a zip bomb.
    if len(members) > MAX_ZIP_MEMBERS or _looks_like_bomb(members):
        raise ImportRefused("import_zip_bomb")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        merged = _merged_ranges(archive, getattr(sheet, "_worksheet_path", ""))
        rows = _bounded_rows(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise ImportRefused("import_not_xlsx") from None
    if merged:
        rows.insert(0, [MERGED_MARK, ", ".join(merged[:5])])
    return rows


def _looks_like_bomb(members: list[zipfile.ZipInfo]) -> bool:
    if sum(info.file_size for info in members) > MAX_UNCOMPRESSED_BYTES:
        return True
    return any(
        info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        for info in members
    )


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> list[str]:
    """read_only mode does not expose merged cells: read them from the sheet's XML."""
    name = sheet_path.lstrip("/")
    if name not in archive.namelist():
        return []
    return [
        ref.decode()
        for ref in re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z0-9:]+)"', archive.read(name))
    ]


def _bounded_rows(source: Iterable[Iterable[object]]) -> list[list[object]]:
    rows: list[list[object]] = []
    filled = 0
    for scanned, row in enumerate(source, start=1):
        values = list(row)
        if any(value not in (None, "") for value in values):
            filled += 1
        if filled > MAX_ROWS + HEADER_ROWS or scanned > MAX_SCANNED_ROWS:
            raise ImportRefused("import_too_many_rows", limit=MAX_ROWS)
        rows.append(values)
    return rows


def _csv_rows(content: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("import_wrong_type")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return _bounded_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # stray carriage returns, NUL bytes: not a table we can trust
        raise ImportRefused("import_wrong_type") from None


def _header_map(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip().lower()
        for key, stems in COLUMNS.items():
            if key not in found and any(label.startswith(stem) or stem in label for stem in stems):
                found[key] = index
                break
    return found


def _cell(row: list[object], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    # Excel turns a typed «15.03.2023» into a date and «7» into 7.0: give them back as typed.
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.strftime("%d.%m.%Y")
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _parse_table(
    table: list[list[object]], year: int, risk_titles: dict[int, str]
) -> ParsedRoadmap:
    result = ParsedRoadmap()
    if table and table[0] and table[0][0] == MERGED_MARK:
        result.problems.append(f"объединённые ячейки ({table[0][1]}) — разъедините их в файле")
        return result
    header_index = next(
        (i for i, row in enumerate(table[:10]) if _header_map(row).keys() >= set(REQUIRED)), None
    )
    if header_index is None:
        raise ImportRefused("import_wrong_columns", columns=", ".join(HEADERS))
    columns = _header_map(table[header_index])
    seen: set[str] = set()
    for offset, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        values = {key: _cell(row, columns.get(key)) for key in COLUMNS}
        if not any(values.values()):
            continue
        problem = _row_problem(offset, values, seen)
        if problem:
            result.problems.append(problem)
            continue
        try:
            deadline = parse_deadline(values["deadline"], SchoolYear(year))
        except DeadlineUnreadable:
            result.problems.append(f"строка {offset}: не понял срок «{values['deadline'][:60]}»")
            continue
        risk = _risk(values["risk"], risk_titles)
        if values["risk"] and risk is None:
            result.problems.append(
                f"строка {offset}: неизвестный фактор риска «{values['risk'][:60]}»"
            )
            continue
        number = values["number"].rstrip(".")
        seen.add(number)
        result.items.append(
            ParsedItem(
                row=offset,
                number=number,
                section=values["section"][:500] or None,
                risk_factor_id=risk,
                measure=values["measure"],
                deadline_text=values["deadline"][:200],
                due_date=deadline.due.isoformat() if deadline.due else None,
                is_recurring=deadline.recurring,
                responsible=values["responsible"] or None,
                expected_result=values["expected"] or None,
            )
        )
    if not result.items and not result.problems:
        result.problems.append("в файле нет ни одного мероприятия")
    return result


def _row_problem(row: int, values: dict[str, str], seen: set[str]) -> str | None:
    for key, value in values.items():
        if value.startswith("="):
            return f"строка {row}: формула вместо значения — вставьте значения"
        limit = MAX_MEASURE if key == "measure" else MAX_CELL
        if len(value) > limit:
            return f"строка {row}: слишком длинный текст ({len(value)} символов, до {limit})"
    number = values["number"].rstrip(".")
    if not number:
        return f"строка {row}: нет номера мероприятия"
    if not re.fullmatch(r"\d{1,4}(\.\d{1,3}){0,2}", number):
        return f"строка {row}: номер «{number[:20]}» — ожидается число, например 7 или 2.1"
    if number in seen:
        return f"строка {row}: номер {number} повторяется"
    if not values["measure"]:
        return f"строка {row}: нет текста мероприятия"
    if not values["deadline"]:
        return f"строка {row}: не указан срок"
    return None


def _risk(value: str, titles: dict[int, str]) -> int | None:
    if not value:
        return None
    match = re.match(r"\s*(\d{1,2})\b", value)
    if match and int(match.group(1)) in titles:
        return int(match.group(1))
    lowered = value.lower()
    for number, title in titles.items():
        if lowered[:25] and title.lower().startswith(lowered[:25]):
            return number
    return None

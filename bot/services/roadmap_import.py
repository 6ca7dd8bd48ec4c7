"""Reading a roadmap from XLSX or CSV: every row validated, every problem named by row.

Limits are checked before parsing: the file's size, an XLSX's uncompressed size (zip
bombs), the number of rows. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from bot.services.deadlines import DeadlineUnreadable, parse_deadline

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
MAX_ROWS = 1000
MAX_MEASURE = 2000
MAX_CELL = 1000

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
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
            raise ImportRefused("import_zip_bomb")
    except zipfile.BadZipFile:
        raise ImportRefused("import_not_xlsx") from None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise ImportRefused("import_not_xlsx") from None
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS + 1:
        raise ImportRefused("import_too_many_rows", limit=MAX_ROWS)
    merged = [str(cells) for cells in sheet.merged_cells.ranges]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    if merged:
        rows.insert(0, ["__merged__", ", ".join(merged[:5])])
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
    if text.count("\n") > MAX_ROWS + 1:
        raise ImportRefused("import_too_many_rows", limit=MAX_ROWS)
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    )
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
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
    return re.sub(r"\s+", " ", str(row[index])).strip()


def _parse_table(
    table: list[list[object]], year: int, risk_titles: dict[int, str]
) -> ParsedRoadmap:
    result = ParsedRoadmap()
    if table and table[0] and table[0][0] == "__merged__":
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
            deadline = parse_deadline(values["deadline"], year)
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
    if not re.fullmatch(r"\d{1,3}(\.\d{1,3}){0,2}", number):
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

"""Tables people keep in Excel or CSV, read safely: the generic half of a file import.

    sheet = read_table(content, file_name, Limits())    # raises TableRefused(code, **params)
    header = find_header(sheet.rows, {"measure": ("мероприят",), ...})
    header.row, header.columns["measure"]                # 0-based row, column index

What it does for every caller:
- refuses whole files that are too big, not a table, zip bombs, too many rows (codes
  `import_too_big`, `import_wrong_type`, `import_not_xlsx`, `import_zip_bomb`,
  `import_too_many_rows`; catalog texts in bot/texts.ERRORS);
- XLSX: the first sheet (or the first of three whose top rows `wanted` accepts), streamed
  with openpyxl read_only; merged ranges read from the
  sheet's XML (read_only does not expose them); a range spanning several rows has its
  value copied down its first column (a «в течение года» merged over five items); a range
  spanning several columns of one row is remembered in `Sheet.merged_rows` (a title or
  a section heading) and not copied across;
- CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251; «;», «,» or tab,
  whichever splits the first lines most consistently;
- every text cleaned with `clean_text` (control and invisible characters, NUL on
  PostgreSQL) and its whitespace collapsed; Excel dates stay `date`, whole floats `int`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.services.text_cleaning import clean_text

if TYPE_CHECKING:  # openpyxl itself is imported only when an .xlsx arrives
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | date | None
SHEETS_LOOKED_AT = 3


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 2 * 1024 * 1024
    uncompressed_bytes: int = 30 * 1024 * 1024
    zip_members: int = 500
    ratio: int = 200  # deflated XML of a real workbook stays far below this
    rows: int = 1000  # filled rows, the header and title rows aside
    header_rows: int = 15
    columns: int = 20
    # CSV: a line this long or with this many fields is no roadmap row; it is refused
    # before the csv module splits it (a 2 MB line of semicolons took 19 s).
    line_chars: int = 20_000
    fields: int = 200

    @property
    def scanned_rows(self) -> int:  # empty rows too: a sheet padded to row 1,000,000
        return 10 * self.rows


class TableRefused(ValueError):
    """The file as a whole cannot be read; `code` names the catalog message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    rows: list[list[Cell]]
    # 0-based rows where a merged range spans two or more columns (titles, sections).
    merged_rows: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Header:
    row: int  # 0-based index in Sheet.rows
    columns: dict[str, int]  # key → 0-based column
    labels: dict[str, str]  # key → the label as written in the file


def read_table(
    content: bytes,
    file_name: str,
    limits: Limits = Limits(),
    *,
    wanted: Callable[[list[list[Cell]]], bool] | None = None,
) -> Sheet:
    """The table of a CSV, or of an XLSX's first sheet — or of the first of its first
    `SHEETS_LOOKED_AT` sheets whose top `limits.header_rows` rows `wanted` accepts (a cover
    sheet or a list of abbreviations before the plan)."""
    if len(content) > limits.file_bytes:
        raise TableRefused("import_too_big", limit_mb=limits.file_bytes // (1024 * 1024))
    name = file_name.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        return _xlsx(content, limits, wanted)
    if name.endswith((".csv", ".txt")):
        return _csv(content, limits)
    raise TableRefused("import_wrong_type")


def cell_text(value: Cell) -> str:
    """A cell as a person typed it: «15.03.2023» rather than a datetime, 7 rather than 7.0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_label(text: str) -> str:
    """«№ п\\п», «Сроки:» → «№ п/п», «сроки»: lower case, ё→е, no punctuation at the ends."""
    label = text.lower().replace("ё", "е").replace("\\", "/")
    label = re.sub(r"\s+", " ", label)
    return label.strip(" .:;,*()")


def find_header(
    rows: Sequence[Sequence[Cell]],
    columns: Mapping[str, Sequence[str]],
    *,
    scan: int = 15,
    longest_label: int = 100,
) -> Header | None:
    """The row among the first `scan` naming the most known columns (the first on a tie).

    `columns` maps a key to label stems, tried in the mapping's order for every cell: a
    cell is the first key one of whose stems starts the label or occurs in it. Long cells
    (a title) are no labels. None when no row names any column.
    """
    best: Header | None = None
    for index, row in enumerate(rows[:scan]):
        found = match_labels(row, columns, longest_label=longest_label)
        if found.columns and (best is None or len(found.columns) > len(best.columns)):
            best = Header(index, found.columns, found.labels)
    return best


def match_labels(
    row: Sequence[Cell], columns: Mapping[str, Sequence[str]], *, longest_label: int = 100
) -> Header:
    found: dict[str, int] = {}
    labels: dict[str, str] = {}
    for position, value in enumerate(row):
        written = cell_text(value).strip()
        label = normalise_label(written)
        if not label or len(label) > longest_label:
            continue
        for key, stems in columns.items():
            if key not in found and any(
                label.startswith(stem) or (len(stem) > 2 and stem in label) for stem in stems
            ):
                found[key] = position
                labels[key] = written
                break
    return Header(-1, found, labels)


# -- XLSX ---------------------------------------------------------------------------------


def _xlsx(
    content: bytes, limits: Limits, wanted: Callable[[list[list[Cell]]], bool] | None
) -> Sheet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise TableRefused("import_not_xlsx") from None
    # Declared sizes: zipfile stops at the declared size and fails the CRC if a member
    # inflates beyond it, so checking them up front is enough to refuse a zip bomb.
    if len(members) > limits.zip_members or looks_like_bomb(members, limits):
        raise TableRefused("import_zip_bomb")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = _wanted_sheet(workbook.worksheets[:SHEETS_LOOKED_AT], limits, wanted)
        merged = _merged_ranges(archive, getattr(sheet, "_worksheet_path", ""))
        rows = _bounded(sheet.iter_rows(max_col=limits.columns, values_only=True), limits)
    except TableRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise TableRefused("import_not_xlsx") from None
    return _apply_merges(rows, merged)


def _wanted_sheet(
    sheets: Sequence[Worksheet],
    limits: Limits,
    wanted: Callable[[list[list[Cell]]], bool] | None,
) -> Worksheet:  # a ReadOnlyWorksheet, which the stubs type as one
    if wanted is not None:
        for sheet in sheets:
            top = sheet.iter_rows(max_row=limits.header_rows, max_col=limits.columns)
            if wanted([[_clean(cell.value) for cell in row] for row in top]):
                return sheet
    return sheets[0]


def looks_like_bomb(members: list[zipfile.ZipInfo], limits: Limits = Limits()) -> bool:
    """Declared sizes past the limits: too big in all, or one member deflated too far."""
    if sum(info.file_size for info in members) > limits.uncompressed_bytes:
        return True
    return any(
        info.file_size > 1024 * 1024 and info.file_size > limits.ratio * max(info.compress_size, 1)
        for info in members
    )


_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column), 0-based, from the sheet's XML."""
    name = sheet_path.lstrip("/")
    if name not in archive.namelist():
        return []
    return [
        (int(r1) - 1, _column(c1), int(r2) - 1, _column(c2))
        for c1, r1, c2, r2 in _REF.findall(archive.read(name))
    ]


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _apply_merges(rows: list[list[Cell]], merged: list[tuple[int, int, int, int]]) -> Sheet:
    sheet = Sheet(rows)
    for first_row, first_col, last_row, last_col in merged:
        if first_row >= len(rows):
            continue
        if last_col > first_col:
            sheet.merged_rows.add(first_row)
        row = rows[first_row]
        value = row[first_col] if first_col < len(row) else None
        for below in rows[first_row + 1 : last_row + 1]:
            if first_col < len(below) and below[first_col] in (None, ""):
                below[first_col] = value
    return sheet


# -- CSV ----------------------------------------------------------------------------------


def decode_text(content: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM (Excel's «Unicode text»), else Windows-1251."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise TableRefused("import_wrong_type") from None
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableRefused("import_wrong_type")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of fields most often.

    Russian Excel writes «;»; commas are everywhere in Russian prose, so a raw count
    would pick «,» for a «;» file; consistency across lines does not.
    """
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", (0, 0)
    for delimiter in (";", ",", "\t"):
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if len(row) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _csv(content: bytes, limits: Limits) -> Sheet:
    # A NUL or a stray \r is no table structure; other control characters go cell by cell
    # (cleaning 2 MB of text at once costs seconds and a hundred megabytes).
    text = decode_text(content).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(_capped_lines(text, delimiter, limits), delimiter=delimiter)
    try:
        rows = _bounded(([v for v in row[: limits.columns]] for row in reader), limits)
    except csv.Error:
        raise TableRefused("import_wrong_type") from None
    return Sheet(rows)


def _capped_lines(text: str, delimiter: str, limits: Limits) -> Iterator[str]:
    for line in io.StringIO(text, newline=""):
        if len(line) > limits.line_chars or line.count(delimiter) >= limits.fields:
            raise TableRefused("import_too_wide", limit=limits.columns)
        yield line


# -- both ---------------------------------------------------------------------------------


def _clean(value: object) -> Cell:
    if value is None or isinstance(value, int | float | date):
        return value
    text = str(value)
    if not text.isprintable():  # C speed; false for every character clean_text drops
        text = clean_text(text)
    text = " ".join(text.split())
    return text or None


def _bounded(source: Iterable[Iterable[object]], limits: Limits) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    filled = 0
    for scanned, row in enumerate(source, start=1):
        values = [_clean(value) for value in row]
        if any(value is not None for value in values):
            filled += 1
        if filled > limits.rows + limits.header_rows or scanned > limits.scanned_rows:
            raise TableRefused("import_too_many_rows", limit=limits.rows)
        rows.append(values)
    return rows

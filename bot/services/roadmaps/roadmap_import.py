"""Reading a roadmap as schools keep it (XLSX or CSV): every row understood or named by row.

A title row above the header gives the year («на 2023 год»; «2019-2020 учебном году» → 2019,
a school year by its first year), else the deadlines do (`_year_from_dates`). The header is
found among the first rows and its columns matched by meaning; a row with text and no item
number (usually merged across the table) is a section heading that the items below belong
to; a risk factor is read by its number or its words. What can be kept is kept: an item
with no deadline, or one whose wording is not understood, is loaded undated with its text
(«без срока»), an unknown risk factor is left empty, an unnumbered item gets the next
number — each said in `notes`. Rows that cannot be items are `problems`. File limits and
reading live in `bot.services.tables`. Nothing here touches the database.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot import texts
from bot.services.roadmaps.deadlines import DeadlineUnreadable, parse_deadline
from bot.services.school_year import SchoolYear
from bot.services.tables import (
    Cell,
    Limits,
    Sheet,
    TableRefused,
    cell_text,
    find_header,
    looks_like_bomb,
    normalise_label,
    read_table,
)

LIMITS = Limits()
MAX_FILE_BYTES = LIMITS.file_bytes
MAX_ZIP_MEMBERS = LIMITS.zip_members  # the directory import shares these two
_looks_like_bomb = looks_like_bomb
MAX_ROWS = LIMITS.rows
HEADER_ROWS = LIMITS.header_rows
MAX_MEASURE = 2000
MAX_CELL = 1000
MAX_SECTION = 500
MAX_DEADLINE = 200

# Tried in this order for every header cell: «Срок исполнения мероприятия» is a deadline,
# «Ответственные исполнители» people, «Мероприятия по снижению рисков» the measure.
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("№", "n п/п", "номер", "п/п", "n"),
    "deadline": ("срок", "дата", "период"),
    "mark": ("отметка", "отметки"),
    "responsible": ("ответствен", "исполнител"),
    "expected": ("ожидаем", "результат", "показател"),
    "measure": ("мероприят", "содержание", "наименование", "действи"),
    "risk": ("фактор", "риск"),
    "section": ("раздел", "направлени"),
}
COLUMN_NAMES = {  # as a message names a column
    "number": "№",
    "measure": "Мероприятия",
    "deadline": "Сроки",
    "responsible": "Ответственные исполнители",
    "risk": "Фактор риска",
    "section": "Раздел",
    "expected": "Ожидаемый результат",
    "mark": "Отметка об исполнении",
}
HEADERS = [  # the template's header row (/template)
    "№",
    "Раздел / направление",
    "Фактор риска",
    "Мероприятие",
    "Срок",
    "Ответственные",
    "Ожидаемый результат / показатель",
]
_NUMBER = re.compile(r"\d{1,4}(\.\d{1,3}){0,2}")
_SCHOOL_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*[-–—/]\s*(20\d{2}|\d{2})(?!\d)")
_CALENDAR_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)\s*(?:г\b|г\.|год)")
_ANY_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_RISK_NUMBER = re.compile(
    r"^\s*(?:(?:фактор|риск)[а-я]*\s*(?:риска)?\s*)?№?\s*(\d{1,2})(?![\dа-яa-z])"
)
_WORD = re.compile(r"[а-яa-z]{3,}")
_RISK_NOISE = {"факт", "риск"}
RISK_TEXT = 150
TYPO_TEXT = 90  # difflib only for a name-sized text: it is quadratic


@dataclass(frozen=True)
class ParsedItem:
    row: int
    number: str
    section: str | None
    risk_factor_id: int | None
    measure: str
    deadline_text: str  # "" when the file gives none
    due_date: str | None  # ISO; the preview survives a restart as JSON
    is_recurring: bool
    responsible: str | None
    expected_result: str | None


@dataclass
class ParsedRoadmap:
    items: list[ParsedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows left out
    notes: list[str] = field(default_factory=list)  # rows kept, with what was assumed
    year: int = 0  # the year deadlines were read in
    year_source: str | None = None  # "title", "dates" or None (the caller's choice)
    year_wording: str | None = None  # the words the year was read from
    detected_year: int | None = None  # from the file, whatever `year` was asked

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(item.section for item in self.items if item.section))

    @property
    def undated(self) -> int:
        return sum(1 for item in self.items if item.due_date is None and not item.is_recurring)


class ImportRefused(ValueError):
    """The file as a whole cannot be read; `code` names the catalog message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_roadmap(
    content: bytes,
    file_name: str,
    year: int | None,
    risk_titles: dict[int, str],
    *,
    fallback_year: int | None = None,
) -> ParsedRoadmap:
    """`year` None: the file's own year (title, then dates), else `fallback_year`."""
    try:
        sheet = read_table(content, file_name, LIMITS, wanted=_has_measures)
    except TableRefused as refused:
        raise ImportRefused(refused.code, **refused.params) from None
    return parse_sheet(sheet, year, risk_titles, fallback_year=fallback_year)


def _has_measures(top: list[list[Cell]]) -> bool:
    header = find_header(top, COLUMNS, scan=HEADER_ROWS)
    return header is not None and "measure" in header.columns


def parse_sheet(
    sheet: Sheet,
    year: int | None,
    risk_titles: dict[int, str],
    *,
    fallback_year: int | None = None,
) -> ParsedRoadmap:
    rows = sheet.rows
    header = find_header(rows, COLUMNS, scan=HEADER_ROWS)
    if header is None:
        raise ImportRefused("import_wrong_columns", scanned=HEADER_ROWS)
    if "measure" not in header.columns:
        found = ", ".join(f"«{label}»" for label in header.labels.values())
        raise ImportRefused(
            "import_missing_column", column=COLUMN_NAMES["measure"], row=header.row + 1, found=found
        )
    columns = header.columns
    result = ParsedRoadmap()
    detected = _year_from_title(rows[: header.row]) or _year_from_dates(rows, header.row, columns)
    if detected:
        result.detected_year, result.year_source, result.year_wording = detected
    result.year = year or result.detected_year or fallback_year or datetime.now(UTC).year
    if year:
        result.year_source = None
    risk_reader = _RiskReader(risk_titles)
    header_labels = [normalise_label(cell_text(v)) for v in rows[header.row]]
    seen: set[str] = set()
    section: str | None = None
    pending: dict[str, str] | None = None
    pending_row = 0

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            _add_item(result, pending_row, pending, section_of_pending, risk_reader, seen)
        pending = None

    section_of_pending: str | None = None
    for index in range(header.row + 1, len(rows)):
        row = rows[index]
        line = index + 1
        filled = [(i, cell_text(v).strip()) for i, v in enumerate(row) if cell_text(v).strip()]
        if not filled:
            continue
        if _repeats_header(row, header_labels) or _column_numbers(filled):
            continue  # the header again after a page break, or the «1 2 3 4» row under it
        values = {key: cell_text(_at(row, i)).strip() for key, i in columns.items()}
        if "number" in columns:
            values["number"] = _item_number(_at(row, columns["number"]), values["number"])
        number = values.get("number", "").rstrip(".")
        is_number = bool(_NUMBER.fullmatch(number))
        heading = (
            _numbered_heading(rows, index, filled, columns, number)
            if is_number
            else _is_heading(filled, columns, index in sheet.merged_rows)
        )
        if heading:
            flush()
            section = " ".join(text for _, text in filled)[:MAX_SECTION]
            continue
        if not is_number and not number and not values.get("measure") and pending is not None:
            for key, text in values.items():  # a cell carried over to the next row
                if text and key not in ("number", "measure"):
                    pending[key] = f"{pending.get(key, '')} {text}".strip()
            continue
        flush()
        if number and not is_number:
            result.problems.append(texts.import_bad_number(line, number))
            continue
        if not number:
            number = _next_number(seen)
            values["number"] = number
            result.notes.append(texts.import_numbered(line, number))
        pending, pending_row, section_of_pending = values, line, section
    flush()
    for item_index, item in enumerate(result.items):
        result.items[item_index] = _with_deadline(result, item)
    result.notes.sort(key=lambda note: int(note.split()[1].rstrip(":")))  # «строка N: …»
    if not result.items and not result.problems:
        result.problems.append(texts.IMPORT_NO_ITEMS)
    return result


def _item_number(value: Cell, text: str) -> str:
    """Russian Excel turns a typed «1.2» into 1 February: give the number back."""
    if isinstance(value, date) and value.year > 1900:
        return f"{value.day}.{value.month}"
    return text


def _at(row: list[Cell], index: int) -> Cell:
    return row[index] if index < len(row) else None


def _repeats_header(row: list[Cell], header_labels: list[str]) -> bool:
    labels = [normalise_label(cell_text(v)) for v in row]
    width = max(len(labels), len(header_labels))
    labels += [""] * (width - len(labels))
    return labels == header_labels + [""] * (width - len(header_labels))


def _column_numbers(filled: list[tuple[int, str]]) -> bool:
    return len(filled) >= 3 and [text for _, text in filled] == [
        str(n) for n in range(1, len(filled) + 1)
    ]


def _is_heading(filled: list[tuple[int, str]], columns: dict[str, int], merged: bool) -> bool:
    """One text in the number, section or measure column (or one merged across the row)."""
    texts = {text for _, text in filled}
    if len(texts) != 1:
        return False
    where = {columns.get(key) for key in ("number", "section", "measure")}
    return merged or filled[0][0] in where or filled[0][0] < min(columns.values())


def _numbered_heading(
    rows: list[list[Cell]],
    index: int,
    filled: list[tuple[int, str]],
    columns: dict[str, int],
    number: str,
) -> bool:
    """«1. | Организационные мероприятия» over «1.1», «1.2»: a numbered section, not an item."""
    if len(filled) != 2 or filled[0][0] != columns.get("number"):
        return False
    column = columns["number"]
    for row in rows[index + 1 : index + 4]:
        cell = _at(row, column)
        following = _item_number(cell, cell_text(cell).strip())
        if following:
            return following.startswith(number + ".") and len(following) > len(number) + 1
    return False


def _next_number(seen: set[str]) -> str:
    whole = [int(n.split(".")[0]) for n in seen if n.split(".")[0].isdigit()]
    return str(max(whole, default=0) + 1)


def _add_item(
    result: ParsedRoadmap,
    line: int,
    values: dict[str, str],
    section: str | None,
    risks: _RiskReader,
    seen: set[str],
) -> None:
    number = values["number"].rstrip(".")
    for key, value in values.items():
        if value.startswith("="):
            result.problems.append(texts.import_formula(line))
            return
        limit = MAX_MEASURE if key == "measure" else MAX_CELL
        if len(value) > limit:
            result.problems.append(texts.import_too_long(line, len(value), limit))
            return
    if number in seen:
        result.problems.append(texts.import_number_repeated(line, number))
        return
    if not values.get("measure"):
        result.problems.append(texts.import_no_measure(line))
        return
    seen.add(number)
    risk_text = values.get("risk", "")
    risk = risks.read(risk_text)
    if risk_text and risk is None:
        result.notes.append(texts.import_unknown_risk(line, risk_text))
    expected = values.get("expected") or ""
    mark = values.get("mark")
    if mark:  # the file's «Отметка об исполнении»: kept beside the expected result
        expected = texts.import_expected_with_mark(expected, mark).strip()
    result.items.append(
        ParsedItem(
            row=line,
            number=number,
            section=(values.get("section") or section or "")[:MAX_SECTION] or None,
            risk_factor_id=risk,
            measure=values["measure"],
            deadline_text=values.get("deadline", "")[:MAX_DEADLINE],
            due_date=None,
            is_recurring=False,
            responsible=values.get("responsible") or None,
            expected_result=expected[: MAX_CELL * 2] or None,
        )
    )


def _reading_year(result: ParsedRoadmap) -> int | SchoolYear:
    """A plan «на 2023 год» reads «до 20.03» in 2023; any other in its school year."""
    calendar = result.year_source == "title" and not re.search(r"[-–—/]", result.year_wording or "")
    return result.year if calendar else SchoolYear(result.year)


def _with_deadline(result: ParsedRoadmap, item: ParsedItem) -> ParsedItem:
    if not item.deadline_text:
        return item
    try:
        deadline = parse_deadline(item.deadline_text, _reading_year(result))
    except DeadlineUnreadable:
        result.notes.append(texts.import_deadline_unread(item.row, item.deadline_text))
        return item
    return ParsedItem(
        **{
            **item.__dict__,
            "due_date": deadline.due.isoformat() if deadline.due else None,
            "is_recurring": deadline.recurring,
        }
    )


# -- the year -----------------------------------------------------------------------------


def _year_from_title(rows: list[list[Cell]]) -> tuple[int, str, str] | None:
    """«2019-2020 учебный год» → 2019 (a school year by its first year), «на 2023 год» → 2023."""
    for row in rows:
        for value in row:
            text = cell_text(value)
            school_year = _SCHOOL_YEAR.search(text)
            if school_year:
                start, end = int(school_year.group(1)), school_year.group(2)
                if int(end[-2:]) == (start + 1) % 100:
                    return start, "title", school_year.group(0)
            calendar_year = _CALENDAR_YEAR.search(text.lower())
            if calendar_year:
                return int(calendar_year.group(1)), "title", calendar_year.group(0)
    return None


def _year_from_dates(
    rows: list[list[Cell]], header_row: int, columns: dict[str, int]
) -> tuple[int, str, str] | None:
    """The school year of the earliest deadline that names its year («до 31.05.2027» and
    «декабрь 2026» are both of 2026/27): a plan starts with its first deadline."""
    column = columns.get("deadline")
    if column is None:
        return None
    earliest: tuple[date, str] | None = None
    for row in rows[header_row + 1 :]:
        value = _at(row, column)
        due: date | None = None
        if isinstance(value, date):
            due = value.date() if isinstance(value, datetime) else value
        elif value is not None and (named := _ANY_YEAR.search(cell_text(value))):
            try:
                due = parse_deadline(cell_text(value), int(named.group(1))).due
            except DeadlineUnreadable:
                due = None
        if due is not None and (earliest is None or due < earliest[0]):
            earliest = (due, cell_text(value))
    if earliest is None:
        return None
    return SchoolYear.containing(earliest[0]).start, "dates", earliest[1][:60]


# -- risk factors -------------------------------------------------------------------------


def _stems(text: str) -> set[str]:
    words = _WORD.findall(text.lower().replace("ё", "е"))
    return {word[:4] for word in words} - _RISK_NOISE


class _RiskReader:
    """A risk factor by its number («8», «Риск 8», «8. Высокая доля…») or by its words."""

    def __init__(self, titles: dict[int, str]) -> None:
        self.titles = titles
        self.stems = {number: _stems(title) for number, title in titles.items()}
        self.known: dict[str, int | None] = {}  # a file repeats its factors' names

    def read(self, value: str) -> int | None:
        # A factor's name is short; a longer text is cut so a hostile file stays cheap.
        value = value[:RISK_TEXT]
        if value not in self.known:
            self.known[value] = self._read(value) if value else None
        return self.known[value]

    def _read(self, value: str) -> int | None:
        match = _RISK_NUMBER.match(value.lower())
        if match and int(match.group(1)) in self.titles:
            return int(match.group(1))
        words = _stems(value)
        if not words:
            return None
        scored = sorted(
            ((self._score(value, words, number), number) for number in self.titles), reverse=True
        )
        if not scored or scored[0][0] < 0.5:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.1:
            return None  # two factors fit as well: better none than the wrong one
        return scored[0][1]

    def _score(self, value: str, words: set[str], number: int) -> float:
        title = self.stems[number]
        common = len(words & title)
        overlap = 2 * common / (len(words) + len(title)) if title else 0.0
        if not common or len(value) > TYPO_TEXT:
            return overlap
        # Word overlap alone misses typos; the spelling ratio alone rewards long shared endings.
        spelling = difflib.SequenceMatcher(None, value.lower(), self.titles[number].lower())
        return max(overlap, spelling.ratio())

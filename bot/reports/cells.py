"""Cells written to XLSX and CSV from user text: always text, never a formula.

OWASP's CSV-injection guidance: a cell beginning with = + - @ TAB or CR may be run as a
formula by Excel or LibreOffice.

- CSV has no cell types, so `safe_cell` prefixes such a text with an apostrophe (Excel then
  shows the apostrophe; the text is inert).
- XLSX has types: `text_cell` keeps the text as the person wrote it, stores it as a string
  (data_type «s», an inline string — never an `<f>` element) and, when it looks like a
  formula, sets the «quotePrefix» style so that Excel keeps it text even after the cell is
  edited (F2, Enter). openpyxl alone would turn «=…» into a formula and «#N/A» into an error.
- The half-year report's writer (bot/reports/xlsx_stream.py) stores every text as an inline
  string; `xlsx_text` gives it the same cleaned text and says when «quotePrefix» is needed.

Both drop control characters (they break XML and PostgreSQL) and cap the text at Excel's
32,767 characters a cell, so no stored text can make a file fail.
"""

from __future__ import annotations

import functools
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.services.text_cleaning import clean_text

if TYPE_CHECKING:  # openpyxl (with numpy and Pillow, ~28 MB) is imported when a file is built
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.styles.alignment import Alignment
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What an openpyxl cell holds (datetime is a date).
CellValue = str | int | float | bool | Decimal | date | time | timedelta | None
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_CUT_MARK = "…"


@functools.cache
def _openpyxl() -> tuple[Any, frozenset[str]]:
    """openpyxl's cell pieces, imported at the first file built (tests/test_lean_imports.py)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    return WriteOnlyCell, frozenset(ERROR_CODES)


def _clean(text: str) -> str:
    if not text.isprintable():  # C-speed check: most cells hold no control or format characters
        text = clean_text(text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS)


def xlsx_text(value: str) -> tuple[str, bool]:
    """A text for an XLSX writer that always stores strings as strings (xlsx_stream):
    cleaned as `text_cell` does, and whether it needs the «quotePrefix» style (it looks
    like a formula).

    Capped the way Excel counts a cell's 32,767 characters: in UTF-16 units, an emoji is
    two (openpyxl let 32,767 code points through, above Excel's limit with emoji)."""
    text = _clean(value)
    if len(text) > MAX_CELL_CHARS // 2:  # shorter texts fit even if all emoji
        units = text.encode("utf-16-le")
        if len(units) > 2 * MAX_CELL_CHARS:
            kept = units[: 2 * (MAX_CELL_CHARS - len(_CUT_MARK))]
            text = kept.decode("utf-16-le", errors="ignore") + _CUT_MARK  # no half emoji
    return text, looks_like_formula(text)


def safe_cell(value: object) -> object:
    """Numbers, dates and booleans pass; text is cleaned and neutralised if formula-like."""
    if not isinstance(value, str):
        return value
    text = _clean(value)
    if looks_like_formula(text):
        return "'" + text[: MAX_CELL_CHARS - 1]
    return text


def text_cell(
    sheet: WriteOnlyWorksheet,
    value: CellValue,
    *,
    font: Font | None = None,
    alignment: Alignment | None = None,
) -> object:
    """A value for a write-only sheet's row; text in it is always a string, never a formula
    or an error. Unstyled plain text goes as a bare string (openpyxl writes those fastest);
    anything openpyxl would guess wrong goes as a typed cell."""
    write_only_cell, error_codes = _openpyxl()
    if font is None and alignment is None and isinstance(value, str):
        text = _clean(value)
        if not looks_like_formula(text) and text not in error_codes:
            return text
    cell = write_only_cell(sheet, value=None)
    set_text(cell, value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def set_text(cell: Cell, value: CellValue) -> None:
    """Put a value into any openpyxl cell; strings are cleaned and typed as strings."""
    if not isinstance(value, str):
        cell.value = value
        return
    text = _clean(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl guessed «f» for «=…» and «e» for «#N/A»: a string it is
    if looks_like_formula(text):
        cell.quotePrefix = True  # Excel's own «'» prefix: shown as typed, stays text on edit

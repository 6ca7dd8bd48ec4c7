"""Cells written to XLSX and CSV from user text: always text, never a formula.

OWASP's CSV-injection guidance: a cell beginning with = + - @ TAB or CR may be run as a
formula by Excel or LibreOffice.

- CSV has no cell types, so `safe_cell` prefixes such a text with an apostrophe (Excel then
  shows the apostrophe; the text is inert).
- XLSX has types: `text_cell` keeps the text as the person wrote it, stores it as a string
  (data_type «s», an inline string — never an `<f>` element) and, when it looks like a
  formula, sets the «quotePrefix» style so that Excel keeps it text even after the cell is
  edited (F2, Enter). openpyxl alone would turn «=…» into a formula and «#N/A» into an error.
- XlsxWriter (the half-year report) stores every `write_string` as a string; `xlsx_text`
  gives it the same cleaned text and says when the «quotePrefix» style is needed.

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
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# What an openpyxl cell holds (datetime is a date).
CellValue = str | int | float | bool | Decimal | date | time | timedelta | None
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_CUT_MARK = "…"


@functools.cache
def _openpyxl() -> tuple[Any, frozenset[str], Any]:
    """openpyxl's cell pieces, imported at the first file built (tests/test_lean_imports.py)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles.cell_style import StyleArray

    return WriteOnlyCell, frozenset(ERROR_CODES), StyleArray


def _clean(text: str) -> str:
    if not text.isprintable():  # C-speed check: most cells hold no control or format characters
        text = clean_text(text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS)


def xlsx_text(value: str) -> tuple[str, bool]:
    """A text for an XLSX writer that always stores strings as strings (XlsxWriter's
    `write_string`): cleaned as `text_cell` does, and whether it needs the «quotePrefix»
    style (it looks like a formula).

    Capped the way Excel counts a cell's 32,767 characters, in UTF-16 units (an emoji is
    two): XlsxWriter would otherwise cut such a text silently, without the «…» mark."""
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


class CellStyles:
    """The styles of one workbook's cells, each combination found once.

    openpyxl finds a font's or an alignment's id by hashing the style object every time one
    is set on a cell — a fifth of a country report's time. Here each (font, alignment,
    formula-like) combination is set once through openpyxl's own API and its style array
    copied to the next cells: the same XLSX. Fonts and alignments are told apart by
    identity, so pass the same objects (module constants); they are kept alive here."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[int, int, bool], tuple[StyleArray, object, object]] = {}

    def apply(self, cell: Cell, font: Font | None, alignment: Alignment | None) -> None:
        style_array = _openpyxl()[2]
        style = cell._style  # type: ignore[attr-defined]  # openpyxl's StyleArray, untyped
        key = (id(font), id(alignment), bool(style is not None and style.quotePrefix))
        found = self._arrays.get(key)
        if found is not None:
            cell._style = style_array(found[0])  # type: ignore[attr-defined]
            return
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        self._arrays[key] = (style_array(cell._style), font, alignment)  # type: ignore[attr-defined]


def text_cell(
    sheet: WriteOnlyWorksheet,
    value: CellValue,
    *,
    font: Font | None = None,
    alignment: Alignment | None = None,
    styles: CellStyles | None = None,
) -> object:
    """A value for a write-only sheet's row; text in it is always a string, never a formula
    or an error. Unstyled plain text goes as a bare string (openpyxl writes those fastest);
    anything openpyxl would guess wrong goes as a typed cell. `styles`: the workbook's
    `CellStyles`, for the many styled cells of a long report."""
    write_only_cell, error_codes, _ = _openpyxl()
    if font is None and alignment is None and isinstance(value, str):
        text = _clean(value)
        if not looks_like_formula(text) and text not in error_codes:
            return text
    cell = write_only_cell(sheet, value=None)
    set_text(cell, value)
    if styles is not None:
        styles.apply(cell, font, alignment)
        return cell
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

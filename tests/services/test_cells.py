"""Cells from user text: CSV neutralised with an apostrophe, XLSX typed as strings."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from bot.reports.cells import MAX_CELL_CHARS, safe_cell, set_text, text_cell, xlsx_text
from bot.reports.export import csv_text


@pytest.mark.parametrize("text", ["=1+2", "+7 343", "-2+3", "@SUM(1)", "\t=1", "\r=1"])
def test_csv_cells_that_look_like_formulas_get_an_apostrophe(text: str) -> None:
    cleaned = safe_cell(text)
    assert isinstance(cleaned, str) and cleaned.startswith("'")
    assert cleaned.lstrip("'").lstrip("\t\r") in text


def test_csv_cells_keep_numbers_and_plain_text_and_lose_control_characters() -> None:
    assert safe_cell(-5) == -5 and safe_cell(None) is None
    assert safe_cell("Лицей № 9 😀") == "Лицей № 9 😀"
    assert safe_cell("a\x00b\x01c\x1bd\u202e") == "abcd"
    long = safe_cell("я" * 100_000)
    assert isinstance(long, str) and len(long) == MAX_CELL_CHARS
    assert len(str(safe_cell("=" + "я" * 100_000))) == MAX_CELL_CHARS
    text = csv_text(["Ф"], [["=1"], [None], [3]])
    assert text == '\ufeffФ\r\n\'=1\r\n""\r\n3\r\n'


def test_xlsx_text_is_a_string_never_a_formula_or_an_error() -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Лист")
    values = ['=HYPERLINK("http://x";"y")', "#N/A", "-1", "обычный", "a\x01" * 40_000, 7]
    sheet.append([text_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    row = next(load_workbook(buffer)["Лист"].iter_rows())
    assert [cell.value for cell in row[:4]] == values[:4]
    assert [cell.data_type for cell in row[:5]] == ["s"] * 5
    assert [cell.quotePrefix for cell in row[:4]] == [True, False, True, False]
    assert len(row[4].value) == MAX_CELL_CHARS and "\x01" not in row[4].value
    assert row[5].value == 7 and row[5].data_type == "n"


def test_set_text_in_an_ordinary_workbook() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    set_text(sheet["A1"], "=1+1")
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=1+1"


def test_xlsx_text_is_cut_where_excel_counts_utf16_units_and_keeps_its_mark() -> None:
    assert xlsx_text("=1+2") == ("=1+2", True) and xlsx_text("a\x01b") == ("ab", False)
    text, formula_like = xlsx_text("😀" * 20_000)  # 20,000 characters, 40,000 units
    assert not formula_like and text.endswith("…")
    assert len(text.encode("utf-16-le")) <= 2 * MAX_CELL_CHARS and len(text) == 16_383 + 1
    plain = "я" * 40_000
    assert xlsx_text(plain)[0] == plain[: MAX_CELL_CHARS - 1] + "…"

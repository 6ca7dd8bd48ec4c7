"""The half-year report's XLSX writer: what openpyxl reads back is what was written, looks
included, and a text is never a formula."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from bot.reports.cells import MAX_CELL_CHARS
from bot.reports.xlsx_stream import Style, XlsxStream


def test_sheets_rows_styles_and_texts_read_back_as_written() -> None:
    buffer = io.BytesIO()
    stream = XlsxStream(buffer)
    stream.sheet('Лист "1" & <2>', (6, 60.5))
    stream.append(["Заголовок"], Style.TITLE)
    stream.append(["=1+2", "#N/A", " пробел ", "a<b>&c\nd", "", "x\x01"], Style.WRAP)
    stream.append(["-2", "обычный", ""])
    stream.sheet("Второй")
    stream.append(["я" * 40_000], Style.BOLD)
    stream.close()

    archive = zipfile.ZipFile(buffer)
    xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    workbook = load_workbook(buffer)
    assert workbook.sheetnames == ['Лист "1" & <2>', "Второй"]
    first = workbook.worksheets[0]
    assert first.column_dimensions["A"].width == 6 and first.column_dimensions["B"].width == 60.5
    title = first["A1"]
    assert title.value == "Заголовок" and title.font.b and title.font.sz == 12
    assert title.alignment.vertical == "top" and not title.alignment.wrap_text
    row = first[2]
    assert [cell.value for cell in row] == ["=1+2", "#N/A", " пробел ", "a<b>&c\nd", None, "x"]
    assert [cell.data_type for cell in row if cell.value is not None] == ["s"] * 5
    assert [cell.quotePrefix for cell in row] == [True, False, False, False, False, False]
    assert all(cell.alignment.wrap_text and cell.alignment.vertical == "top" for cell in row)
    plain = first[3]
    assert [cell.value for cell in plain] == ["-2", "обычный", None, None, None, None]
    assert plain[0].quotePrefix and not plain[0].alignment.wrap_text and not plain[1].has_style
    long = workbook.worksheets[1]["A1"]
    assert long.font.b and len(long.value) == MAX_CELL_CHARS and long.value.endswith("…")


def test_an_abandoned_stream_closes_its_zip_and_writes_nothing_more() -> None:
    buffer = io.BytesIO()
    stream = XlsxStream(buffer)
    stream.sheet("Лист")
    stream.append(["1"])
    stream.abandon()
    assert "xl/workbook.xml" not in zipfile.ZipFile(buffer).namelist()
    with pytest.raises(ValueError):
        stream.sheet("Ещё")  # the zip is closed

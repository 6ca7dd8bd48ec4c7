"""CSV files in a zip for people who open them in Excel, plus README.txt explaining columns.

UTF-8 with a BOM and «;» between fields: a Russian Excel uses «;» as its list separator (the
comma is its decimal mark) and reads the file as UTF-8 only when the BOM is there; a «sep=;»
first line would make it ignore the BOM, so there is none. File names stay ASCII: Windows'
own zip folder shows Cyrillic names in a zip as garbage. Every text cell goes through
`safe_cell`: a text starting with = + - @ TAB CR gets an apostrophe and is never a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile

from bot.reports.cells import safe_cell
from bot.services.reporting.export_data import Table

BOM = "\ufeff"
README = "README.txt"


def csv_text(headers: list[str], rows: list[list[object]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([["" if value is None else safe_cell(value) for value in row] for row in rows])
    return BOM + text.getvalue()


def build_export_zip(
    tables: dict[str, Table], readme: str | None = None, files: dict[str, bytes] | None = None
) -> bytes:
    """The CSVs, README.txt and, when given, files by their path inside the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if readme is not None:
            archive.writestr(README, (BOM + readme).encode("utf-8"))
        for name, (headers, rows) in tables.items():
            archive.writestr(name, csv_text(headers, rows).encode("utf-8"))
        for path, content in (files or {}).items():
            archive.writestr(path, content)
    return buffer.getvalue()

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
import time
import zipfile
from collections.abc import Iterable
from typing import IO, Any

from bot.reports.cells import safe_cell
from bot.services.reporting.export_data import Table

BOM = "\ufeff"
README = "README.txt"


def _writer(text: IO[str]) -> Any:  # typeshed names the writer's class differently by version
    return csv.writer(text, delimiter=";", lineterminator="\r\n")


def _cells(row: Iterable[object]) -> list[object]:
    return ["" if value is None else safe_cell(value) for value in row]


def csv_text(headers: list[str], rows: list[list[object]]) -> str:
    text = io.StringIO()
    writer = _writer(text)
    writer.writerow(headers)
    writer.writerows([_cells(row) for row in rows])
    return BOM + text.getvalue()


class ExportZip:
    """The zip written entry by entry into `target` (a temporary file for a country): a CSV
    is written row chunk by row chunk straight into its compressed entry, never whole in
    memory. Entries get the same names, dates and permissions `ZipFile.writestr` gives."""

    def __init__(self, target: IO[bytes]) -> None:
        self.archive = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self._entry: io.TextIOWrapper | None = None
        self._csv: Any = None

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def add(self, name: str, content: bytes) -> None:
        self.end_csv()
        self.archive.writestr(self._info(name), content)

    def begin_csv(self, name: str, headers: list[str]) -> None:
        self.end_csv()
        entry = io.TextIOWrapper(
            self.archive.open(self._info(name), "w"), encoding="utf-8", newline=""
        )
        entry.write(BOM)
        self._entry, self._csv = entry, _writer(entry)
        self._csv.writerow(headers)

    def rows(self, rows: Iterable[Iterable[object]]) -> None:
        assert self._csv is not None, "begin_csv first"
        self._csv.writerows([_cells(row) for row in rows])

    def end_csv(self) -> None:
        if self._entry is not None:
            self._entry.close()  # flushes the text and closes the zip entry
            self._entry, self._csv = None, None

    def close(self) -> None:
        self.end_csv()
        self.archive.close()


def build_export_zip(
    tables: dict[str, Table], readme: str | None = None, files: dict[str, bytes] | None = None
) -> bytes:
    """The CSVs, README.txt and, when given, files by their path inside the zip."""
    buffer = io.BytesIO()
    export = ExportZip(buffer)
    if readme is not None:
        export.add(README, (BOM + readme).encode("utf-8"))
    for name, (headers, rows) in tables.items():
        export.begin_csv(name, headers)
        export.rows(rows)
    for path, content in (files or {}).items():
        export.add(path, content)
    export.close()
    return buffer.getvalue()

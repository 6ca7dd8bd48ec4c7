"""CSV files in a zip: UTF-8 with BOM and semicolons, so Excel in Russia opens them right."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from bot.services.report_data import Table


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def build_export_zip(tables: dict[str, Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (headers, rows) in tables.items():
            text = io.StringIO()
            writer = csv.writer(text, delimiter=";")
            writer.writerow(headers)
            writer.writerows([[_plain(value) for value in row] for row in rows])
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()

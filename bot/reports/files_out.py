"""The /report XLSX and the /export zip of any scope, up to a whole country, built while the
rows stream in (bot/services/reporting/streaming.py).

The update's session fetches the rows chunk by chunk on the event loop; one worker thread
turns them into cells and writes them (openpyxl, csv, zlib), so another chat waits at most
for one chunk's fetch, never for the whole file. The file grows in a temporary file that
stays in memory up to `SPOOL_BYTES` and goes to disk beyond, and is read back once, as the
bytes Telegram is sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from datetime import date
from functools import partial
from typing import IO, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.export import BOM, README, ExportZip
from bot.reports.half_year_report import HalfYearReport
from bot.services import local_time
from bot.services.reporting import export_data, report_data, streaming
from bot.services.reporting.streaming import AnyRow, FileWorker
from bot.services.results import results, training
from bot.services.school_year import SchoolYear

SPOOL_BYTES = 8 * 1024 * 1024


def _read_back(target: IO[bytes]) -> bytes:
    target.seek(0)
    return target.read()


async def half_year_report_file(
    session: AsyncSession,
    school_ids: list[int],
    municipality_ids: list[int],
    period: report_data.ReportPeriod,
    *,
    timezone: str,
    today: date,
    whole: bool,
) -> bytes:
    """The half-year report XLSX of the schools (bot/reports/half_year_report.py).

    `whole`: the scope is all the person's schools, so the events count everyone who came;
    otherwise only the people of these schools. `today` and `timezone` are the
    municipality's (overdue marks, local days)."""
    zone = local_time.zone_info(timezone)
    first, last = period.first, period.last
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as target:
        async with FileWorker() as worker:
            report = await worker.starting(
                partial(HalfYearReport, period.title, today, target), HalfYearReport.discard
            )

            def items(rows: list[AnyRow]) -> None:
                report.items(report_data.items_from_rows(rows, zone))

            await worker.pump(
                report_data.report_item_chunks(session, school_ids, first, last), items
            )
            events = await report_data.report_events(
                session,
                municipality_ids,
                first,
                last,
                school_ids=None if whole else school_ids,
                timezone=timezone,
            )
            await worker.write(report.events, events)

            def follow_ups(rows: list[AnyRow]) -> None:
                report.follow_ups(report_data.follow_ups_from_rows(rows, zone))

            steps = report_data.report_follow_up_rows(school_ids, first, last)
            await worker.pump(streaming.chunks(session, steps), follow_ups)

            def visits(rows: Sequence[AnyRow]) -> None:
                report.visits(report_data.visits_from_rows(rows))

            await worker.write(visits, [])  # the sheet, even without visits
            visit_rows = report_data.report_visit_rows(school_ids, first, last)
            await worker.pump(streaming.chunks(session, visit_rows), visits)
            year = SchoolYear.containing(last).start
            await worker.write(
                report.results, await results.report_results(session, school_ids, year)
            )
            await worker.write(
                report.training, await training.report_training(session, school_ids, year)
            )
            await worker.call(report.save)
            return await worker.call(partial(_read_back, target))


async def export_zip_file(
    session: AsyncSession,
    school_ids: list[int],
    readme: str,
    *,
    all_participants_of: Collection[int] = (),
    extra_tables: dict[str, export_data.Table] | None = None,
    files: dict[str, bytes] | None = None,
) -> bytes:
    """README.txt, the scope's CSVs (bot/services/reporting/export_data.py), then
    `extra_tables` (files/index.csv) and `files` by their path in the zip."""
    tables = await export_data.export_queries(session, school_ids, all_participants_of)
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as target:
        async with FileWorker() as worker:
            export = await worker.starting(partial(ExportZip, target), ExportZip.close)
            await worker.write(partial(export.add, README), (BOM + readme).encode("utf-8"))
            for table in tables:
                await worker.write(partial(export.begin_csv, table.name), table.headers)
                await worker.pump(table.chunks(session), partial(_table_rows, export, table))
            for name, (headers, rows) in (extra_tables or {}).items():
                await worker.write(partial(export.begin_csv, name), headers)
                await worker.write(export.rows, rows)
            for path, content in (files or {}).items():
                await worker.write(partial(export.add, path), content)
            await worker.call(export.close)
            return await worker.call(partial(_read_back, target))


def _table_rows(export: ExportZip, table: export_data.TableQuery, rows: list[Any]) -> None:
    export.rows([table.row(found) for found in rows])

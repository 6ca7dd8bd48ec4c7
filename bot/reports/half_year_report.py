"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is.

One table, as in the seed 002: a row per school, section rows («Организационные
мероприятия…») with the school's items under them, then the city events as rows of the same
table («Семинар «…» (на базе СШ № 30)» — organisers in the last column). Every text from
people goes through `text_cell`: a string, never a formula.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING

from bot import texts
from bot.reports.cells import CellStyles, CellValue, text_cell
from bot.services.reporting.report_data import (
    ReportEvent,
    ReportFollowUp,
    ReportItem,
    VisitRow,
)
from bot.services.results.results import ReportResultRow
from bot.services.results.training import TrainingSummary
from bot.services.school_year import SchoolYear

if TYPE_CHECKING:  # openpyxl is imported when a report is built, not with the bot
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

REPORT_HEADERS = [
    "№",
    "Мероприятия",
    "Срок исполнения",
    "Отметка об исполнении",
    "Ответственные исполнители",
]
WIDTHS = (6, 60, 18, 60, 40)


@dataclass(frozen=True)
class _Styles:
    wrap: Alignment
    heading: Alignment
    title: Font
    bold: Font
    italic: Font


@functools.cache
def _styles() -> _Styles:
    """The same objects for every cell (CellStyles tells them apart by identity)."""
    from openpyxl.styles import Alignment, Font

    return _Styles(
        wrap=Alignment(wrap_text=True, vertical="top"),
        # Section and school rows are not wrapped: their text runs over the empty cells to
        # the right, as a merged heading row does in the seed.
        heading=Alignment(wrap_text=False, vertical="top"),
        title=Font(bold=True, size=12),
        bold=Font(bold=True),
        italic=Font(italic=True),
    )


EVENTS_SECTION = "Городские мероприятия"
NO_SECTION = "Без раздела"


def _sentence(text: str) -> str:
    """A part of the mark, ending in exactly one full stop (no «..»)."""
    text = " ".join(text.split()).rstrip(" .;,")
    return text + "." if text else ""


def item_mark(item: ReportItem, today: date) -> str:
    """«Отметка об исполнении»: status, date, overdue state, what was done, evidence."""
    status = item.settled or texts.ITEM_STATUS_LABELS[item.status.value].capitalize()
    if item.accepted_on:
        status += f", принято куратором {texts.fmt_date(item.accepted_on)}"
    parts = [_sentence(status)]
    if item.overdue_on(today):
        assert item.due_date is not None
        parts.append(_sentence(f"Просрочено: срок {texts.fmt_date(item.due_date)}"))
    if item.done_text:
        parts.append(_sentence(item.done_text))
    links = [line.strip() for line in (item.evidence or "").splitlines() if line.strip()]
    links += list(item.attachments)
    if links:
        parts.append(_sentence("Подтверждение: " + "; ".join(links)))
    return " ".join(part for part in parts if part)


def item_deadline(item: ReportItem) -> str:
    if item.deadline:
        return item.deadline
    if item.due_date:
        return texts.fmt_date(item.due_date)
    return "без срока"


def event_measure(event: ReportEvent) -> str:
    kind = texts.EVENT_FORMAT_LABELS.get(event.format, "")
    title = f"{kind} «{event.title}»" if kind and kind != "Другое" else event.title
    if event.host_school:
        return f"{title} (на базе {event.host_school})"
    if event.place:
        return f"{title} ({event.place})"
    return title


def event_mark(event: ReportEvent) -> str:
    count = f"Записалось: {event.signed_up}, участвовало: {event.attended}"
    if event.waitlisted:
        count += f", в листе ожидания: {event.waitlisted}"
    parts = [_sentence(count)]
    if event.results:
        parts.append(_sentence("Итоги: " + event.results))
    return " ".join(parts)


class HalfYearReport:
    """The report written as its parts arrive — items chunk by chunk, then the events, the
    next steps, the visits, results and training — in that order (the sheets' order).

    Write-only mode streams rows to temporary files: a country's report stays small in
    memory; `save` assembles the XLSX into any binary file.
    """

    def __init__(self, title: str, today: date) -> None:
        """`today` (the municipality's) decides which items are marked overdue."""
        self.today = today
        from openpyxl import Workbook

        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("Отчёт")
        for column, width in zip("ABCDE", WIDTHS, strict=True):
            self.sheet.column_dimensions[column].width = width
        self._styles = CellStyles()
        self._heading(title, _styles().title)
        self._row(REPORT_HEADERS, _styles().bold)
        self._school: str | None = None
        self._section: str | None = None
        self._follow_ups = 0
        self._visit_sheet: WriteOnlyWorksheet | None = None

    def _row(self, values: Sequence[CellValue], font: Font | None = None) -> None:
        sheet = self.sheet
        styles = self._styles
        sheet.append(
            [
                text_cell(sheet, value, font=font, alignment=_styles().wrap, styles=styles)
                for value in values
            ]
        )

    def _heading(self, text: str, font: Font) -> None:
        cell = text_cell(
            self.sheet, text, font=font, alignment=_styles().heading, styles=self._styles
        )
        self.sheet.append([cell])

    def items(self, items: Iterable[ReportItem]) -> None:
        for item in items:
            if item.school != self._school:  # always named, even when one school has items
                self._heading(item.school, _styles().bold)
                self._school, self._section = item.school, None
            item_section = item.section or NO_SECTION
            if item_section != self._section:
                self._heading(item_section, _styles().italic)
                self._section = item_section
            self._row(
                [
                    item.number,
                    item.measure,
                    item_deadline(item),
                    item_mark(item, self.today),
                    item.responsible or "",
                ]
            )

    def events(self, events: Sequence[ReportEvent]) -> None:
        if not events:
            return
        self._heading(EVENTS_SECTION, _styles().bold)
        for number, event in enumerate(events, start=1):
            self._row(
                [
                    str(number),
                    event_measure(event),
                    texts.fmt_date(event.day),
                    event_mark(event),
                    event.organisers or "",
                ]
            )

    def follow_ups(self, follow_ups: Iterable[ReportFollowUp]) -> None:
        for follow_up in follow_ups:
            if not self._follow_ups:
                self._heading(texts.FOLLOW_UPS_SECTION, _styles().bold)
            self._follow_ups += 1
            self._row(
                [
                    str(self._follow_ups),
                    f"{follow_up.school}: {follow_up.what}",
                    texts.fmt_date(follow_up.due),
                    texts.follow_up_mark(follow_up.due, follow_up.done_on, self.today),
                    follow_up.comment or "",
                ]
            )

    def visits(self, visits: Iterable[VisitRow]) -> None:
        """The «Посещения» sheet (made by the first call, even with no visits)."""
        visit_sheet = self._visit_sheet
        if visit_sheet is None:
            visit_sheet = self._visit_sheet = self.workbook.create_sheet("Посещения")
            visit_sheet.append(
                [
                    text_cell(visit_sheet, header, font=_styles().bold)
                    for header in ("Дата", "Школа", "Куратор", "Формат", "Цель", "Рекомендации")
                ]
            )
        for day, school_name, curator, fmt, purpose, recommendations in visits:
            values = [
                texts.fmt_date(day),
                school_name,
                curator,
                texts.VISIT_FORMAT_LABELS.get(fmt, fmt),
                purpose or "",
                recommendations or "",
            ]
            visit_sheet.append([text_cell(visit_sheet, value) for value in values])

    def results(self, results: Sequence[ReportResultRow]) -> None:
        if not results:  # issue 18: a short block, one row per school
            return
        self.visits(())  # the sheets' order: the visits come first
        results_sheet = self.workbook.create_sheet(texts.REPORT_RESULTS_SHEET)
        results_sheet.append(
            [
                text_cell(results_sheet, header, font=_styles().bold)
                for header in texts.REPORT_RESULTS_HEADERS
            ]
        )
        for line in results:
            change = (
                ""
                if line.previous_fail_percent is None
                else f"{line.fail_percent - line.previous_fail_percent:+.1f}"
            )
            values = [
                line.school,
                SchoolYear(line.year).label,
                f"{line.fail_percent:.1f}",
                "" if line.previous_fail_percent is None else f"{line.previous_fail_percent:.1f}",
                change,
                str(line.lines),
            ]
            results_sheet.append([text_cell(results_sheet, value) for value in values])

    def training(self, training: Sequence[tuple[str, TrainingSummary]]) -> None:
        if not training:  # issue 18: courses and the share of staff trained, one row a school
            return
        self.visits(())
        training_sheet = self.workbook.create_sheet(texts.REPORT_TRAINING_SHEET)
        training_sheet.append(
            [
                text_cell(training_sheet, header, font=_styles().bold)
                for header in texts.REPORT_TRAINING_HEADERS
            ]
        )
        for school_name, summary in training:
            values = [
                school_name,
                SchoolYear(summary.year).label,
                str(summary.courses),
                str(summary.people),
                str(summary.staff or ""),
                "" if summary.share is None else str(summary.share),
            ]
            training_sheet.append([text_cell(training_sheet, value) for value in values])

    def save(self, target: IO[bytes]) -> None:
        self.visits(())
        self.workbook.save(target)

    def discard(self) -> None:
        """Building stopped half-way: each sheet's writer is closed now, while its temporary
        file is open (left to the collector, it would write into a closed file)."""
        for sheet in self.workbook.worksheets:
            if not getattr(sheet, "closed", True):
                with contextlib.suppress(Exception):
                    sheet.close()


def build_half_year_report(
    title: str,
    items: Sequence[ReportItem],
    visits: Sequence[VisitRow],
    events: Sequence[ReportEvent],
    today: date,
    *,
    results: Sequence[ReportResultRow] = (),
    training: Sequence[tuple[str, TrainingSummary]] = (),
    follow_ups: Sequence[ReportFollowUp] = (),
) -> bytes:
    """The whole report from lists, in memory (a school's or a municipality's; tests)."""
    report = HalfYearReport(title, today)
    report.items(items)
    report.events(events)
    report.follow_ups(follow_ups)
    report.visits(visits)
    report.results(results)
    report.training(training)
    buffer = io.BytesIO()
    report.save(buffer)
    return buffer.getvalue()

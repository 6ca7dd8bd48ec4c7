"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is.

One table, as in the seed 002: a row per school, section rows («Организационные
мероприятия…») with the school's items under them, then the city events as rows of the same
table («Семинар «…» (на базе СШ № 30)» — organisers in the last column). Every text from
people goes through `cells.xlsx_text`: a string, never a formula.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import IO, Any

from bot import texts
from bot.reports.cells import xlsx_text
from bot.services.reporting.report_data import (
    ReportEvent,
    ReportFollowUp,
    ReportItem,
    VisitRow,
)
from bot.services.results.results import ReportResultRow
from bot.services.results.training import TrainingSummary
from bot.services.school_year import SchoolYear

REPORT_HEADERS = [
    "№",
    "Мероприятия",
    "Срок исполнения",
    "Отметка об исполнении",
    "Ответственные исполнители",
]
WIDTHS = (6, 60, 18, 60, 40)
# XlsxWriter's pixels for a width: these give the same stored widths (6, 60, …) as before.
_DIGIT_PIXELS = 7

# The cells' looks, as XlsxWriter format properties (the fonts are the workbook's Calibri 11).
Style = Mapping[str, object]
PLAIN: Style = {}
TITLE: Style = {"bold": True, "font_size": 12, "valign": "top"}
HEADER: Style = {"bold": True, "text_wrap": True, "valign": "top"}
WRAP: Style = {"text_wrap": True, "valign": "top"}
# Section and school rows are not wrapped: their text runs over the empty cells to the
# right, as a merged heading row does in the seed.
SCHOOL: Style = {"bold": True, "valign": "top"}
SECTION: Style = {"italic": True, "valign": "top"}
BOLD: Style = {"bold": True}


class _Sheet:
    """One worksheet written row after row. Text from people is always a string (never a
    formula or an error value), cleaned, and formula-like text gets the «quotePrefix» style
    so that Excel keeps it text even after the cell is edited (bot/reports/cells.py)."""

    def __init__(self, workbook: Any, name: str) -> None:
        self._workbook = workbook
        self._sheet = workbook.add_worksheet(name)
        self._formats: dict[int, tuple[Any, Any]] = {}
        self._row = 0

    def widths(self, widths: Sequence[int]) -> None:
        for column, width in enumerate(widths):
            self._sheet.set_column_pixels(column, column, width * _DIGIT_PIXELS)

    def _looks(self, style: Style) -> tuple[Any, Any]:
        """The plain and the quote-prefixed format of a style (made at first use)."""
        found = self._formats.get(id(style))
        if found is None:
            add = self._workbook.add_format
            plain = add(style) if style else None
            found = self._formats[id(style)] = (plain, add({**style, "quote_prefix": True}))
        return found

    def append(self, values: Iterable[str], style: Style = PLAIN) -> None:
        plain, quoted = self._looks(style)
        row = self._row
        write = self._sheet.write_string
        for column, value in enumerate(values):
            text, formula_like = xlsx_text(value)
            if formula_like:
                write(row, column, text, quoted)
            elif text:
                write(row, column, text, plain)
            elif plain is not None:  # an empty cell keeps its row's look
                self._sheet.write_blank(row, column, None, plain)
        self._row = row + 1


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

    XlsxWriter in constant_memory mode: each row goes to a temporary file as the next one
    begins, so a country's report stays small in memory; `save` assembles the XLSX into
    `target` (any binary file). openpyxl's write-only mode made the same file 2–3 times
    slower (its per-cell objects and serialisation were most of a country report's time).
    """

    def __init__(self, title: str, today: date, target: IO[bytes]) -> None:
        """`today` (the municipality's) decides which items are marked overdue."""
        self.today = today
        import xlsxwriter  # a report's library, not the running bot's (test_lean_imports)

        self.workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
        self.sheet = _Sheet(self.workbook, "Отчёт")
        self.sheet.widths(WIDTHS)
        self.sheet.append([title], TITLE)
        self.sheet.append(REPORT_HEADERS, HEADER)
        self._school: str | None = None
        self._section: str | None = None
        self._follow_ups = 0
        self._visit_sheet: _Sheet | None = None
        self._dates: dict[date, str] = {}

    def _date(self, day: date) -> str:
        """`texts.fmt_date`, once a day: a country's visits fall on a few hundred days."""
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = texts.fmt_date(day)
        return found

    def items(self, items: Iterable[ReportItem]) -> None:
        for item in items:
            if item.school != self._school:  # always named, even when one school has items
                self.sheet.append([item.school], SCHOOL)
                self._school, self._section = item.school, None
            item_section = item.section or NO_SECTION
            if item_section != self._section:
                self.sheet.append([item_section], SECTION)
                self._section = item_section
            self.sheet.append(
                [
                    item.number,
                    item.measure,
                    item_deadline(item),
                    item_mark(item, self.today),
                    item.responsible or "",
                ],
                WRAP,
            )

    def events(self, events: Sequence[ReportEvent]) -> None:
        if not events:
            return
        self.sheet.append([EVENTS_SECTION], SCHOOL)
        for number, event in enumerate(events, start=1):
            self.sheet.append(
                [
                    str(number),
                    event_measure(event),
                    texts.fmt_date(event.day),
                    event_mark(event),
                    event.organisers or "",
                ],
                WRAP,
            )

    def follow_ups(self, follow_ups: Iterable[ReportFollowUp]) -> None:
        for follow_up in follow_ups:
            if not self._follow_ups:
                self.sheet.append([texts.FOLLOW_UPS_SECTION], SCHOOL)
            self._follow_ups += 1
            self.sheet.append(
                [
                    str(self._follow_ups),
                    f"{follow_up.school}: {follow_up.what}",
                    texts.fmt_date(follow_up.due),
                    texts.follow_up_mark(follow_up.due, follow_up.done_on, self.today),
                    follow_up.comment or "",
                ],
                WRAP,
            )

    def visits(self, visits: Iterable[VisitRow]) -> None:
        """The «Посещения» sheet (made by the first call, even with no visits)."""
        visit_sheet = self._visit_sheet
        if visit_sheet is None:
            visit_sheet = self._visit_sheet = _Sheet(self.workbook, "Посещения")
            visit_sheet.append(("Дата", "Школа", "Куратор", "Формат", "Цель", "Рекомендации"), BOLD)
        for day, school_name, curator, fmt, purpose, recommendations in visits:
            visit_sheet.append(
                (
                    self._date(day),
                    school_name,
                    curator,
                    texts.VISIT_FORMAT_LABELS.get(fmt, fmt),
                    purpose or "",
                    recommendations or "",
                )
            )

    def results(self, results: Sequence[ReportResultRow]) -> None:
        if not results:  # issue 18: a short block, one row per school
            return
        self.visits(())  # the sheets' order: the visits come first
        results_sheet = _Sheet(self.workbook, texts.REPORT_RESULTS_SHEET)
        results_sheet.append(texts.REPORT_RESULTS_HEADERS, BOLD)
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
            results_sheet.append(values)

    def training(self, training: Sequence[tuple[str, TrainingSummary]]) -> None:
        if not training:  # issue 18: courses and the share of staff trained, one row a school
            return
        self.visits(())
        training_sheet = _Sheet(self.workbook, texts.REPORT_TRAINING_SHEET)
        training_sheet.append(texts.REPORT_TRAINING_HEADERS, BOLD)
        for school_name, summary in training:
            values = [
                school_name,
                SchoolYear(summary.year).label,
                str(summary.courses),
                str(summary.people),
                str(summary.staff or ""),
                "" if summary.share is None else str(summary.share),
            ]
            training_sheet.append(values)

    def save(self) -> None:
        """The XLSX, whole, into the target."""
        self.visits(())
        self.workbook.close()

    def discard(self) -> None:
        """After a failure: XlsxWriter's temporary files closed and removed (what was
        written goes into the target, which is thrown away with it)."""
        with contextlib.suppress(Exception):
            self.workbook.close()


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
    buffer = io.BytesIO()
    report = HalfYearReport(title, today, buffer)
    report.items(items)
    report.events(events)
    report.follow_ups(follow_ups)
    report.visits(visits)
    report.results(results)
    report.training(training)
    report.save()
    return buffer.getvalue()

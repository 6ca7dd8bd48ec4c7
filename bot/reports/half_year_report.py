"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is.

One table, as in the seed 002: a row per school, section rows («Организационные
мероприятия…») with the school's items under them, then the city events as rows of the same
table («Семинар «…» (на базе СШ № 30)» — organisers in the last column). Every text from
people goes through `text_cell`: a string, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot import texts
from bot.reports.cells import CellValue, text_cell
from bot.services.reporting.report_data import ReportEvent, ReportFollowUp, ReportItem
from bot.services.results.results import ReportResultRow
from bot.services.results.training import TrainingSummary
from bot.services.school_year import SchoolYear

if TYPE_CHECKING:  # openpyxl is imported when a report is built, not with the bot
    from openpyxl.styles import Font

REPORT_HEADERS = [
    "№",
    "Мероприятия",
    "Срок исполнения",
    "Отметка об исполнении",
    "Ответственные исполнители",
]
WIDTHS = (6, 60, 18, 60, 40)
EVENTS_SECTION = "Городские мероприятия"
NO_SECTION = "Без раздела"

VisitRow = tuple[date, str, str, str, str | None, str | None]


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
    """`today` (the municipality's) decides which items are marked overdue."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="top")
    # Section and school rows are not wrapped: their text runs over the empty cells to the right,
    # as a merged heading row does in the seed.
    heading_alignment = Alignment(wrap_text=False, vertical="top")
    # Write-only mode streams rows to the file: a region's report stays fast and small in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Отчёт")
    for column, width in zip("ABCDE", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width

    def row(values: Sequence[CellValue], font: Font | None = None) -> None:
        sheet.append([text_cell(sheet, value, font=font, alignment=wrap) for value in values])

    def heading(text: str, font: Font) -> None:
        sheet.append([text_cell(sheet, text, font=font, alignment=heading_alignment)])

    heading(title, Font(bold=True, size=12))
    row(REPORT_HEADERS, Font(bold=True))
    school, section = None, None
    for item in items:
        if item.school != school:  # always named, even when one school has items
            heading(item.school, Font(bold=True))
            school, section = item.school, None
        item_section = item.section or NO_SECTION
        if item_section != section:
            heading(item_section, Font(italic=True))
            section = item_section
        row(
            [
                item.number,
                item.measure,
                item_deadline(item),
                item_mark(item, today),
                item.responsible or "",
            ]
        )
    if events:
        heading(EVENTS_SECTION, Font(bold=True))
        for number, event in enumerate(events, start=1):
            row(
                [
                    str(number),
                    event_measure(event),
                    texts.fmt_date(event.day),
                    event_mark(event),
                    event.organisers or "",
                ]
            )
    if follow_ups:
        heading(texts.FOLLOW_UPS_SECTION, Font(bold=True))
        for number, follow_up in enumerate(follow_ups, start=1):
            row(
                [
                    str(number),
                    f"{follow_up.school}: {follow_up.what}",
                    texts.fmt_date(follow_up.due),
                    texts.follow_up_mark(follow_up.due, follow_up.done_on, today),
                    follow_up.comment or "",
                ]
            )

    visit_sheet = workbook.create_sheet("Посещения")
    visit_sheet.append(
        [
            text_cell(visit_sheet, header, font=Font(bold=True))
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
    if results:  # issue 18: a short block, one row per school
        results_sheet = workbook.create_sheet(texts.REPORT_RESULTS_SHEET)
        results_sheet.append(
            [
                text_cell(results_sheet, header, font=Font(bold=True))
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
    if training:  # issue 18: courses and the share of staff trained, one row per school
        training_sheet = workbook.create_sheet(texts.REPORT_TRAINING_SHEET)
        training_sheet.append(
            [
                text_cell(training_sheet, header, font=Font(bold=True))
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The half-year report as XLSX, in the shape of the seeds' table — sendable upward as is.

One table, as in the seed 002: a row per school, section rows («Организационные
мероприятия…») with the school's items under them, then the city events as rows of the same
table («Семинар «…» (на базе СШ № 30)» — organisers in the last column). Every text from
people goes through `cells.xlsx_text`: a string, never a formula.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO

from bot import texts
from bot.reports.xlsx_stream import Style, XlsxStream
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

    Rows go straight into the target's zip stream (bot/reports/xlsx_stream.py): a country's
    report holds one chunk in memory; `save` adds the workbook's other parts.
    """

    def __init__(self, title: str, today: date, target: IO[bytes]) -> None:
        """`today` (the municipality's) decides which items are marked overdue."""
        self.today = today
        self.out = XlsxStream(target)
        self.out.sheet("Отчёт", WIDTHS)
        self.out.append([title], Style.TITLE)
        self.out.append(REPORT_HEADERS, Style.HEADER)
        self._school: str | None = None
        self._section: str | None = None
        self._follow_ups = 0
        self._visits = False

    def items(self, items: Iterable[ReportItem]) -> None:
        assert not self._visits, "the report sheet's rows come before the visits sheet"
        for item in items:
            if item.school != self._school:  # always named, even when one school has items
                self.out.append([item.school], Style.SCHOOL)
                self._school, self._section = item.school, None
            item_section = item.section or NO_SECTION
            if item_section != self._section:
                self.out.append([item_section], Style.SECTION)
                self._section = item_section
            self.out.append(
                [
                    item.number,
                    item.measure,
                    item_deadline(item),
                    item_mark(item, self.today),
                    item.responsible or "",
                ],
                Style.WRAP,
            )

    def events(self, events: Sequence[ReportEvent]) -> None:
        if not events:
            return
        assert not self._visits, "the report sheet's rows come before the visits sheet"
        self.out.append([EVENTS_SECTION], Style.SCHOOL)
        for number, event in enumerate(events, start=1):
            self.out.append(
                [
                    str(number),
                    event_measure(event),
                    texts.fmt_date(event.day),
                    event_mark(event),
                    event.organisers or "",
                ],
                Style.WRAP,
            )

    def follow_ups(self, follow_ups: Iterable[ReportFollowUp]) -> None:
        for follow_up in follow_ups:
            if not self._follow_ups:
                assert not self._visits, "the report sheet's rows come before the visits sheet"
                self.out.append([texts.FOLLOW_UPS_SECTION], Style.SCHOOL)
            self._follow_ups += 1
            self.out.append(
                [
                    str(self._follow_ups),
                    f"{follow_up.school}: {follow_up.what}",
                    texts.fmt_date(follow_up.due),
                    texts.follow_up_mark(follow_up.due, follow_up.done_on, self.today),
                    follow_up.comment or "",
                ],
                Style.WRAP,
            )

    def visits(self, visits: Iterable[VisitRow]) -> None:
        """The «Посещения» sheet (made by the first call, even with no visits)."""
        out = self.out
        if not self._visits:
            self._visits = True
            out.sheet("Посещения")
            out.append(("Дата", "Школа", "Куратор", "Формат", "Цель", "Рекомендации"), Style.BOLD)
        for day, school_name, curator, fmt, purpose, recommendations in visits:
            out.append(
                (
                    texts.fmt_date(day),
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
        self.out.sheet(texts.REPORT_RESULTS_SHEET)
        self.out.append(texts.REPORT_RESULTS_HEADERS, Style.BOLD)
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
            self.out.append(values)

    def training(self, training: Sequence[tuple[str, TrainingSummary]]) -> None:
        if not training:  # issue 18: courses and the share of staff trained, one row a school
            return
        self.visits(())
        self.out.sheet(texts.REPORT_TRAINING_SHEET)
        self.out.append(texts.REPORT_TRAINING_HEADERS, Style.BOLD)
        for school_name, summary in training:
            values = [
                school_name,
                SchoolYear(summary.year).label,
                str(summary.courses),
                str(summary.people),
                str(summary.staff or ""),
                "" if summary.share is None else str(summary.share),
            ]
            self.out.append(values)

    def save(self) -> None:
        """The XLSX, whole, into the target."""
        self.visits(())
        self.out.close()

    def discard(self) -> None:
        """Building stopped half-way (an error, the time budget): the zip closed now, while
        its file is open (left to the collector, it would write into a closed file); the
        target is thrown away."""
        with contextlib.suppress(Exception):
            self.out.abandon()


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

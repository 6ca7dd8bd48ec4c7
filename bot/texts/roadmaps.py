"""Roadmaps: the plan, the import preview, reports and their review, risk profiles."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.texts.common import _fit, clip, e, fmt_date, fmt_datetime
from bot.texts.followups import FILE_KIND_LABELS, REVIEW_STATE_ON_HOLD

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.models import RoadmapItem
    from bot.services.roadmaps.roadmap_reports import QueuedReport


# ================================================================ roadmaps

ITEM_STATUS_LABELS = {
    "not_started": "не начато",
    "in_progress": "в работе",
    "done": "выполнено",
    "not_done": "не выполнено",
    # Settled at the year's end (bot/services/roadmaps/carry_over.py), never chosen in a report.
    "closed": "закрыто без выполнения",
    "carried_over": "перенесено в следующий учебный год",
}
RISK_LEVEL_LABELS = {"high": "высокий", "medium": "средний", "low": "низкий"}
BUTTON_REVIEW_QUEUE = "Открыть отчёты на проверку"
BUTTON_REPORT_AGAIN = "Отчитаться снова"
BUTTON_UPLOAD = "Загрузить"
BUTTON_REPORT = "Отчитаться"
BUTTON_HISTORY = "История"
BUTTON_ACCEPT = "Принять"
BUTTON_RETURN = "Вернуть"
BUTTON_SEND = "Отправить"
ROADMAP_CHOOSE_SCHOOL = "Выберите школу:"
ROADMAP_EMPTY = "У школы пока нет дорожной карты. Загрузить её — /import, шаблон — /template"
ROADMAP_SEND_FILE = (
    "Пришлите файл дорожной карты (XLSX или CSV) для школы {school}. Подойдёт план как он "
    "есть: с заголовком, разделами и столбцами «№», «Мероприятия», «Сроки», «Ответственные», "
    "«Фактор риска» (нужны только «Мероприятия»). Шаблон — /template"
)
ROADMAP_FILE_EXPECTED = "Здесь нужен файл XLSX или CSV. Шаблон — /template, прервать — /cancel"
ROADMAP_NOTHING_TO_LOAD = "Загружать нечего: исправьте строки в файле и пришлите его снова."
TEMPLATE_CAPTION = "Шаблон дорожной карты. Заполните и пришлите файл командой /import."
REPORT_CHOOSE_STATUS = "Статус мероприятия:"
REPORT_CHOOSE_PERCENT = "Процент выполнения (необязательно):"
REPORT_DONE_TEXT = "Что сделано? Напишите кратко."
REPORT_EVIDENCE = (
    "Подтверждения: пришлите ссылки, документы или фото (можно несколько). "
    "Когда закончите — «Готово»."
)
REPORT_EVIDENCE_ADDED = "Подтверждений: {count}. Ещё или «Готово»."
REPORT_EVIDENCE_LIMIT = "Подтверждений уже {limit} — больше не добавить. Нажмите «Готово»."
REPORT_EVIDENCE_EXPECTED = "Пришлите ссылку, документ или фото — или нажмите «Готово»."
REPORT_SENT = "Отчёт отправлен куратору на проверку."
REVIEW_EMPTY = "Отчётов на проверку нет."
REVIEW_ACCEPTED = "Отчёт принят. Школа получит уведомление."
REVIEW_RETURNED = "Отчёт возвращён с комментарием. Школа получит уведомление."
REVIEW_COMMENT = "Что нужно исправить? Напишите комментарий для школы."
RISKS_HEADER = "Рисковый профиль: нажимайте на фактор, чтобы сменить уровень (высокий → средний → низкий → нет)."
ITEM_NEW_MEASURE = "Текст нового мероприятия:"
ITEM_NEW_DEADLINE = "Срок (например «15.03.2027», «ноябрь–декабрь 2026», «ежемесячно»):"
PERCENT_SKIP = "Без процента"
BUTTON_OPEN_ITEM = "Открыть мероприятие"
ITEM_EDIT_CHOOSE = "Что изменить в мероприятии?"
ITEM_EDIT_FIELDS = {
    "measure": "Текст мероприятия",
    "deadline": "Срок",
    "responsible": "Ответственные",
    "expected": "Ожидаемый результат",
}
ITEM_EDIT_PROMPT = "Сейчас: {current}\n\nНапишите новое значение поля «{field}»:"
ITEM_EDITED = "Сохранено."
ROADMAP_STATUS_HEADERS = {
    "overdue": "⚠️ Просрочено",
    "in_progress": "В работе",
    "not_started": "Не начато",
    "not_done": "Не выполнено",
    "done": "✅ Выполнено (принято куратором)",
    "closed": "Закрыто без выполнения",
    "carried_over": "➡️ Перенесено в следующий учебный год",
}


def item_added(number: str, school: str) -> str:
    return f"Мероприятие {e(number)} добавлено в дорожную карту: {e(school)}."


def roadmap_title(year: int) -> str:
    """`year`: the school year's start — «Дорожная карта 2026/27»."""
    return f"Дорожная карта {year}/{(year + 1) % 100:02d}"


def deadline_label(due: date | None, wording: str | None) -> str:
    if due is not None:
        return f"до {fmt_date(due)}"
    return e(wording) if wording else "без срока"


def year_button(year: int, chosen: bool) -> str:
    label = f"{year}/{(year + 1) % 100:02d}"  # the school year starting in `year`
    return f"✓ {label}" if chosen else label


# -- roadmap import preview (issue 14 part 1: files as schools keep them) -----------------

ROADMAP_NO_DEADLINE = "без срока"
ROADMAP_RECURRING = "повторяется"
YEAR_SOURCES = {"title": "из заголовка файла", "dates": "по срокам в файле"}
PREVIEW_PAGE_CHARS = 2000  # items per page: a phone screen or two; with the rest under 4000
PREVIEW_LISTED = 5  # row problems and notes listed on the first page, 120 characters each
BUTTON_PREVIEW_BACK = "‹ Назад"
BUTTON_PREVIEW_NEXT = "Дальше ›"


def preview_item_line(
    number: str, measure: str, deadline: str, risk: tuple[int, str] | None
) -> str:
    """One item as the school will see it: number, text, deadline, risk factor."""
    line = f"{e(number)}. {clip(measure, 110)}\n   {deadline}"
    if risk is not None:
        line += f" · фактор {risk[0]}: {clip(risk[1], 45)}"
    return line


def preview_deadline(due: date | None, wording: str, recurring: bool) -> str:
    """«ноябрь–декабрь → до 31.12.2026», «ежемесячно (повторяется)», «без срока»."""
    if due is not None:
        shown = f"до {fmt_date(due)}"
        return shown if wording in ("", fmt_date(due)) else f"{clip(wording, 40)} → {shown}"
    if recurring:
        return f"{clip(wording, 40)} ({ROADMAP_RECURRING})"
    return f"{ROADMAP_NO_DEADLINE} («{clip(wording, 40)}»)" if wording else ROADMAP_NO_DEADLINE


def preview_pages(entries: list[tuple[str, str]]) -> list[str]:
    """(section or "", item line) → pages of text, a section heading repeated on a new page."""
    pages: list[str] = []
    lines: list[str] = []
    size = 0
    shown_section: str | None = None
    for section, line in entries:
        heading = f"\n<b>{clip(section, 150)}</b>" if section and section != shown_section else ""
        if lines and size + len(heading) + len(line) > PREVIEW_PAGE_CHARS:
            pages.append("\n".join(lines))
            lines, size = [], 0
            heading = f"\n<b>{clip(section, 150)}</b>" if section else ""
        if heading:
            lines.append(heading)
            size += len(heading)
        lines.append(line)
        size += len(line) + 1
        shown_section = section
    if lines:
        pages.append("\n".join(lines))
    return pages


def roadmap_preview(
    school: str,
    year: int,
    year_source: tuple[str, str] | None,
    counts: tuple[int, int, int],
    page_text: str,
    page: int,
    pages: int,
    problems: list[str],
    notes: list[str],
) -> str:
    """counts: items, sections, undated. Problems and notes on the first page only."""
    items, sections, undated = counts
    lines = [
        f"<b>Дорожная карта: {clip(school, 80)}, {year}/{(year + 1) % 100:02d} учебный год</b>"
    ]
    if year_source:
        lines.append(f"Год {YEAR_SOURCES[year_source[0]]}: «{e(year_source[1][:60])}»")
    summary = f"Мероприятий прочитано: {items}"
    if sections:
        summary += f", разделов: {sections}"
    if undated:
        summary += f", {ROADMAP_NO_DEADLINE}: {undated}"
    lines.append(summary)
    if page == 0:
        for title, entries in (("Пропущены строки", problems), ("Обратите внимание", notes)):
            if entries:
                lines.append(f"<b>{title} ({len(entries)}):</b>")
                lines += [f"• {clip(entry, 120)}" for entry in entries[:PREVIEW_LISTED]]
                if len(entries) > PREVIEW_LISTED:
                    lines.append(f"… и ещё {len(entries) - PREVIEW_LISTED}")
    if page_text:
        lines.append(page_text)
    if pages > 1:
        lines.append(f"\nстр. {page + 1} из {pages}")
    if items:
        lines.append(
            "\nЗагрузить прочитанные мероприятия? Пропущенные строки не загрузятся."
            if problems
            else "\nЗагрузить?"
        )
        lines.append("Год — кнопкой ниже: по нему читаются сроки без года («до 01.09», «март»).")
    return _fit("\n".join(lines))


# -- what the import says about rows (bot/services/roadmaps/roadmap_import.py). Plain text: the preview
# clips and escapes each line. Notes are sorted by their «строка N:» start.

IMPORT_NO_ITEMS = "в файле нет ни одного мероприятия"


def import_bad_number(line: int, number: str) -> str:
    return f"строка {line}: номер «{number[:20]}» — ожидается число, например 7 или 2.1"


def import_numbered(line: int, number: str) -> str:
    return f"строка {line}: без номера — получит номер {number}"


def import_formula(line: int) -> str:
    return f"строка {line}: формула вместо значения — вставьте значения"


def import_too_long(line: int, length: int, limit: int) -> str:
    return f"строка {line}: слишком длинный текст ({length} символов, до {limit})"


def import_number_repeated(line: int, number: str) -> str:
    return f"строка {line}: номер {number} повторяется"


def import_no_measure(line: int) -> str:
    return f"строка {line}: нет текста мероприятия"


def import_unknown_risk(line: int, risk_text: str) -> str:
    return f"строка {line}: фактор риска «{risk_text[:60]}» не узнан — загрузится без фактора"


def import_deadline_unread(line: int, wording: str) -> str:
    return (
        f"строка {line}: срок «{wording[:60]}» не понял — "
        "мероприятие будет без срока, текст сохранится"
    )


def import_expected_with_mark(expected: str, mark: str) -> str:
    """The file's «Отметка об исполнении», stored beside the expected result."""
    return f"{expected}\nОтметка об исполнении: {mark}"


def roadmap_imported(created: int, updated: int) -> str:
    return f"Дорожная карта загружена: новых мероприятий {created}, обновлено {updated}."


def roadmap_page(school: str, rows: list, page: int, pages: int) -> str:  # rows: list[ItemRow]
    """One page of items under status headings (overdue first), as ordered by the service."""
    lines = [f"<b>Дорожная карта: {e(school)}</b> — стр. {page + 1} из {pages}"]
    group = None
    for row in rows:
        row_group = "overdue" if row.overdue else row.status.value
        if row_group != group:
            group = row_group
            lines.append(f"\n<b>{ROADMAP_STATUS_HEADERS[group]}</b>")
        mark = "⚠️ " if row.overdue else ("⏳ " if row.waiting_review else "")
        status = ITEM_STATUS_LABELS[row.status.value] + ", " if row.overdue else ""
        lines.append(
            f"{mark}{e(row.number)}. {e(row.measure[:90])}\n"
            f"   {status}{deadline_label(row.due_date, row.deadline_text)}"
            + (" ⏳" if row.overdue and row.waiting_review else "")
        )
    lines.append("\n⚠️ — просрочено, ⏳ — отчёт у куратора")
    return _fit("\n".join(lines))


def item_card(item: RoadmapItem, school: str, overdue: bool, risk: str | None = None) -> str:
    lines = [
        f"<b>{e(school)}, мероприятие {e(item.number)}</b>",
        e(item.measure),
        f"<b>Раздел:</b> {e(item.section) if item.section else '—'}",
        f"<b>Фактор риска:</b> {e(risk)}" if risk else "",
        f"<b>Срок:</b> {e(item.deadline_text or '—')} ({deadline_label(item.due_date, None)})"
        + (" — <b>просрочено</b>" if overdue else ""),
        f"<b>Ответственные:</b> {e(item.responsible) if item.responsible else '—'}",
        f"<b>Ожидаемый результат:</b> {e(item.expected_result) if item.expected_result else '—'}",
        f"<b>Статус:</b> {item_status_label(item)}"
        + (f", {item.percent}%" if item.percent is not None else ""),
    ]
    return _fit("\n".join(line for line in lines if line))


def item_history(lines: list, timezone: str) -> str:  # list[HistoryLine]
    if not lines:
        return "Отчётов по мероприятию ещё не было."
    verbs = {
        "submitted": "отчёт",
        "accepted": "принято",
        "returned": "возвращено",
        "on_hold": "на паузе",
        "message": "сообщение",
    }
    out = ["<b>История</b>"]
    for line in lines:
        text = f": {e(line.text[:200])}" if line.text else ""
        if getattr(line, "file_kind", None):
            text += f" 📎 {FILE_KIND_LABELS.get(line.file_kind, 'файл')}"
        status = "" if line.what == "message" else f" ({ITEM_STATUS_LABELS[line.status.value]})"
        out.append(
            f"{fmt_datetime(line.at, timezone)} — {e(line.who)}, {verbs[line.what]}{status}{text}"
        )
    return _fit("\n".join(out))


def report_summary(status: str, percent: int | None, done_text: str | None, evidence: int) -> str:
    return (
        "<b>Проверьте отчёт</b>\n"
        f"<b>Статус:</b> {ITEM_STATUS_LABELS[status]}"
        + (f", {percent}%" if percent is not None else "")
        + f"\n<b>Сделано:</b> {e(done_text) if done_text else '—'}\n<b>Подтверждений:</b> {evidence}"
    )


def queued_report(report: QueuedReport) -> str:
    lines = [
        f"<b>{e(report.school)}, мероприятие {e(report.item_number)}</b>",
        e(report.measure[:300]),
        f"<b>Статус:</b> {ITEM_STATUS_LABELS[report.status.value]}"
        + (f", {report.percent}%" if report.percent is not None else ""),
        f"<b>Сделано:</b> {e(report.done_text) if report.done_text else '—'}",
        f"<b>Автор:</b> {e(report.author)}",
    ]
    if report.state.value == "on_hold":
        lines.insert(1, REVIEW_STATE_ON_HOLD)
    if report.links:
        lines.append("<b>Ссылки:</b>\n" + e(report.links))
    if report.attachments:
        lines.append(f"<b>Файлов:</b> {len(report.attachments)}")
    return _fit("\n".join(lines))


def review_more(shown: int, total: int) -> str:
    return f"Отчётов на проверке: {total}. Показаны {shown} самых давних."


def report_submitted_notice(school: str, number: str, measure: str) -> str:
    return f"Новый отчёт на проверку: {e(school)}, мероприятие {e(number)} — {e(measure[:150])}"


def report_reviewed_notice(number: str, measure: str, accepted: bool, comment: str | None) -> str:
    verdict = "принят куратором" if accepted else "возвращён куратором на доработку"
    text = f"Отчёт по мероприятию {e(number)} ({e(measure[:120])}) {verdict}."
    if comment:
        text += f"\nКомментарий: {e(comment)}"
    return text


def risk_button(title: str, level: str | None) -> str:
    mark = {"high": "🔴", "medium": "🟠", "low": "🟢"}.get(level or "", "⚪")
    return f"{mark} {title[:55]}"


def settled_mark(status: str, note: str | None, next_label: str) -> str:
    """The mark of a settled item in cards and reports."""
    if status == "carried_over":
        return f"Перенесено в {next_label}"
    if status == "closed":
        return f"Закрыто: {note}" if note else "Закрыто без выполнения"
    return ITEM_STATUS_LABELS[status]


def item_status_label(item: RoadmapItem) -> str:
    label = ITEM_STATUS_LABELS[item.status.value]
    if item.status.value == "closed" and item.closing_note:
        label += f" ({e(item.closing_note[:200])})"
    return label

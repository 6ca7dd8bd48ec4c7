"""Summaries, the school card, overdue lists, half-year reports and the export."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.texts.common import _fit, e, fmt_date, fmt_datetime
from bot.texts.followups import follow_ups_block, overdue_follow_ups_text
from bot.texts.results import results_card_lines, training_card_lines
from bot.texts.roadmaps import RISK_LEVEL_LABELS
from bot.texts.visits import VISIT_FORMAT_LABELS

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.services.reporting.school_card import SchoolCard


# ================================================================ summaries and reports

SUMMARY_EMPTY = "В вашей зоне нет школ проекта."
SCHOOL_ASK = "Какая школа? Напишите, например: /school 17 или /school лицей 9"
SCHOOL_NOT_FOUND = "Школа не найдена в вашей зоне. Проверьте номер или название."
SCHOOL_SEVERAL = "Нашлось несколько школ — выберите:"
OVERDUE_NONE = "Просроченных мероприятий нет. 👍"
REPORT_CHOOSE_HALF = "Отчёт за какое полугодие?"
REPORT_CHOOSE_SCOPE = "Для какой школы? Или весь муниципалитет:"
REPORT_WHOLE = "Все школы"
REPORT_SCOPE_ALL = "все школы проекта"  # in the report's title
REPORT_EMPTY_SCOPE = "В вашей зоне нет школ для отчёта."
SUMMARY_CHART_CAPTION = "Выполнение дорожных карт: первые {shown} из {total} школ, по вниманию"
EXPORT_CAPTION = (
    "Данные в CSV для Excel: школы, дорожные карты, отчёты, посещения и следующие шаги, "
    "рисковые профили, городские мероприятия и участники. Что значат столбцы — в README.txt."
)
ROLE_SHORT = {
    "school_staff": "школа",
    "curator": "куратор",
    "municipal_coordinator": "координатор",
    "regional_coordinator": "рег. координатор",
    "admin": "админ",
}
FLAG_LABELS = {"shnor": "ШНОР", "shnsu": "ШНСУ", "nonobjectivity": "признаки необъективности"}


SUMMARY_PAGE = 8  # schools per message: a phone screen or two, far below 4096 characters


def summary_pages(count: int) -> int:
    return max(1, -(-count // SUMMARY_PAGE))


def summary_text(rows: list, today: date, page: int = 0) -> str:  # list[SchoolSummary]
    pages = summary_pages(len(rows))
    lines = [f"<b>Сводка на {fmt_date(today)}</b> — школ: {len(rows)}"]
    if pages > 1:
        attention = sum(1 for row in rows if row.needs_attention)
        lines.append(f"Требуют внимания: {attention}. Страница {page + 1} из {pages}")
    for row in rows[page * SUMMARY_PAGE : (page + 1) * SUMMARY_PAGE]:
        visit = (
            "посещений не было"
            if row.last_visit is None
            else f"посещение {row.days_since_visit} дн. назад"
        )
        marks = [f"{row.accepted}/{row.total} принято"]
        if row.overdue:
            marks.append(f"⚠️ {row.overdue} просроч.")
        if row.waiting_review:
            marks.append(f"📝 {row.waiting_review} на проверке")
        lines.append(f"\n<b>{e(row.name)}</b>: " + ", ".join(marks))
        lines.append(f"  {visit}; куратор: {e(', '.join(row.curators)) or '—'}")
        if row.high_risks:
            lines.append("  высокие риски: " + ", ".join(str(f) for f in row.high_risks))
        if row.unreachable:
            lines.append(f"  🚫 недоступны в Telegram: {row.unreachable}")
        if row.events_attended:
            lines.append(
                f"  городские мероприятия: {row.events_attended}, "
                f"последнее — «{e(row.last_event or '')}»"
            )
    return _fit("\n".join(lines))


def school_card_text(card: SchoolCard, timezone: str) -> str:
    school, summary = card.school, card.summary
    flags = [
        label
        for key, label in FLAG_LABELS.items()
        if {
            "shnor": school.is_shnor,
            "shnsu": school.is_shnsu,
            "nonobjectivity": school.has_nonobjectivity_signs,
        }[key]
    ]
    status = "в проекте" if school.status.value == "active" else "вышла из проекта"
    lines = [
        f"<b>{e(school.full_name)}</b>",
        f"Статус: {status}"
        + (f"; {', '.join(flags)}" if flags else "")
        + (f"; с {school.project_start_year} г." if school.project_start_year else ""),
        f"Директор: {e(school.director_name or '—')}",
        f"Куратор: {e(', '.join(summary.curators) or '—')}",
        f"Дорожная карта: принято {summary.accepted} из {summary.total}"
        + (f", просрочено {summary.overdue}" if summary.overdue else "")
        + (f", на проверке {summary.waiting_review}" if summary.waiting_review else ""),
    ]
    if card.risks:
        lines.append(
            "<b>Риски:</b> "
            + "; ".join(
                f"{r.factor_id}. {e(r.title[:50])} — {RISK_LEVEL_LABELS[r.level.value]}"
                for r in card.risks
                if r.level  # always: the card keeps only the factors with a level
            )
        )
    if card.sections:
        lines.append("<b>По разделам:</b>")
        lines += [
            f"• {e(section[:60]) or 'без раздела'}: {done}/{total}"
            for section, done, total in card.sections[:8]
        ]
    if card.overdue:
        lines.append("<b>Просрочено:</b>")
        lines += [f"• {e(o.number)}. {e(o.measure[:70])} — {o.days} дн." for o in card.overdue[:8]]
    lines += results_card_lines(getattr(card, "results", None))  # issue 18
    lines += training_card_lines(getattr(card, "training", None))

    if getattr(card, "follow_ups", None):
        lines.append(follow_ups_block(card.follow_ups))
    lines.append("<b>Посещения:</b> " + ("нет" if not card.visits else ""))
    lines += [
        f"• {fmt_date(day)} — {e(curator)}, {VISIT_FORMAT_LABELS.get(fmt.value, '')}"
        for day, curator, fmt in card.visits
    ]
    if card.events:
        lines.append("<b>Участие в мероприятиях:</b>")
        lines += [
            f"• {fmt_datetime(starts, timezone)[:10]} — {e(title[:70])}"
            for title, starts in card.events
        ]
    if card.people:
        lines.append("<b>Подключены:</b>")
        lines += [
            f"• {e(p.name)} ({ROLE_SHORT.get(p.role, p.role)})"
            + ("" if p.bound else " — не подключён(а)")
            + (" — 🚫 недоступен(на)" if p.unreachable else "")
            for p in card.people
        ]
    return _fit("\n".join(lines))


def overdue_text(items: list, follow_ups: list | None = None) -> str:  # list[OverdueItem]
    if not items and not follow_ups:
        return OVERDUE_NONE
    if not items:
        return overdue_follow_ups_text(follow_ups or [])
    lines = [f"<b>Просрочено: {len(items)}</b>"]
    current = None
    for item in items:
        if item.school != current:
            lines.append(f"\n<b>{e(item.school)}</b>")
            current = item.school
        lines.append(
            f"• {e(item.number)}. {e(item.measure[:80])} — срок {fmt_date(item.due)}, {item.days} дн."
        )
    if follow_ups:
        lines.append("\n" + overdue_follow_ups_text(follow_ups))
    return _fit("\n".join(lines))


def half_year_title(scope: str, half: int, start_year: int) -> str:
    which = "первое" if half == 1 else "второе"
    return f"Отчётные материалы: {scope}, {which} полугодие {start_year}/{start_year + 1} учебного года"


def report_title(scope: str, period_title: str) -> str:
    """«Отчётные материалы: СШ № 17, второе полугодие 2022 года» (report_periods titles)."""
    return f"Отчётные материалы: {scope}, {period_title}"


def half_button(half: int, start_year: int) -> str:
    return f"{'I' if half == 1 else 'II'} полугодие {start_year}/{start_year + 1}"


# -- report periods (bot/services/reporting/report_periods.py): school-year and calendar halves

HALF_NAMES = {1: "первое", 2: "второе"}


def school_half_title(half: int, label: str) -> str:
    """«второе полугодие 2025/2026 учебного года»; `label` as the seeds and ИС МЭДК write it."""
    return f"{HALF_NAMES[half]} полугодие {label} учебного года"


def school_half_button(half: int, label: str) -> str:
    return f"{'I' if half == 1 else 'II'} полугодие {label}"


def calendar_half_title(half: int, year: int) -> str:
    return f"{HALF_NAMES[half]} полугодие {year} года"


def calendar_half_button(half: int, year: int) -> str:
    months = "январь–июнь" if half == 1 else "июль–декабрь"
    return f"{HALF_NAMES[half].capitalize()} полугодие {year} ({months})"


# -- the progress chart (bot/reports/chart.py)

CHART_AXIS = "Принято мероприятий, %"


def chart_title(left_out: int) -> str:
    return "Выполнение дорожных карт" + (f" (ещё школ: {left_out})" if left_out else "")

"""Reminders, the weekly digest and notification settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.texts.common import DATE_FORMAT, _fit, e, fmt_date, fmt_datetime

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.services.notifications.digest import Digest


# ================================================================ reminders and digests

DIGEST_CHART_CAPTION = "Выполнение дорожных карт: принятые мероприятия по школам."
BUTTON_SNOOZE_1 = "Завтра"
BUTTON_SNOOZE_3 = "Через 3 дня"
BUTTON_SNOOZE_7 = "Через неделю"
BUTTON_OPEN_EVENT = "Открыть мероприятие"
SETTINGS_HEADER = "Какие уведомления присылать? Нажмите, чтобы включить или выключить."
NOTIFICATION_KINDS = {
    "digest": "Еженедельный дайджест",
    "deadline": "Сроки дорожной карты",
    "overdue": "Просроченные мероприятия",
    "followup": "Договорённости после посещений",
    "novisit": "Давно не было посещения",
    "review": "Отчёты на проверке",
    "event": "Городские мероприятия",
    "visit": "Новые посещения кураторов",
}


def snoozed_until(day: date) -> str:
    return f"Напомню {fmt_date(day)} утром."


def deadline_reminder(school: str, number: str, measure: str, due: date, days_left: int) -> str:
    when = (
        "сегодня" if days_left == 0 else ("завтра" if days_left == 1 else f"через {days_left} дней")
    )
    return (
        f"⏰ Срок мероприятия {e(number)} ({e(school)}) — {when}, {fmt_date(due)}:\n"
        f"{e(measure[:300])}"
    )


def overdue_reminder(school: str, number: str, measure: str, due: date, days: int) -> str:
    return (
        f"⚠️ Мероприятие {e(number)} ({e(school)}) просрочено на {days} дн. (срок {fmt_date(due)}):\n"
        f"{e(measure[:300])}"
    )


def follow_up_reminder(school: str, what: str, due: date) -> str:
    return f"📌 Договорённость по посещению {e(school)} — срок {fmt_date(due)}:\n{e(what[:500])}"


def no_visit_reminder(school: str, last: date | None) -> str:
    since = f"с {fmt_date(last)}" if last else "ни разу"
    return f"🏫 Вы не были в школе {e(school)} {since}. Запланируйте посещение или консультацию."


def review_wait_reminder(school: str, number: str, submitted: datetime) -> str:
    return (
        f"📝 Отчёт {e(school)} по мероприятию {e(number)} ждёт вашей проверки "
        f"с {submitted.strftime(DATE_FORMAT)}."
    )


def event_reminder(title: str, starts_at: datetime, timezone: str, soon: bool) -> str:
    when = "через час" if soon else "завтра"
    return f"📅 {when.capitalize()}: «{e(title)}», начало {fmt_datetime(starts_at, timezone)}."


def settings_button(kind: str, muted: bool) -> str:
    return ("🔕 " if muted else "🔔 ") + NOTIFICATION_KINDS[kind]


def digest_text(digest: Digest, timezone: str, title: str = "Дайджест недели") -> str:
    lines = [f"<b>{title}</b> (с {fmt_date(digest.week_start)})"]
    if not digest.schools:
        lines.append("В вашей зоне пока нет школ проекта.")
    for row in digest.schools:
        marks = []
        if row.overdue:
            marks.append(f"⚠️ просрочено {row.overdue}")
        if row.waiting_review:
            marks.append(f"📝 на проверке {row.waiting_review}")
        marks.append(f"✅ за неделю {row.done_this_week}")
        marks.append(f"⏳ в ближайшие 2 недели {row.due_soon}")
        marks.append(f"🏫 посещений {row.visits_this_week}")
        if getattr(row, "overdue_follow_ups", 0):
            marks.append(f"📌 договорённостей просрочено {row.overdue_follow_ups}")
        lines.append(f"<b>{e(row.school)}</b>: " + ", ".join(marks))
    if digest.escalated:
        lines.append("<b>Просрочено больше 14 дней:</b>")
        lines += [
            f"• {e(school)}, {e(number)}. {e(measure[:80])} (срок {fmt_date(due)})"
            for school, number, measure, due in digest.escalated
        ]
    if digest.events:
        lines.append("<b>Ближайшие мероприятия:</b>")
        lines += [
            f"• {fmt_datetime(starts, timezone)} — {e(title_[:80])}"
            for title_, starts in digest.events
        ]
    if getattr(digest, "practices", None):  # issue 18: the practice bank
        lines.append("<b>Новое в банке практик</b> (/practices):")
        lines += [
            f"• {e(title_[:80])}" + (f" ({e(school)})" if school else "")
            for title_, school in digest.practices
        ]
    return _fit("\n".join(lines))

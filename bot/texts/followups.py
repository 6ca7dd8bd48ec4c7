"""Follow-ups after visits and the review threads of roadmap reports."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.texts.common import _fit, e, fmt_date, fmt_datetime
from bot.texts.exports import REVIEW_STATE_LABELS

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.models import VisitFollowUp
    from bot.services.roadmaps.review_threads import Thread
    from bot.services.visits.follow_ups import FollowUpLine


# ================================================================ follow-ups and review threads (issue 18.1–2)

FOLLOW_UPS_SECTION = "Договорённости по итогам посещений"
BUTTON_FOLLOW_UP_DONE = "✅ Выполнено"
BUTTON_FOLLOW_UP_COMMENT = "💬 Добавить комментарий"
FOLLOW_UP_DONE = (
    "Договорённость отмечена как выполненная ✅. Можно добавить комментарий или файл-подтверждение."
)
FOLLOW_UP_COMMENT_ASK = (
    "Напишите комментарий или пришлите фото или документ — подтверждение выполнения. "
    "Прервать — /cancel"
)
FOLLOW_UP_COMMENT_SAVED = "Комментарий к договорённости сохранён."
FOLLOW_UP_COMMENT_EXPECTED = "Здесь нужен текст, фото или документ. Прервать — /cancel"
FILE_KIND_LABELS = {"photo": "фото", "document": "документ"}
REVIEW_STATE_ON_HOLD = "⏸ <b>На паузе</b>"
BUTTON_HOLD = "⏸ На паузу"
BUTTON_THREAD_OPEN = "💬 Переписка"
BUTTON_THREAD_WRITE = "✍️ Написать"
BUTTON_THREAD_ANSWER = "💬 Ответить куратору"
REVIEW_ON_HOLD = "Отчёт поставлен на паузу. Школа получит уведомление."
THREAD_WRITE_ASK = (
    "Напишите сообщение по отчёту. Можно приложить фото или документ (с подписью или без). "
    "Прервать — /cancel"
)
THREAD_SENT = "Сообщение отправлено. Собеседник получит уведомление."
THREAD_EXPECTED = "Здесь нужен текст, фото или документ. Прервать — /cancel"
THREAD_EMPTY = "Сообщений по отчёту пока нет."
THREAD_VERBS = {"returned": "вернул(а)", "on_hold": "поставил(а) на паузу", "accepted": "принял(а)"}


def follow_up_mark(due: date, done_on: date | None, today: date) -> str:
    if done_on is not None:
        return f"Выполнено {fmt_date(done_on)}"
    if due < today:
        return f"Просрочено на {(today - due).days} дн."
    return "В работе"


def follow_up_line(line: FollowUpLine) -> str:
    late = f" — ⚠️ просрочено на {line.days_overdue} дн." if line.days_overdue else ""
    return f"• {e(line.what[:150])} (срок {fmt_date(line.due)}){late}"


def follow_ups_block(lines: list, title: str = FOLLOW_UPS_SECTION) -> str:
    return "\n".join([f"<b>{title}:</b>", *(follow_up_line(line) for line in lines[:10])])


def with_follow_ups(text: str, lines: list) -> str:
    return _fit(text + "\n\n" + follow_ups_block(lines))


def follow_up_with_state(follow_up: VisitFollowUp) -> str:  # on the visit's card
    return ("✅ " if follow_up.done_at else "") + follow_up.what


def follow_up_button(line: FollowUpLine) -> str:
    return f"✅ {line.what[:40]}"


def overdue_follow_ups_text(lines: list) -> str:
    out = [f"<b>Просроченные договорённости по итогам посещений: {len(lines)}</b>"]
    current = None
    for line in lines:
        if line.school != current:
            out.append(f"\n<b>{e(line.school)}</b>")
            current = line.school
        out.append(follow_up_line(line))
    return _fit("\n".join(out))


def visit_open_follow_ups(school: str, lines: list) -> str:
    return f"📌 Открытые договорённости школы {e(school)} — обсудите их первыми:\n" + "\n".join(
        follow_up_line(line) for line in lines[:10]
    )


def follow_up_done_notice(school: str, what: str, who: str, comment: str | None) -> str:
    text = f"✅ {e(who)} отметил(а) выполненной договорённость ({e(school)}):\n{e(what[:300])}"
    if comment:
        text += f"\nКомментарий: {e(comment[:500])}"
    return text


def thread_message_notice(
    school: str, number: str, measure: str, who: str, text: str | None, has_file: bool
) -> str:
    out = f"💬 {e(who)} пишет по отчёту {e(school)}, мероприятие {e(number)} ({e(measure[:100])})"
    if text:
        out += f":\n{e(text[:1000])}"
    if has_file:
        out += "\n📎 приложен файл"
    return out


def report_on_hold_notice(number: str, measure: str) -> str:
    return (
        f"⏸ Куратор поставил отчёт по мероприятию {e(number)} ({e(measure[:120])}) на паузу: "
        "решение позже. Можно написать куратору."
    )


def thread_text(thread: Thread, timezone: str) -> str:
    out = [
        f"<b>Переписка: {e(thread.school)}, мероприятие {e(thread.item_number)}</b>",
        e(thread.measure[:200]),
        f"<b>Отчёт:</b> {e(thread.done_text[:300]) if thread.done_text else '—'}",
        f"<b>Состояние:</b> {REVIEW_STATE_LABELS[thread.state.value]}",
    ]
    if not thread.lines:
        out.append(THREAD_EMPTY)
    for line in thread.lines:
        side = "школа" if line.from_school else "куратор"
        verb = f" {THREAD_VERBS[line.state]}" if line.state in THREAD_VERBS else ""
        body = f": {e(line.text[:500])}" if line.text else ""
        file = f" 📎 {FILE_KIND_LABELS.get(line.file_kind or '', 'файл')}" if line.file_id else ""
        out.append(f"{fmt_datetime(line.at, timezone)} — {e(line.who)} ({side}){verb}{body}{file}")
    return _fit("\n".join(out))

"""City events: creating, announcing, signing up, results and feedback."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.telegram_html import CAPTION_LIMIT
from bot.texts.common import _fit, e, fmt_datetime

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.models import Event
    from bot.services.events.event_results import FeedbackSummary
    from bot.services.events.events import EventDraft, EventRow


# ================================================================ events

EVENT_FORMAT_LABELS = {
    "quest": "Квест-игра",
    "business_game": "Деловая игра",
    "brainstorm": "Мозговой штурм",
    "debates": "Педагогические дебаты",
    "coaching": "Коучинг",
    "round_table": "Круглый стол",
    "pecha_kucha": "Печа-куча",
    "seminar": "Семинар",
    "webinar": "Вебинар",
    "readings": "Педагогические чтения",
    "methodical_meeting": "Методическое совещание",
    "other": "Другое",
}
EVENT_AUDIENCE_LABELS = {
    "project_schools": "Все школы проекта «500+»",
    "chosen_schools": "Выбранные школы",
    "curators": "Кураторы",
    "everyone": "Все: школы, кураторы, координаторы",
}
REGISTRATION_STATE_LABELS = {
    "registered": "вы записаны",
    "waitlisted": "вы в листе ожидания",
    "declined": "вы отказались",
    "cancelled": "запись отменена",
}
BUTTON_SIGN_UP = "Записаться"
BUTTON_DECLINE = "Не смогу"
BUTTON_WITHDRAW = "Отменить запись"
BUTTON_PUBLISH = "Опубликовать"
BUTTON_PARTICIPANTS = "Участники"
BUTTON_EXPORT = "Выгрузить XLSX"
BUTTON_CANCEL_EVENT = "Отменить мероприятие"
BUTTON_YES_CANCEL_EVENT = "Да, отменить"
BUTTON_RESULTS = "Итоги"
BUTTON_ASK_FEEDBACK = "Запросить отзывы"
BUTTON_FEEDBACK = "Отзывы"
BUTTON_NO_LIMIT = "Без ограничения"
BUTTON_NO_SIGNUP = "Без записи"
EVENT_CHOOSE_FORMAT = "Новое мероприятие. Формат:"
EVENT_TITLE = "Название мероприятия:"
EVENT_START = "Дата и время начала (местное время): напишите ДД.ММ.ГГГГ ЧЧ:ММ или выберите:"
EVENT_DURATION = "Продолжительность в минутах:"
EVENT_PLACE = "Где? Выберите школу-площадку или напишите адрес / ссылку для онлайн-формата:"
EVENT_GOAL = "Цель мероприятия (или «Пропустить»):"
EVENT_AUDIENCE = "Для кого?"
EVENT_CHOOSE_SCHOOLS = "Отметьте школы и нажмите «Готово»:"
EVENT_CAPACITY = "Запись: сколько мест? Напишите число или выберите:"
EVENT_DESCRIPTION = "Описание: задачи, ход, что взять с собой (или «Пропустить»):"
EVENT_PUBLISHED = "Мероприятие опубликовано. Приглашения отправляются участникам."
EVENTS_EMPTY = "Ближайших мероприятий нет."
EVENT_SIGNED_UP = "Вы записаны. Напомним накануне и за час до начала."
EVENT_WAITLISTED = "Мест нет — вы в листе ожидания. Сообщим, если место освободится."
EVENT_DECLINED = "Отметили, что вы не сможете."
EVENT_CONFIRM_CANCEL = "Отменить мероприятие? Все записавшиеся получат уведомление."
EVENT_CANCELLED_DONE = "Мероприятие отменено, участники уведомлены."
EVENT_EDIT_CHOOSE = "Что изменить?"
EVENT_EDITED = "Изменение сохранено, записавшиеся уведомлены."
EVENT_RESULTS_ASK = (
    "Пришлите материалы (файлы, фото), если есть, и напишите итоги мероприятия одним сообщением."
)
EVENT_RESULTS_SAVED = "Итоги сохранены."
EVENT_FEEDBACK_SENT = "Запросы отзывов отправляются: {count}."
EVENT_FEEDBACK_THANKS = (
    "Спасибо за оценку! Напишите комментарий одним сообщением или нажмите «Пропустить»."
)
EVENT_FEEDBACK_SAVED = "Спасибо, отзыв сохранён."
EVENT_NO_PARTICIPANTS = "Пока никто не записался."
EVENT_EDIT_FIELDS = {
    "title": "Название",
    "starts_at": "Дата и время",
    "place_text": "Место",
    "description": "Описание",
}
# The buttons of «Изменить» on a draft: which step of the form to go back to.
EVENT_CHANGE_LABELS = {
    "title": "Название",
    "start": "Начало",
    "place": "Место",
    "goal": "Цель",
    "audience": "Для кого",
    "capacity": "Запись",
    "description": "Описание",
}


def event_when(starts_at: datetime, duration: int, timezone: str) -> str:
    return f"{fmt_datetime(starts_at, timezone)}, {duration} мин."


def event_announcement(event: Event, place: str, timezone: str) -> str:
    lines = [
        f"📣 <b>{EVENT_FORMAT_LABELS.get(event.format, e(event.format))}: «{e(event.title)}»</b>",
        f"Когда: {event_when(event.starts_at, event.duration_minutes, timezone)}",
        f"Где: {e(place)}",
    ]
    if event.goal:
        lines.append(f"Цель: {e(event.goal[:500])}")
    if event.capacity:
        lines.append(f"Мест: {event.capacity}")
    lines.append("Файл .ics ниже — добавьте мероприятие в календарь телефона.")
    return _fit("\n".join(lines), CAPTION_LIMIT)


def event_card(row: EventRow, place: str, timezone: str, manager: bool) -> str:
    event = row.event
    status = {"cancelled": " — <b>ОТМЕНЕНО</b>", "finished": " — прошло"}.get(
        event.status.value, ""
    )
    lines = [
        f"<b>{EVENT_FORMAT_LABELS.get(event.format, e(event.format))}: «{e(event.title)}»</b>{status}",
        f"Когда: {event_when(event.starts_at, event.duration_minutes, timezone)}",
        f"Где: {e(place)}",
        f"Для кого: {EVENT_AUDIENCE_LABELS.get(event.audience.value, '')}",
    ]
    if event.goal:
        lines.append(f"Цель: {e(event.goal)}")
    if event.description:
        lines.append(e(event.description))
    if event.needs_registration:
        places = f" из {event.capacity}" if event.capacity else ""
        lines.append(
            f"Записались: {row.registered}{places}"
            + (f", ожидают: {row.waitlisted}" if row.waitlisted else "")
        )
    if row.my_state is not None:
        lines.append(f"<i>{REGISTRATION_STATE_LABELS[row.my_state.value]}</i>")
    if event.results:
        lines.append(f"<b>Итоги:</b> {e(event.results)}")
    return _fit("\n".join(lines))


def events_list(rows: list, timezone: str) -> str:
    if not rows:
        return EVENTS_EMPTY
    lines = ["<b>Мероприятия</b>"]
    for row in rows:
        mark = f" — {REGISTRATION_STATE_LABELS[row.my_state.value]}" if row.my_state else ""
        cancelled = " (отменено)" if row.event.status.value == "cancelled" else ""
        lines.append(
            f"• {fmt_datetime(row.event.starts_at, timezone)} «{e(row.event.title[:80])}»{cancelled}{mark}"
        )
    return _fit("\n".join(lines))


def event_draft_summary(draft: EventDraft, place: str, timezone: str) -> str:
    starts = datetime.fromisoformat(draft.starts_at) if draft.starts_at else None
    lines = [
        "<b>Проверьте мероприятие</b>",
        f"<b>Формат:</b> {EVENT_FORMAT_LABELS.get(draft.format or '', '—')}",
        f"<b>Название:</b> {e(draft.title or '—')}",
        f"<b>Начало:</b> {fmt_datetime(starts, timezone)}, {draft.duration_minutes} мин.",
        f"<b>Место:</b> {e(place)}",
        f"<b>Цель:</b> {e(draft.goal) if draft.goal else '—'}",
        f"<b>Для кого:</b> {EVENT_AUDIENCE_LABELS.get(draft.audience, '')}"
        + (f" ({len(draft.chosen_school_ids)})" if draft.chosen_school_ids else ""),
        "<b>Запись:</b> "
        + (
            "не нужна"
            if not draft.needs_registration
            else (f"{draft.capacity} мест" if draft.capacity else "без ограничения мест")
        ),
        f"<b>Описание:</b> {e(draft.description) if draft.description else '—'}",
    ]
    return _fit("\n".join(lines))


def event_materials_added(count: int) -> str:
    return f"Материалов: {count}. Ещё файлы или текст итогов."


def event_promoted(title: str) -> str:
    return f"Освободилось место: вы записаны на «{e(title)}»."


def event_changed(title: str) -> str:
    return f"✏️ Изменения в мероприятии «{e(title)}». Откройте, чтобы посмотреть."


def event_cancelled(title: str) -> str:
    return f"❌ Мероприятие «{e(title)}» отменено."


def event_feedback_request(title: str) -> str:
    return f"Как прошло мероприятие «{e(title)}»? Оцените от 1 до 5 — это лист рефлексии для организаторов."


def event_participants(title: str, people: list) -> str:  # list[Participant]
    if not people:
        return EVENT_NO_PARTICIPANTS
    lines = [f"<b>Участники «{e(title[:80])}»</b>"]
    for p in people:
        mark = {True: "✅ ", False: "✖️ "}.get(p.attended, "")
        wait = " (ожидание)" if p.state.value == "waitlisted" else ""
        lines.append(f"{mark}{e(p.name)}{wait}")
    lines.append("Нажмите на участника, чтобы отметить присутствие.")
    return _fit("\n".join(lines))


def event_feedback_summary(summary: FeedbackSummary) -> str:
    average = f"{summary.average:.1f}" if summary.average is not None else "—"
    lines = [
        f"<b>Отзывы:</b> {summary.count}, средняя оценка {average}",
        f"Записались: {summary.registered}, пришли: {summary.attended}",
    ]
    lines += [f"• {e(c[:200])}" for c in summary.comments[:15]]
    return _fit("\n".join(lines))

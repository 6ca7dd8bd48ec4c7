"""Curators' visits: the form, the card, the lists."""

from __future__ import annotations

from datetime import date

from bot.texts.common import _fit, clip, e, fmt_date

# ================================================================ visits

VISIT_FORMAT_LABELS = {
    "on_site": "Выезд в школу",
    "remote": "Дистанционно (видеосвязь)",
    "phone": "Консультация по телефону",
    "joint_event": "Совместное мероприятие",
    "other": "Другое",
}
PARTICIPANT_LABELS = {
    "director": "Директор",
    "deputy_uvr": "Заместитель по УВР",
    "shmo_heads": "Руководители ШМО",
    "teachers": "Педагоги",
    "students": "Обучающиеся",
    "parents": "Родители",
    "other": "Другое",
}
VISIT_NO_SCHOOLS = "За вами пока не закреплены школы. Обратитесь к координатору."
VISIT_CHOOSE_SCHOOL = "Новое посещение. Выберите школу:"
VISIT_CHOOSE_DATE = "Когда было посещение? Нажмите кнопку или напишите дату (ДД.ММ.ГГГГ)."
VISIT_CHOOSE_FORMAT = "Формат:"
VISIT_FORMAT_OTHER = "Опишите формат одной строкой:"
VISIT_PURPOSE = "Цель или тема. Напишите текст или выберите пункт дорожной карты / фактор риска:"
VISIT_PARTICIPANTS = "С кем работали? Отметьте всех и нажмите «Готово»."
VISIT_PARTICIPANTS_NONE = "Отметьте хотя бы одного участника."
VISIT_PARTICIPANTS_OTHER = "Кто ещё участвовал? Напишите одной строкой:"
VISIT_FINDINGS = "Что выявлено? Напишите текстом."
VISIT_RECOMMENDATIONS = "Рекомендации школе? Напишите текстом."
VISIT_NEXT_STEPS = (
    "Договорённости (необязательно): напишите «что — к какой дате», например\n"
    "<i>Провести педсовет по итогам ВПР — 15.12.2026</i>\n"
    "Можно несколько сообщений. Когда закончите — «Готово»."
)
VISIT_NEXT_STEP_BAD = (
    "Не нашёл дату в конце. Пример: <i>Провести педсовет — 15.12.2026</i>. Или нажмите «Готово»."
)
VISIT_NEXT_STEPS_FULL = "Достаточно договорённостей — нажмите «Готово»."
VISIT_ATTACHMENTS = (
    "Вложения (необязательно): пришлите фото протокола, документы или геопозицию. "
    "Когда закончите — «Готово»."
)
VISIT_ATTACHMENT_ADDED = "Добавлено вложений: {count}. Ещё или «Готово»."
VISIT_ATTACHMENT_TOO_BIG = "Файл слишком большой (больше {limit} МБ). Пришлите файл поменьше."
VISIT_ATTACHMENTS_FULL = "Больше вложений добавить нельзя — нажмите «Готово»."
VISIT_ATTACHMENT_EXPECTED = "Здесь ждём фото, документ или геопозицию — или нажмите «Готово»."
VISIT_CHOOSE_FIELD = "Что изменить?"
VISIT_DATE_EXPECTED = "Нажмите кнопку с датой или напишите дату как ДД.ММ.ГГГГ."
VISIT_STEPS_NOW = "Сейчас договорённостей: {count}."
VISIT_FILES_NOW = "Сейчас вложений: {count}."
BUTTON_CLEAR_ALL = "Удалить все"
BUTTON_RESUME = "Продолжить"
BUTTON_START_OVER = "Начать заново"


def visit_resume_question(school: str | None, day: date | None) -> str:
    where = f" ({e(school)}, {fmt_date(day)})" if school and day else ""
    return (
        f"У вас есть незаконченная запись посещения{where}. "
        "Продолжить её или начать заново? Начатая запись при этом удалится."
    )


def visit_full_field(label: str, value: str) -> str:
    return f"<b>{label} (полностью):</b>\n{e(value)}"


VISIT_SAVED = "Посещение сохранено. Школа и координаторы получат уведомление."
VISIT_UPDATED = "Изменения сохранены."
VISIT_DELETED = "Посещение удалено."
VISIT_CONFIRM_DELETE = "Удалить это посещение? Действие попадёт в журнал."
VISITS_EMPTY = "Посещений пока нет."
BUTTON_NEW_VISIT = "Новое посещение"
VISIT_FIELD_LABELS = {
    "school": "Школа",
    "date": "Дата",
    "format": "Формат",
    "purpose": "Цель",
    "participants": "Участники",
    "findings": "Выявлено",
    "recommendations": "Рекомендации",
    "next": "Договорённости",
    "attachments": "Вложения",
}


def visit_format_label(code: str | None, other: str | None) -> str:
    if code == "other" and other:
        return e(other)
    return VISIT_FORMAT_LABELS.get(code or "", "—")


def participants_label(codes: list[str], other: str | None) -> str:
    names = [PARTICIPANT_LABELS[c] for c in codes if c != "other" and c in PARTICIPANT_LABELS]
    if "other" in codes:
        names.append(e(other) if other else PARTICIPANT_LABELS["other"])
    return ", ".join(names) or "—"


CARD_PURPOSE = 500
CARD_TEXT = 800
CARD_STEP = 80


def visit_summary(
    *,
    school: str,
    day: date | None,
    format_code: str | None,
    format_other: str | None,
    purpose: str | None,
    participants: list[str],
    participants_other: str | None,
    findings: str | None,
    recommendations: str | None,
    follow_ups: list[tuple[str, date]],
    attachments: int,
    title: str = "Проверьте посещение",
) -> str:
    # Three 2,000-character answers and ten next steps do not fit one message: each long
    # field is shortened on the card (the history sends the full text separately).
    lines = [
        f"<b>{title}</b>",
        f"<b>Школа:</b> {e(school)}",
        f"<b>Дата:</b> {fmt_date(day)}",
        f"<b>Формат:</b> {visit_format_label(format_code, format_other)}",
        f"<b>Цель:</b> {clip(purpose, CARD_PURPOSE)}",
        f"<b>Участники:</b> {participants_label(participants, participants_other)}",
        f"<b>Выявлено:</b> {clip(findings, CARD_TEXT)}",
        f"<b>Рекомендации:</b> {clip(recommendations, CARD_TEXT)}",
    ]
    if follow_ups:
        lines.append("<b>Договорённости:</b>")
        lines += [f"• {clip(what, CARD_STEP)} — до {fmt_date(due)}" for what, due in follow_ups]
    lines.append(f"<b>Вложения:</b> {attachments}")
    return _fit("\n".join(lines))


def visit_next_step_added(what: str, due: date, count: int) -> str:
    return f"Записал: {e(what)} — до {fmt_date(due)}. Договорённостей: {count}. Ещё или «Готово»."


def visit_saved_notice(curator: str, school: str, day: date | None) -> str:
    return (
        f"Куратор {e(curator)} записал(а) посещение школы {e(school)} за {fmt_date(day)}. "
        "Подробности — /visits"
    )


def visits_page_header(total: int, page: int, pages: int) -> str:
    return f"<b>Посещения</b> — всего {total}, страница {page + 1} из {pages}"


def visit_row(day: date, school: str, curator: str, format_code: str) -> str:
    return (
        f"{fmt_date(day)} · {e(school)} · {e(curator)} · {VISIT_FORMAT_LABELS.get(format_code, '')}"
    )


def visit_button(day: date, school: str) -> str:
    return f"{fmt_date(day)} {school}"


VISIT_CHOOSE_FILTER = "Фильтр:"
BUTTON_FILTER_CURATOR = "Куратор"


def visit_purpose_from_item(number: str, measure: str) -> str:
    """Plain text: a visit's purpose taken from a roadmap item (stored, escaped when shown)."""
    return f"Пункт {number} дорожной карты: {measure}"


def visit_purpose_from_factor(factor_id: int, title: str) -> str:
    return f"Фактор риска {factor_id}: {title}"


def visit_card_title(curator: str) -> str:
    return f"Посещение — куратор {e(curator)}"


def visit_locations(points: list[tuple[float | None, float | None]]) -> str:
    links = [
        f'<a href="https://maps.google.com/?q={lat},{lon}">геопозиция</a>'
        for lat, lon in points
        if lat is not None and lon is not None
    ]
    return "<b>Место:</b> " + ", ".join(links)


def month_label(yyyymm: int) -> str:
    return f"{yyyymm % 100:02d}.{yyyymm // 100}"

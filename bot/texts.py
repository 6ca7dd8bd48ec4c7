"""Every word the bot says, in Russian. Handlers name messages; user input is escaped here.

Sections follow the features. Functions take plain values and return ready HTML.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot import callbacks
from bot.models import Role
from bot.telegram_html import CAPTION_LIMIT, MESSAGE_LIMIT, fit

DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%Y %H:%M"


def e(value: object) -> str:
    """Escape user-supplied text for Telegram HTML."""
    return escape(str(value), quote=False)


def fmt_date(value: date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else "—"


def fmt_datetime(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(timezone)).strftime(DATETIME_FORMAT)


# ---------------------------------------------------------------- common

ROLE_NAMES: dict[Role, str] = {
    Role.ADMIN: "администратор",
    Role.REGIONAL_COORDINATOR: "региональный координатор",
    Role.MUNICIPAL_COORDINATOR: "муниципальный координатор",
    Role.CURATOR: "куратор",
    Role.SCHOOL_STAFF: "управленческая команда школы",
}

COMMAND_DESCRIPTIONS: dict[str, str] = {
    "start": "Начать работу",
    "help": "Что умеет бот",
    "whoami": "Мои роли и школы",
    "cancel": "Прервать текущее действие",
    "invite": "Пригласить участника",
    # -- visits
    "visit": "Отметить посещение или консультацию",
    "visits": "Посещения кураторов",
    # -- roadmaps
    "roadmap": "Дорожная карта школы",
    "review": "Отчёты на проверку",
    "risks": "Рисковый профиль школы",
    "template": "Шаблон дорожной карты (XLSX)",
    "import": "Загрузить дорожную карту из файла",
    "item_new": "Добавить мероприятие",
    # -- events
    "events": "Мероприятия: ближайшие и прошедшие",
    "event_new": "Создать городское мероприятие",
    # -- reminders, digests, settings
    "digest": "Дайджест недели",
    "settings": "Настройки уведомлений",
    # -- summaries and reports
    "summary": "Сводка по школам",
    "school": "Карточка школы: /school 17",
    "overdue": "Просроченные мероприятия",
    "report": "Отчёт за полугодие (XLSX)",
    "export": "Выгрузка данных (CSV)",
    # -- administration
    "audit": "Журнал изменений",
    # -- directory changes (issue 13.2)
    "people": "Участники: снять роль",
    "directory": "Справочник: школы, люди, кураторы (XLSX)",
    "new_year": "Новый учебный год: перенос назначений",
}

STRANGER_WELCOME = (
    "Здравствуйте! Это бот координации проекта адресной методической помощи «500+» "
    "(школы с низкими образовательными результатами).\n\n"
    "Кураторы отмечают здесь посещения, школы — выполнение дорожных карт, "
    "координаторы — городские мероприятия и сводки.\n\n"
    "Доступ — только по приглашению. Попросите ссылку-приглашение у муниципального "
    "координатора проекта и откройте её в Telegram."
)
REFUSED = "У вас нет доступа к этой команде."
REFUSED_STRANGER = (
    "Вы ещё не подключены к боту. Попросите ссылку-приглашение у координатора проекта."
)
CANCELLED = "Действие отменено. Ничего не сохранено."
NOTHING_TO_CANCEL = "Сейчас нечего отменять. Команды — /help"
UNKNOWN_COMMAND = "Не знаю такой команды. Список команд — /help"
UNEXPECTED_INPUT = "Не понял сообщение. Выберите действие в меню или откройте /help"
INTERNAL_ERROR = (
    "Что-то пошло не так, изменения не сохранены. Попробуйте ещё раз или начните заново: /cancel"
)
STALE_BUTTON = "Эта кнопка устарела. Откройте нужный раздел заново: /help"
TEXT_EXPECTED = "Нужен текст. Напишите сообщение или нажмите /cancel, чтобы прервать."
TEXT_TOO_LONG = (
    "Слишком длинный текст: {length} символов, допустимо до {limit}. Сократите, пожалуйста."
)
USE_BUTTONS = "Выберите вариант кнопкой выше или нажмите /cancel, чтобы прервать."
SLOW_DOWN = "Слишком много сообщений подряд. Подождите несколько секунд."


def welcome_bound(full_name: str, role: Role, scope_name: str) -> str:
    scope = f" ({e(scope_name)})" if scope_name else ""
    return (
        f"Добро пожаловать, {e(full_name)}!\n"
        f"Ваша роль: <b>{ROLE_NAMES[role]}</b>{scope}.\n\n"
        "Список доступных команд — /help"
    )


def welcome_back(full_name: str) -> str:
    return f"С возвращением, {e(full_name)}! Список команд — /help"


ADMIN_BOOTSTRAPPED = "Вы назначены администратором бота (из настроек ADMIN_TELEGRAM_IDS)."


def help_text(commands: list[str]) -> str:
    lines = ["<b>Что вы можете сделать:</b>"]
    lines += [f"/{name} — {COMMAND_DESCRIPTIONS[name]}" for name in commands]
    lines.append("/cancel — " + COMMAND_DESCRIPTIONS["cancel"])
    return "\n".join(lines)


def whoami(full_name: str, roles: list[tuple[Role, str]], schools: list[str]) -> str:
    lines = [f"<b>{e(full_name)}</b>", "Роли:"]
    lines += [
        f"• {ROLE_NAMES[role]}" + (f" — {e(scope)}" if scope else "") for role, scope in roles
    ]
    if schools:
        lines.append("Школы:")
        lines += [f"• {e(name)}" for name in schools]
    return "\n".join(lines)


# ---------------------------------------------------------------- errors raised by services

# -- security: one refusal for «not yours» and «does not exist» (SECURITY.md), so a forged id
# never tells whether a school, roadmap item, report, visit or event exists elsewhere.
NOT_FOUND_OR_HIDDEN = "Не найдено или недоступно вам."
UNIFORM_REFUSAL_CODES = (
    "not_found",
    "school_not_found",
    "school_out_of_scope",
    "visit_not_found",
    "roadmap_item_not_found",
    "roadmap_report_not_found",
    "event_not_found",
    "event_not_for_you",
)

ERRORS: dict[str, str] = {
    "rollover_year_out_of_range": (
        "Перейти можно только в текущий ({current}) или следующий ({next}) учебный год."
    ),
    "access_denied": "Нет доступа.",
    "not_found": NOT_FOUND_OR_HIDDEN,
    "school_not_found": NOT_FOUND_OR_HIDDEN,
    "school_out_of_scope": NOT_FOUND_OR_HIDDEN,
    "scope_not_found": "Не найдено, к чему привязать приглашение.",
    "invite_unknown": "Приглашение не найдено. Проверьте ссылку или попросите новую.",
    "invite_used": "Это приглашение уже использовано. Попросите у координатора новое.",
    "invite_expired": "Срок действия приглашения истёк. Попросите у координатора новое.",
    "invite_revoked": "Приглашение отозвано. Обратитесь к координатору.",
    "invite_used_cannot_revoke": (
        "Приглашение уже использовано: участник подключён. Отзывать нечего."
    ),
    "invite_for_other_person": "Это приглашение выписано другому человеку.",
    "invite_person_taken": "Этот участник уже подключён с другого аккаунта Telegram.",
    "invite_role_not_allowed": "Вы не можете приглашать участников с этой ролью.",
    "invite_scope_not_allowed": "Вы можете приглашать только в своём муниципалитете.",
    "invite_scope_missing": "Не указано, к чему относится роль (регион, муниципалитет или школа).",
    "date_unreadable": "Не понял дату. Напишите её как ДД.ММ.ГГГГ, например 15.03.2023.",
    "date_impossible": "Такой даты нет в календаре. Проверьте день и месяц.",
    "text_empty": "Пустой текст. Напишите, пожалуйста, хотя бы пару слов.",
    "text_too_long": "Слишком длинный текст: {length} символов, допустимо до {limit}.",
    # -- visits
    "visit_school_not_curated": "Вы не куратор этой школы.",
    "visit_date_future": "Дата посещения не может быть в будущем.",
    "visit_date_before_project": "Школа участвует в проекте с {year} года — дата раньше.",
    "visit_incomplete": "Не все обязательные поля заполнены: школа, дата, формат, цель.",
    "visit_already_saved": "Это посещение уже сохранено.",
    "visit_not_found": NOT_FOUND_OR_HIDDEN,
    "visit_not_yours": "Изменять посещение может только куратор, который его записал.",
    "visit_edit_window": "Изменять и удалять посещение можно {days} дней после записи.",
    "visit_item_other_school": "Этот пункт дорожной карты относится к другой школе.",
    "visit_next_step_past": "Срок договорённости не может быть в прошлом.",
    "visit_factor_not_in_profile": "Этого фактора нет в рисковом профиле школы.",
    # -- roadmaps
    "roadmap_edit_denied": "Менять дорожную карту могут школа и координаторы муниципалитета.",
    "roadmap_item_not_found": NOT_FOUND_OR_HIDDEN,
    "roadmap_report_only_school": "Отчитываться по дорожной карте может только сама школа.",
    "roadmap_percent": "Процент выполнения — от 0 до 100.",
    "roadmap_report_pending": "По этому мероприятию уже есть отчёт на проверке у куратора.",
    "roadmap_report_not_found": NOT_FOUND_OR_HIDDEN,
    "snooze_unknown": "Это напоминание не найдено.",
    # -- events
    "event_coordinators_only": "Создавать и менять мероприятия могут только координаторы муниципалитета.",
    "event_incomplete": "Не заполнены формат, название или дата начала.",
    "event_start_past": "Время начала уже прошло. Укажите будущую дату и время.",
    "event_datetime_unreadable": "Не понял дату и время. Напишите как ДД.ММ.ГГГГ ЧЧ:ММ, например 15.12.2026 14:30.",
    "event_duration": "Продолжительность — число минут от 15 до 600, например 90.",
    "event_capacity": "Число мест — от 1 до 2000, или нажмите «Без ограничения».",
    "event_not_found": NOT_FOUND_OR_HIDDEN,
    "event_not_for_you": NOT_FOUND_OR_HIDDEN,
    "event_not_open": "Мероприятие отменено или уже закрыто для изменений.",
    "event_started": "Мероприятие уже началось — запись закрыта.",
    "event_edited_by_other": "Мероприятие только что изменил другой координатор. Откройте его заново и повторите правку.",
    "event_not_yet": "Мероприятие ещё не прошло.",
    "event_feedback_not_participant": "Оставить отзыв могут только участники мероприятия.",
    "event_rating": "Оценка — от 1 до 5.",
    "event_no_schools": "Отметьте хотя бы одну школу.",
    "roadmap_review_only_curator": "Проверять отчёты может только куратор этой школы.",
    "roadmap_report_reviewed": "Этот отчёт уже проверен.",
    "roadmap_return_needs_comment": "Напишите комментарий: что нужно исправить.",
    "import_too_big": "Файл больше {limit_mb} МБ. Разделите дорожную карту или уберите лишнее.",
    "import_wrong_type": "Нужен файл XLSX или CSV. Шаблон — /template",
    "import_not_xlsx": "Файл не открывается как XLSX. Сохраните его в Excel как «Книга Excel (.xlsx)».",
    "import_zip_bomb": "Файл после распаковки слишком велик — похоже, он повреждён.",
    "import_too_many_rows": "В файле больше {limit} строк. Столько мероприятий не бывает — проверьте файл.",
    "import_wrong_columns": (
        "Не нашёл строку заголовков в первых {scanned} строках файла. Нужен хотя бы столбец "
        "«Мероприятия» (или «Содержание работы»); «№», «Сроки», «Ответственные исполнители», "
        "«Фактор риска» — по желанию. Шаблон — /template"
    ),
    "import_missing_column": (
        "В строке заголовков (строка {row}: {found}) нет столбца «{column}» — "
        "назовите так столбец с текстами мероприятий и пришлите файл снова."
    ),
    # -- directory import (/directory, import-directory)
    "directory_too_big": "Файл больше {limit_mb} МБ. Справочник региона столько не весит — проверьте файл.",
    "directory_not_xlsx": (
        "Нужен файл XLSX: откройте справочник в Excel и сохраните как «Книга Excel (.xlsx)»."
    ),
    "directory_too_many_rows": "На листе больше {limit} строк — проверьте файл.",
    "directory_no_sheets": (
        "В файле нет листов справочника. Нужны листы «Муниципалитеты», «Школы», «Люди», "
        "«Кураторы» (хотя бы один). Шаблон пришлёт /directory."
    ),
    "directory_file_gone": "Файл больше недоступен — пришлите его ещё раз.",
    "roadmap_edit_field": "Это поле мероприятия не меняется.",
    "roadmap_year_out_of_range": "Выберите год кнопкой: прошлый, текущий или следующий.",
    "roadmap_deadline_unreadable": (
        "Не понял срок «{wording}». Примеры: 15.03.2027, ноябрь–декабрь 2026, ежемесячно."
    ),
    # -- roadmaps
    #
    #
    # -- events
    #
    #
    # -- reminders, digests, settings
    #
    #
    # -- summaries and reports
    #
    #
    # -- administration
    #
}


def error(code: str, **params: object) -> str:
    template = ERRORS.get(code, ERRORS["access_denied"])
    return template.format(**{key: e(value) for key, value in params.items()})


# ---------------------------------------------------------------- invites

INVITE_CHOOSE_ROLE = "Кого пригласить?"
INVITE_CHOOSE_SCOPE = "Выберите, к чему относится роль:"
INVITE_NO_SCOPES = "Нет доступных вариантов для этой роли."
BUTTON_INVITE_REVOKE = "Отозвать приглашение"
BUTTON_INVITE_PENDING = "Выданные приглашения"
INVITE_NONE_PENDING = "Нет приглашений, которые ждут ответа."


def invites_pending(count: int) -> str:
    return (
        f"<b>Ваши приглашения, которые ещё не использованы</b> ({count}).\n"
        "Нажмите на приглашение, чтобы отозвать его: ссылка перестанет действовать."
    )


def invite_pending_label(role: Role, scope_name: str, expires: str) -> str:
    """A button: role, scope and expiry; Telegram shows buttons as plain text."""
    scope = f" — {scope_name}" if scope_name else ""
    return f"✕ {ROLE_NAMES[role]}{scope}, до {expires}"[:60]


def invite_revoked(role: Role, scope_name: str) -> str:
    scope = f" — {e(scope_name)}" if scope_name else ""
    return f"Приглашение отозвано: <b>{ROLE_NAMES[role]}</b>{scope}. Ссылка больше не действует."


AUDIT_EMPTY = "Журнал изменений пуст."


def audit_lines(lines: list, timezone: str) -> str:  # list[AuditLine]
    if not lines:
        return AUDIT_EMPTY
    out = ["<b>Последние изменения</b>"]
    for line in lines:
        who = e(line.actor) if line.actor else "система"
        target = f"{line.object_type} {line.object_id}" if line.object_id else line.object_type
        out.append(f"{fmt_datetime(line.at, timezone)} — {who}: {e(line.action)} ({e(target)})")
    return "\n".join(out)


def invite_issued(link: str, role: Role, scope_name: str, expires: str) -> str:
    scope = f" — {e(scope_name)}" if scope_name else ""
    return (
        f"Приглашение: <b>{ROLE_NAMES[role]}</b>{scope}.\n"
        f"Перешлите ссылку участнику (одноразовая, действует до {expires}):\n{e(link)}"
    )


# ---------------------------------------------------------------- visits
#
#
#


# ---------------------------------------------------------------- roadmaps
#
#
#


# ---------------------------------------------------------------- events
#
#
#


# ---------------------------------------------------------------- reminders and digests
#
#
#


# ---------------------------------------------------------------- summaries and reports
#
#
#


# ================================================================ visits (section body)

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
BUTTON_TODAY = "Сегодня"
BUTTON_YESTERDAY = "Вчера"
BUTTON_OTHER_DAY = "Другая дата…"
BUTTON_DONE = "Готово"
BUTTON_SKIP = "Пропустить"
BUTTON_SAVE = "Сохранить"
BUTTON_CHANGE = "Изменить…"
BUTTON_CANCEL = "Отмена"
BUTTON_BACK = "Назад"
BUTTON_DELETE = "Удалить"
BUTTON_EDIT = "Изменить"
BUTTON_YES_DELETE = "Да, удалить"
BUTTON_NEW_VISIT = "Новое посещение"
BUTTON_PREV = "‹"
BUTTON_NEXT = "›"
BUTTON_ALL = "Все"
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


def clip(value: str | None, limit: int) -> str:
    """Escaped text, shortened with «…» past `limit` characters; «—» when empty."""
    if not value:
        return "—"
    return e(value) if len(value) <= limit else e(value[: limit - 1].rstrip()) + "…"


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


def _fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut a long card after a line so it stays one Telegram message (`telegram_html.fit`)."""
    return fit(text, limit)


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


# ================================================================ roadmaps (section body)

ITEM_STATUS_LABELS = {
    "not_started": "не начато",
    "in_progress": "в работе",
    "done": "выполнено",
    "not_done": "не выполнено",
    # Settled at the year's end (bot/services/carry_over.py), never chosen in a report.
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


def item_card(item, school: str, overdue: bool, risk: str | None = None) -> str:  # RoadmapItem
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


def queued_report(report) -> str:  # QueuedReport
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


# ================================================================ reminders and digests (section body)

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


def digest_text(digest, timezone: str, title: str = "Дайджест недели") -> str:  # Digest
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


# ================================================================ summaries and reports (section body)

SUMMARY_EMPTY = "В вашей зоне нет школ проекта."
SCHOOL_ASK = "Какая школа? Напишите, например: /school 17 или /school лицей 9"
SCHOOL_NOT_FOUND = "Школа не найдена в вашей зоне. Проверьте номер или название."
SCHOOL_SEVERAL = "Нашлось несколько школ — выберите:"
OVERDUE_NONE = "Просроченных мероприятий нет. 👍"
REPORT_CHOOSE_HALF = "Отчёт за какое полугодие?"
REPORT_CHOOSE_SCOPE = "Для какой школы? Или весь муниципалитет:"
REPORT_WHOLE = "Все школы"
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
BUTTON_PREVIOUS = "◀ Назад"
BUTTON_NEXT = "Далее ▶"


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


def school_card_text(card, timezone: str) -> str:  # SchoolCard
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


# ================================================================ events (section body)

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


def event_when(starts_at: datetime, duration: int, timezone: str) -> str:
    return f"{fmt_datetime(starts_at, timezone)}, {duration} мин."


def event_announcement(event, place: str, timezone: str) -> str:  # event: Event
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


def event_card(row, place: str, timezone: str, manager: bool) -> str:  # row: EventRow
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


def event_draft_summary(draft, place: str, timezone: str) -> str:  # EventDraft
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


def event_feedback_summary(summary) -> str:  # FeedbackSummary
    average = f"{summary.average:.1f}" if summary.average is not None else "—"
    lines = [
        f"<b>Отзывы:</b> {summary.count}, средняя оценка {average}",
        f"Записались: {summary.registered}, пришли: {summary.attended}",
    ]
    lines += [f"• {e(c[:200])}" for c in summary.comments[:15]]
    return _fit("\n".join(lines))


# ---------------------------------------------------------------- seed-demo (issue 13 part 4)


def demo_activity_loaded(
    roadmaps: int, items: int, reports: int, visits: int, risk_entries: int, assignments: int
) -> str:
    """The CLI's line after `seed-demo`: what the living part of the demo added this time."""
    if not (roadmaps or items or reports or visits or risk_entries or assignments):
        return "Дорожные карты, посещения и рисковые профили демо-школ уже загружены — ничего не добавлено."
    return (
        f"Добавлено для демо-школ: дорожных карт — {roadmaps} (пунктов — {items}, "
        f"отчётов — {reports}), посещений — {visits}, записей рисковых профилей — {risk_entries}, "
        f"закреплений кураторов на текущий учебный год — {assignments}."
    )


# ---------------------------------------------------------------- directory changes (issue 13.2)

BUTTON_CHANGES = "⚙️ Изменить"
BUTTON_CHANGES_CANCEL = "Отмена"
BUTTON_CHANGES_CONFIRM_END = "Да, снять"
BUTTON_CHANGES_CONFIRM_MOVE = "Да, передать"
BUTTON_CHANGES_EXIT = "🚪 Вышла из проекта"
BUTTON_CHANGES_RETURN = "↩️ Вернуть в проект"
BUTTON_CHANGES_INCLUDE = "➕ Включить в проект"  # a school never in the list (a host school)
BUTTON_CHANGES_MOVE = "🔁 Передать другому куратору"
BUTTON_CHANGES_ASSIGN = "➕ Назначить куратора"
BUTTON_CHANGES_BACK = "◀ К школе"
BUTTON_PEOPLE_BACK = "◀ К списку"
CHANGES_FLAG_BUTTONS = {"shnor": "ШНОР", "shnsu": "ШНСУ", "nonobj": "Необъективность"}
CHANGES_NO_CANDIDATES = "В муниципалитете школы нет других кураторов. Пригласите куратора: /invite"
CHANGES_PEOPLE_EMPTY = "В вашей зоне нет подключённых участников."
CHANGES_PEOPLE_PAGE = 8  # people per message: one phone screen of buttons

ERRORS.update(
    {
        "school_already_exited": "Школа уже отмечена как вышедшая из проекта.",
        "school_already_in_project": "Школа и так в проекте.",
        "curator_not_assigned": "Этот куратор уже не закреплён за школой.",
        "curator_not_candidate": (
            "Выберите куратора из списка: у человека нет роли куратора в этом муниципалитете "
            "или он уже курирует школу."
        ),
        "role_already_revoked": "Эта роль уже снята.",
        "role_own": "Свою роль снять нельзя — попросите другого координатора.",
    }
)


def _mark(value: bool) -> str:
    return "✅" if value else "▫️"


def changes_school_menu(changes) -> str:  # SchoolChanges
    school = changes.school
    status = "в проекте" if school.status.value == "active" else "вышла из проекта"
    lines = [
        f"<b>Изменения: {e(school.short_name)}</b>",
        f"Статус: {status}",
        f"{_mark(school.is_shnor)} ШНОР  {_mark(school.is_shnsu)} ШНСУ  "
        f"{_mark(school.has_nonobjectivity_signs)} признаки необъективности",
        "Куратор: " + (e(", ".join(c.name for c in changes.curators)) or "—"),
    ]
    if changes.staff:
        lines.append("Команда школы: " + e(", ".join(s.name for s in changes.staff)))
    lines.append(
        "Флаги меняются нажатием. Снять куратора — кнопка «✖️» с его именем; "
        "роль человека — кнопка «👤» с именем."
    )
    return _fit("\n".join(lines))


def changes_flag_button(key: str, value: bool) -> str:
    return f"{_mark(value)} {CHANGES_FLAG_BUTTONS[key]}"


def changes_end_curator_button(name: str) -> str:
    return f"✖️ {name[:40]}"


def changes_person_button(name: str) -> str:
    return f"👤 {name[:40]}"


def changes_confirm_end_curator(curator: str, school: str) -> str:
    return (
        f"Снять <b>{e(curator)}</b> с кураторства школы <b>{e(school)}</b>?\n"
        "Куратор перестанет видеть школу; посещения и отчёты останутся в истории."
    )


def changes_curator_ended(curator: str, school: str) -> str:
    return f"✅ {e(curator)} больше не куратор школы {e(school)}. Куратору отправлено сообщение."


def changes_choose_curator(school: str, page: int, pages: int) -> str:
    tail = f" (страница {page + 1} из {pages})" if pages > 1 else ""
    return f"Кому передать школу <b>{e(school)}</b>? Кураторы муниципалитета{tail}:"


def changes_confirm_move(school: str, new: str, leaving: list[str]) -> str:
    text = f"Передать школу <b>{e(school)}</b> куратору <b>{e(new)}</b> на текущий учебный год?"
    if leaving:
        text += f"\nБудут сняты: {e(', '.join(leaving))}."
    return text


def changes_moved(school: str, new: str) -> str:
    return f"✅ Школа {e(school)} передана куратору {e(new)}. Кураторам отправлены сообщения."


def changes_confirm_exit(school: str) -> str:
    return (
        f"Отметить, что школа <b>{e(school)}</b> вышла из проекта?\n"
        "Она пропадёт из напоминаний, дайджеста и сводок текущего года; история сохранится. "
        "Команде школы и куратору придёт сообщение."
    )


def changes_flag_changed(flag: str, value: bool) -> str:
    return f"{CHANGES_FLAG_BUTTONS[flag]}: {'да' if value else 'нет'}"


def changes_people_text(total: int, page: int, pages: int) -> str:
    tail = f" Страница {page + 1} из {pages}." if pages > 1 else ""
    return f"<b>Участники</b>: {total}.{tail} Выберите человека, чтобы снять роль."


def changes_person_text(card) -> str:  # PersonCard
    person = card.person
    lines = [f"<b>{e(person.full_name)}</b>"]
    if person.position:
        lines.append(e(person.position))
    if card.roles:
        lines.append("<b>Роли:</b>")
        lines += [f"• {ROLE_NAMES[r.role]}: {e(r.place) or '—'}" for r in card.roles]
    else:
        lines.append("Действующих ролей нет.")
    if card.curated:
        lines.append("Курирует: " + e(", ".join(card.curated)))
    if any(r.revocable for r in card.roles):
        lines.append("Чтобы снять роль, нажмите на неё.")
    return _fit("\n".join(lines))


def changes_role_button(role: Role, place: str) -> str:
    return f"✖️ {ROLE_NAMES[role]}: {place[:30]}"


def changes_confirm_revoke(name: str, role: Role, place: str) -> str:
    return (
        f"Снять роль «{ROLE_NAMES[role]}» ({e(place) or '—'}) у <b>{e(name)}</b>?\n"
        "Команды этой роли сразу станут недоступны; история сохранится."
    )


def changes_role_revoked(name: str, role: Role) -> str:
    return f"✅ Роль «{ROLE_NAMES[role]}» у {e(name)} снята. Человеку отправлено сообщение."


def changes_curator_ended_notice(school: str) -> str:
    return (
        f"ℹ️ Вы больше не куратор школы {e(school)}: так решил координатор проекта. "
        "Ваши посещения и проверки остаются в истории."
    )


def changes_curator_given_notice(school: str) -> str:
    return f"ℹ️ Вам передана школа {e(school)}: теперь вы её куратор. Карточка школы — /school"


def changes_role_ended_notice(role_name: str, place: str) -> str:
    where = f" ({e(place)})" if place else ""
    return f"ℹ️ Ваша роль «{role_name}»{where} в боте проекта «500+» снята координатором."


def changes_school_exited_notice(school: str) -> str:
    return (
        f"ℹ️ Школа {e(school)} отмечена как вышедшая из проекта «500+». "
        "Напоминания по ней больше не придут; история сохранена."
    )


def changes_school_returned_notice(school: str) -> str:
    return f"ℹ️ Школа {e(school)} снова в проекте «500+»: напоминания возобновятся."


# ================================================================ files out (issue 14: report, export)

YES_NO = {True: "да", False: "нет"}
REVIEW_STATE_LABELS = {"pending": "на проверке", "accepted": "принято", "returned": "возвращено"}
SCHOOL_STATUS_LABELS = {"active": "участвует", "exited": "вышла из проекта"}
EVENT_STATUS_LABELS = {
    "draft": "черновик",
    "published": "опубликовано",
    "cancelled": "отменено",
    "finished": "проведено",
}
# A participant's sign-up as the organiser reads it (the participant sees «вы записаны»).
ORGANISER_STATE_LABELS = {
    "registered": "записан(а)",
    "waitlisted": "в листе ожидания",
    "declined": "отказался(-ась)",
    "cancelled": "отменил(а) запись",
}
ATTENDED_LABELS = {True: "был(а)", False: "не был(а)"}
BUTTON_EXPORT_WITH_FILES = "Скачать вместе с файлами подтверждений"
EXPORT_FILE_TOO_BIG = "не вошёл: превышен предел размера"
EXPORT_FILE_UNAVAILABLE = "не вошёл: Telegram не отдал файл"
EXPORT_FILES_NONE = "Файлов подтверждений (фото, документов) в вашей зоне нет."


def export_files_progress(done: int, total: int) -> str:
    return f"Собираю файлы подтверждений: {done} из {total}…"


def export_files_done(added: int, skipped: int, limit_mb: int) -> str:
    text = f"Готово: файлов в архиве {added}."
    if skipped:
        text += (
            f" Не вошли: {skipped} (общий предел архива {limit_mb} МБ или файл недоступен) — "
            "их список в files/index.csv."
        )
    return text


# ---------------------------------------------------------------- directory (issue 13, part 1)

DIRECTORY_INTRO = (
    "<b>Справочник</b>: муниципалитеты, школы, люди и закрепление кураторов.\n\n"
    "Ниже — текущий справочник вашей области и шаблон. Исправьте или заполните файл "
    "и пришлите его сюда: я покажу, что изменится, и спрошу подтверждение.\n"
    "Прервать — /cancel"
)
DIRECTORY_CURRENT_CAPTION = "Текущий справочник. Измените и пришлите обратно."
DIRECTORY_TEMPLATE_CAPTION = "Шаблон справочника: заголовки и одна строка-пример на каждом листе."
DIRECTORY_FILE_EXPECTED = "Здесь нужен файл XLSX справочника. Прервать — /cancel"
DIRECTORY_INVITES_CAPTION = (
    "Ссылки-приглашения: раздайте каждому его ссылку (одна ссылка — один человек)."
)
BUTTON_APPLY = "Применить"
DIRECTORY_NOTHING_CHANGES = "Файл совпадает со справочником — менять нечего."
DIRECTORY_CHANGED_MEANWHILE = (
    "Пока файл ждал подтверждения, справочник изменился, и теперь есть отклонённые строки."
)

_DIRECTORY_COUNT_LABELS = ("новых", "изменённых", "без изменений", "отклонено")


def directory_report(
    report, *, html: bool = True, max_refusals: int | None = 12
) -> str:  # ImportReport
    """Counts per sheet, the refusals (the first few in a chat, all on the command line)."""
    from bot.services.directory import SHEET_TITLES

    escape_ = e if html else str
    bold = (lambda text: f"<b>{text}</b>") if html else str
    lines = [bold("Проверка файла справочника")]
    for sheet, counts in report.counts.items():
        numbers = (counts.new, counts.changed, counts.unchanged, counts.refused)
        parts = ", ".join(
            f"{label} {n}" for label, n in zip(_DIRECTORY_COUNT_LABELS, numbers, strict=True)
        )
        lines.append(f"{SHEET_TITLES[sheet]}: {parts}")
    if report.ended_assignments:
        lines.append(f"Закрепления кураторов, которые закончатся: {report.ended_assignments}")
    if report.invites:
        lines.append(f"Ссылок-приглашений для ещё не подключённых: {len(report.invites)}")
    if report.refusals:
        lines.append("")
        lines.append(bold(f"Отклонено строк: {len(report.refusals)}. Файл не будет применён."))
        shown = report.refusals if max_refusals is None else report.refusals[:max_refusals]
        lines += [f"• {escape_(refusal.text()[:300])}" for refusal in shown]
        rest = report.refusals[len(shown) :]
        if rest:
            by_sheet: dict[str, int] = {}
            for refusal in rest:
                title = SHEET_TITLES[refusal.sheet]
                by_sheet[title] = by_sheet.get(title, 0) + 1
            summary = ", ".join(f"{title} — {n}" for title, n in by_sheet.items())
            lines.append(f"…и ещё {len(rest)} ({summary})")
        lines.append("Исправьте эти строки и пришлите файл снова.")
    text = "\n".join(lines)
    return _fit(text) if html else text


def directory_applied(report) -> str:  # ImportReport
    made = sum(c.new for c in report.counts.values())
    changed = sum(c.changed for c in report.counts.values())
    if report.changes:
        lines = [f"✅ Справочник обновлён: добавлено {made}, изменено {changed}."]
    else:
        lines = ["Справочник уже совпадал с файлом — ничего не изменено."]
    if report.ended_assignments:
        lines.append(f"Закончено закреплений кураторов: {report.ended_assignments}.")
    if report.invites:
        lines.append(f"Ссылки-приглашения для {len(report.invites)} чел. — в файле ниже.")
    return "\n".join(lines)


def directory_changed_meanwhile(report) -> str:  # ImportReport
    return _fit(DIRECTORY_CHANGED_MEANWHILE + "\n\n" + directory_report(report, max_refusals=8))


# ================================================================ school year (section body)


def recurring_reminder(school: str, number: str, measure: str, wording: str | None) -> str:
    """A recurring roadmap item («ежемесячно», «в течение года»): time to mark what was done."""
    return (
        f"🔁 Регулярное мероприятие {e(number)} ({e(school)}), срок «{e((wording or '')[:80])}»:\n"
        f"{e(measure[:300])}\n"
        "Отметьте, что сделано за этот период."
    )


ROLLOVER_ASK = (
    "<b>Новый учебный год</b>\n"
    "Назначения кураторов продолжатся в новом году, кроме завершённых и школ, вышедших "
    "из проекта. Школам с невыполненными мероприятиями придёт список — перенести или закрыть.\n"
    "Сначала покажу, что изменится:"
)
ROLLOVER_DONE = "Готово: переход выполнен."
ROLLOVER_NOTHING = "Ничего не изменилось: переход уже выполнен."
ROLLOVER_REASONS = {"ended": "назначение завершено", "school_exited": "школа вышла из проекта"}


def rollover_button(label: str, dry_run: bool) -> str:
    return f"Проверить переход в {label}" if dry_run else f"Перейти в {label}"


def rollover_lines(result) -> list[str]:  # type: ignore[no-untyped-def]  # rollover.Rollover
    """What the rollover does (or did), as plain lines: the CLI prints them, the bot escapes."""
    head = "Пробный прогон, ничего не записано. " if result.dry_run else ""
    lines = [f"{head}Переход {result.old.label} → {result.new.label}."]
    lines.append(f"Назначения продолжаются: {len(result.continuing)}")
    lines += [f"  • {a.curator} — {a.school}" for a in result.continuing]
    if result.already:
        lines.append(f"Уже перенесены раньше: {len(result.already)}")
    lines.append(f"Назначения заканчиваются: {len(result.ending)}")
    lines += [
        f"  • {a.curator} — {a.school} ({ROLLOVER_REASONS.get(a.reason or '', a.reason)})"
        for a in result.ending
    ]
    total = sum(s.count for s in result.unfinished)
    lines.append(
        f"Невыполненные мероприятия {result.old.label}: {total} в {len(result.unfinished)} шк."
    )
    for school in result.unfinished:
        lines.append(f"  • {school.school}: {school.count}")
        lines += [f"      {number}. {measure[:80]}" for number, measure in school.first]
    if not result.dry_run:
        lines.append(f"Школам отправлен список: {result.schools_told}")
        lines.append(
            "Школы переносят мероприятия в план нового года (/import) или закрывают "
            "отчётом «не выполнено»; кнопок переноса в одно нажатие пока нет."
        )
    return lines


def rollover_report(result) -> str:  # type: ignore[no-untyped-def]
    return _fit("\n".join(e(line) for line in rollover_lines(result)))


def rollover_school_message(
    school: str, old: str, new: str, count: int, first: list[tuple[str, str]]
) -> str:
    lines = [
        f"📅 Начинается {e(new)} учебный год. В дорожной карте {e(school)} за {e(old)} "
        f"не закрыто мероприятий: {count}.",
    ]
    lines += [f"• {e(number)}. {e(measure[:120])}" for number, measure in first]
    if count > len(first):
        lines.append(f"…и ещё {count - len(first)}.")
    lines.append(
        f"Решите по каждому: «Перенести в {e(new)}» или «Закрыть» — кнопками ниже "
        "или в карточке мероприятия (/roadmap)."
    )
    return _fit("\n".join(lines))


# ================================================================ results, training, practices (issue 18)

COMMAND_DESCRIPTIONS.update(
    {
        "results": "Результаты ВПР/ОГЭ/ЕГЭ: загрузка и «кто вышел из зоны риска»",
        "practices": "Банк практик: по факторам риска и поиск",
        "training": "Курсовая подготовка педагогов (XLSX)",
    }
)

ERRORS.update(
    {
        "results_no_header": (
            "Не нашёл в таблице нужных столбцов ({missing}). Нужны: школа, предмет, "
            "число участников, доля «2»; желательно — процедура (ВПР/ОГЭ/ЕГЭ), класс, "
            "средний балл, учебный год."
        ),
        "results_file_gone": "Файл больше недоступен — пришлите его ещё раз.",
        "practice_not_found": "Практика не найдена.",
        "practice_draft_gone": "Черновик практики потерян — начните заново: /practices",
        "practice_visit_saved": "Эта практика из посещения уже сохранена в банке.",
        "practice_visit_empty": (
            "В посещении нет выводов — сохранить как практику нечего. Допишите выводы."
        ),
    }
)

ASSESSMENT_LABELS = {"vpr": "ВПР", "oge": "ОГЭ", "ege": "ЕГЭ"}
RESULTS_REFUSALS = {
    "no_school": "не указана школа",
    "no_subject": "не указан предмет",
    "bad_assessment": "непонятная процедура «{detail}» (нужно ВПР, ОГЭ или ЕГЭ)",
    "bad_grade": "непонятный класс «{detail}»",
    "bad_participants": "число участников «{detail}» — нужно целое больше нуля",
    "bad_fail": "доля «2» «{detail}» — нужно число от 0 до 100",
    "bad_average": "средний балл «{detail}» — нужно число",
    "bad_year": "учебный год «{detail}» — нужно как 2025/26",
    "duplicate": "повтор: та же школа, процедура, предмет и класс уже были выше",
    "unknown_school": "школа «{detail}» не найдена среди ваших школ",
    "ambiguous_school": "школа «{detail}» — подходит несколько, уточните название",
}
RESULTS_INTRO = (
    "<b>Результаты оценочных процедур</b>\n"
    "Пришлите таблицу XLSX или CSV: школа, процедура (ВПР/ОГЭ/ЕГЭ), предмет, класс, "
    "число участников, доля «2» (%), средний балл; учебный год — столбцом или в заголовке "
    "(иначе текущий). Сначала покажу проверку, применю только по кнопке и только целиком."
)
RESULTS_FILE_EXPECTED = "Жду файл XLSX или CSV с результатами. Отменить — /cancel."
BUTTON_RESULTS_LEFT_RISK = "Кто вышел из зоны риска"
BUTTON_RESULTS_ONE = "Ввести для одной школы"
RESULTS_ONE_SCHOOL = "Какая школа? Напишите номер или название, например: 17 или лицей 9"
RESULTS_ONE_SEVERAL = "Подходит несколько школ — напишите точнее, например: СШ № 17"
RESULTS_ONE_YEAR = "За какой учебный год?"
RESULTS_ONE_LINE = (
    "Напишите через «;»: предмет; класс; число участников; доля «2» в %; средний балл "
    "(можно не писать).\nНапример: Математика; 5; 48; 12,5; 3,4"
)
RESULTS_TEXT_EXPECTED = "Жду текст. Отменить — /cancel."
RESULTS_REFUSALS_TYPED = {"typed_too_short": "нужно хотя бы четыре значения через «;»"}


def results_one_assessment(school: str) -> str:
    return f"{e(school)}: какая процедура?"


def results_one_refused(refusal) -> str:  # Refusal
    template = RESULTS_REFUSALS_TYPED.get(refusal.code) or RESULTS_REFUSALS[refusal.code]
    return "Не сохранено: " + template.format(detail=e(refusal.detail)) + ". Попробуйте ещё раз."


def results_one_saved(school: str, line, new: int) -> str:  # ResultRow
    from bot.services.school_year import SchoolYear

    verb = "сохранён" if new else "обновлён"
    return (
        f"✅ Результат {verb}: {e(school)}, {SchoolYear(line.year).label}, "
        f"{ASSESSMENT_LABELS[line.assessment.value]}, {e(line.subject)}, {line.grade} кл. — "
        f"«2» {_percent(line.fail_percent)}, участников {line.participants}."
    )


REPORT_RESULTS_SHEET = "Результаты"
REPORT_RESULTS_HEADERS = (
    "Школа",
    "Учебный год",
    "Доля «2», %",
    "Год назад, %",
    "Изменение, п.п.",
    "Строк результатов",
)


def results_preview(report, limit: int = 12) -> str:  # ResultsReport
    from bot.services.school_year import SchoolYear

    years = ", ".join(SchoolYear(y).label for y in report.years) or "—"
    lines = [
        "<b>Проверка файла результатов</b>",
        f"Строк: {len(report.rows)}, школ: {report.schools}, учебный год: {e(years)}",
        f"Новых: {report.new}, изменённых: {report.changed}",
    ]
    if report.refusals:
        lines.append("")
        lines.append(f"<b>Отклонено строк: {len(report.refusals)}. Файл не будет применён.</b>")
        for refusal in report.refusals[:limit]:
            reason = RESULTS_REFUSALS[refusal.code].format(detail=e(refusal.detail))
            lines.append(f"• строка {refusal.row}: {reason}")
        if len(report.refusals) > limit:
            lines.append(f"…и ещё {len(report.refusals) - limit}")
        lines.append("Исправьте эти строки и пришлите файл снова.")
    elif not report.rows:
        lines.append("В файле нет строк с результатами.")
    return _fit("\n".join(lines))


def results_applied(report) -> str:  # ResultsReport
    return (
        f"✅ Результаты загружены: строк {len(report.rows)}, школ {report.schools} "
        f"(новых {report.new}, изменённых {report.changed})."
    )


def _percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " %"


def _change(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return " (без изменений)"
    arrow = "▼" if value < 0 else "▲"
    sign = "−" if value < 0 else "+"
    return f" ({arrow} {sign}{_percent(abs(value))[:-2]} п.п.)"


def results_card_lines(results) -> list[str]:  # SchoolResults | None
    """The school card's block: the latest year, each line with the change from the year before."""
    if results is None:
        return []
    from bot.services.school_year import SchoolYear

    year = SchoolYear(results.year)
    lines = [
        f"<b>Результаты {e(year.label)}:</b> доля «2» {_percent(results.fail_percent)}"
        + (
            f", в {SchoolYear(results.year - 1).label} — {_percent(results.previous_fail_percent)}"
            if results.previous_fail_percent is not None
            else ""
        )
    ]
    for line in results.lines[:12]:
        average = (
            ", ср. балл " + f"{line.average_mark:g}".replace(".", ",")
            if line.average_mark is not None
            else ""
        )
        lines.append(
            f"• {ASSESSMENT_LABELS[line.assessment.value]}, {e(line.subject[:40])}, "
            f"{line.grade} кл.: «2» {_percent(line.fail_percent)}{_change(line.change)}"
            f"{average}, участников {line.participants}"
        )
    if len(results.lines) > 12:
        lines.append(f"…и ещё {len(results.lines) - 12}")
    return lines


def results_left_risk(moves, year: int, threshold: float) -> str:  # list[RiskMove]
    from bot.services.school_year import SchoolYear

    head = (
        f"<b>Вышли из зоны риска в {SchoolYear(year).label}</b>\n"
        f"Зона риска — доля «2» по всем процедурам школы не меньше {_percent(threshold)} "
        f"(с учётом числа участников)."
    )
    if not moves:
        return head + "\nТаких школ нет (или нет результатов за оба года)."
    rows = [
        f"• {e(m.school.short_name)}: {_percent(m.previous)} → {_percent(m.current)}" for m in moves
    ]
    return _fit(head + "\n" + "\n".join(rows))


# -- practice bank (issue 18)

BUTTON_TO_PRACTICES = "⭐ В банк практик"
BUTTON_PRACTICES_ALL = "Все практики"
PRACTICES_INTRO = (
    "<b>Банк практик региона</b>\n"
    "Выберите фактор риска или ищите по словам: /practices наставничество"
)
PRACTICES_NONE = "Практик не найдено."
BUTTON_PRACTICE_NEW = "➕ Добавить практику"
BUTTON_PRACTICE_NO_FACTOR = "Без фактора риска"
PRACTICE_ASK_SCHOOL = "В какой школе? Напишите номер или название, например: 17"
PRACTICE_ASK_TITLE = "Название практики (до 200 знаков):"
PRACTICE_ASK_FACTOR = "С каким фактором риска она работает?"
PRACTICE_ASK_WHAT = "Что было сделано? (до 3000 знаков)"
PRACTICE_ASK_RESULT = "Какой получен результат? Если пока нет — напишите «-»."
PRACTICE_TEXT_EXPECTED = "Жду текст (или кнопку выше). Отменить — /cancel."


def practice_too_long(length: int, limit: int) -> str:
    return f"Слишком длинно: {length} знаков, можно до {limit}. Сократите и пришлите снова."


PRACTICE_SAVED = "⭐ Практика «{title}» сохранена в банк практик региона."


def practice_button(visit_id: int) -> tuple[str, str]:
    return (BUTTON_TO_PRACTICES, callbacks.PracticeFromVisit(visit_id).pack())


def practice_saved(title: str) -> str:
    return PRACTICE_SAVED.format(title=e(title[:100]))


def practices_list(views, heading: str) -> str:  # list[PracticeView]
    if not views:
        return f"<b>{e(heading)}</b>\n{PRACTICES_NONE}"
    lines = [f"<b>{e(heading)}</b>"]
    for view in views:
        factors = ", ".join(str(f) for f in view.risk_factor_ids)
        lines.append(
            f"\n⭐ <b>{e(view.title[:120])}</b>"
            + (f" — {e(view.school)}" if view.school else "")
            + (f" (факторы риска: {factors})" if factors else "")
            + f"\nЧто сделано: {e(view.what_done[:300])}"
            + (f"\nРезультат: {e(view.result[:200])}" if view.result else "")
            + f"\n{e(view.author)}, {fmt_date(view.created_at.date())}"
        )
    return _fit("\n".join(lines))


# -- teacher training (issue 18)

ERRORS.update(
    {
        "training_no_header": (
            "Не нашёл в таблице столбцов «Наименование программы» и «Общеобразовательные "
            "учреждения» — нужна таблица курсовой подготовки, как в плане мероприятий."
        ),
        "training_bad_staff": "Численность педагогов — целое число от 1 до {limit}.",
    }
)
TRAINING_REFUSALS = {
    "training_no_title": "нет названия курса",
    "training_bad_count": "количество «{detail}» — нужно целое число",
    "training_bad_dates": "непонятные даты «{detail}»",
    "training_no_schools": "не указаны школы",
}
TRAINING_INTRO = (
    "<b>Курсовая подготовка педагогов</b>\n"
    "Пришлите таблицу курсов (XLSX или CSV): программа (с часами, датами и организацией), "
    "количество педагогических и руководящих работников, школы (номера или названия).\n"
    "Численность педагогов школы для доли обученных: /training 17 42"
)
REPORT_TRAINING_SHEET = "Курсы"
REPORT_TRAINING_HEADERS = (
    "Школа",
    "Учебный год",
    "Курсов",
    "Обучено (не меньше)",
    "Педагогов",
    "Доля обученных, %",
)
TRAINING_FILE_EXPECTED = "Жду файл XLSX или CSV с курсами. Отменить — /cancel."
TRAINING_STAFF_SAVED = "✅ {school}: педагогов — {count}."


def training_card_lines(summary) -> list[str]:  # TrainingSummary | None
    if summary is None:
        return []
    from bot.services.school_year import SchoolYear

    share = (
        f", это {summary.share} % из {summary.staff} педагогов"
        if summary.share is not None
        else " (численность педагогов не указана)"
    )
    return [
        f"<b>Курсовая подготовка {SchoolYear(summary.year).label}:</b> курсов {summary.courses}, "
        f"обучено не меньше {summary.people}{share}"
    ]


def training_preview(report, limit: int = 12) -> str:  # CoursesReport
    schools = len({school.id for school, _, _ in report.courses})
    courses = len({line.row for _, line, _ in report.courses})
    lines = [
        "<b>Проверка таблицы курсов</b>",
        f"Курсов: {courses}, школ: {schools}, записей «школа — курс»: {len(report.courses)}",
        "Если в строке несколько школ, каждой засчитывается не меньше одного обученного "
        "(как они делятся, таблица не говорит).",
    ]
    if report.skipped_schools:
        shown = ", ".join(e(name[:40]) for name in report.skipped_schools[:15])
        more = len(report.skipped_schools) - 15
        lines.append(
            f"Нет в справочнике, пропущены: {shown}" + (f" и ещё {more}" if more > 0 else "")
        )
    if report.refusals:
        lines.append(f"<b>Отклонено строк: {len(report.refusals)}. Файл не будет применён.</b>")
        for refusal in report.refusals[:limit]:
            reason = TRAINING_REFUSALS[refusal.code].format(detail=e(refusal.detail))
            lines.append(f"• строка {refusal.row}: {reason}")
    elif not report.courses:
        lines.append("Ни одной школы из справочника в таблице нет.")
    return _fit("\n".join(lines))


def training_applied(added: int) -> str:
    return f"✅ Курсы загружены: добавлено записей {added}."


# ================================================================ Mini App (issue 17)

BUTTON_OPEN_DASHBOARD = "Открыть панель"
MENU_BUTTON_DASHBOARD = "Панель"

# ---------------------------------------------------------------- heavy work off the lane (issue 15)

FILE_PROCESSING = "Обрабатываю файл…"
ERRORS.update(
    {
        "file_too_heavy": (
            "Файл обрабатывается слишком долго. Разбейте его на части поменьше "
            "или уберите лишние листы и столбцы и отправьте снова."
        ),
        "import_too_wide": (
            "В строке файла слишком много столбцов или текста. Нужны не больше {limit} "
            "столбцов — сохраните таблицу заново по шаблону (/template)."
        ),
    }
)

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
REVIEW_STATE_LABELS["on_hold"] = "на паузе"  # the export and the thread name it so
THREAD_VERBS = {"returned": "вернул(а)", "on_hold": "поставил(а) на паузу", "accepted": "принял(а)"}

ERRORS.update(
    {
        "followup_not_found": "Договорённость не найдена.",
        "followup_not_yours": "Эту договорённость отмечают школа и её куратор.",
        "followup_already_done": "Эта договорённость уже отмечена как выполненная.",
        "thread_not_yours": "Писать по этому отчёту могут школа и её куратор.",
        "thread_file_kind": "Приложить можно фото или документ.",
        "roadmap_report_not_holdable": "На паузу ставится отчёт, который ждёт проверки или возвращён.",
    }
)


def follow_up_mark(due: date, done_on: date | None, today: date) -> str:
    if done_on is not None:
        return f"Выполнено {fmt_date(done_on)}"
    if due < today:
        return f"Просрочено на {(today - due).days} дн."
    return "В работе"


def follow_up_line(line) -> str:  # FollowUpLine
    late = f" — ⚠️ просрочено на {line.days_overdue} дн." if line.days_overdue else ""
    return f"• {e(line.what[:150])} (срок {fmt_date(line.due)}){late}"


def follow_ups_block(lines: list, title: str = FOLLOW_UPS_SECTION) -> str:
    return "\n".join([f"<b>{title}:</b>", *(follow_up_line(line) for line in lines[:10])])


def with_follow_ups(text: str, lines: list) -> str:
    return _fit(text + "\n\n" + follow_ups_block(lines))


def follow_up_with_state(follow_up) -> str:  # VisitFollowUp, on the visit's card
    return ("✅ " if follow_up.done_at else "") + follow_up.what


def follow_up_button(line) -> str:  # FollowUpLine
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


def thread_text(thread, timezone: str) -> str:  # Thread
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


# ================================================================ carry over or close (issue 13)


def carry_button(label: str) -> str:
    return f"➡️ Перенести в {label}"


BUTTON_CLOSE_ITEM = "✖️ Закрыть"
BUTTON_CARRY_ALL = "Перенести все"
BUTTON_SETTLE_LIST = "Разобрать по пунктам"
BUTTON_CLOSE_NO_NOTE = "Закрыть без примечания"
CLOSE_ITEM_PROMPT = (
    "Мероприятие {number} будет закрыто без выполнения. Напишите примечание — почему "
    "(до 500 знаков) — или нажмите «Закрыть без примечания». /cancel — отмена."
)
ERRORS.update(
    {
        "carry_over_denied": (
            "Переносить и закрывать мероприятия могут школа, её куратор и координаторы."
        ),
        "carry_over_too_early": "Учебный год {year} ещё не начался: переносить пока нечего.",
        "item_already_settled": "Мероприятие уже не в работе: {status}.",
    }
)


def settled_mark(status: str, note: str | None, next_label: str) -> str:
    """The mark of a settled item in cards and reports."""
    if status == "carried_over":
        return f"Перенесено в {next_label}"
    if status == "closed":
        return f"Закрыто: {note}" if note else "Закрыто без выполнения"
    return ITEM_STATUS_LABELS[status]


def item_status_label(item) -> str:  # RoadmapItem
    label = ITEM_STATUS_LABELS[item.status.value]
    if item.status.value == "closed" and item.closing_note:
        label += f" ({e(item.closing_note[:200])})"
    return label


def item_carried(number: str, label: str, changed: bool) -> str:
    if not changed:
        return f"Мероприятие {e(number)} уже перенесено в {e(label)}."
    return f"✅ Мероприятие {e(number)} перенесено в дорожную карту {e(label)}."


def item_closed(number: str, changed: bool) -> str:
    if not changed:
        return f"Мероприятие {e(number)} уже закрыто."
    return f"✅ Мероприятие {e(number)} закрыто без выполнения."


def carried_all(school: str, label: str, count: int) -> str:
    if not count:
        return f"{e(school)}: переносить нечего — все мероприятия уже решены."
    return f"✅ {e(school)}: перенесено в {e(label)} мероприятий: {count}."


def settle_list(school: str, old: str, total: int, shown: int) -> str:
    if not total:
        return f"{e(school)}, {e(old)}: все мероприятия решены — перенесены, закрыты или выполнены."
    more = f" Показаны первые {shown}." if total > shown else ""
    return (
        f"<b>{e(school)}, дорожная карта {e(old)}</b>\n"
        f"Не решено мероприятий: {total}.{more} Откройте мероприятие, чтобы перенести "
        "или закрыть его."
    )


def earlier_open_button(label: str, count: int) -> str:
    """Under /roadmap of the new year: last year's items still to carry over or close."""
    return f"Не решено в {label}: {count}"

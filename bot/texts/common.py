"""Words every feature uses: formatting helpers, roles, commands, welcome and help, shared buttons."""

from __future__ import annotations

import functools
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.models import Role
from bot.telegram_html import MESSAGE_LIMIT, fit

DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%Y %H:%M"


def e(value: object) -> str:
    """Escape user-supplied text for Telegram HTML."""
    return escape(str(value), quote=False)


def fmt_date(value: date | None) -> str:
    if type(value) is date:  # not a datetime: equal aware datetimes may be other local days
        return _fmt_day(value)
    return value.strftime(DATE_FORMAT) if value else "—"


@functools.lru_cache(maxsize=1024)  # a country's report formats 300,000 dates of few days
def _fmt_day(value: date) -> str:
    return value.strftime(DATE_FORMAT)


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
    # -- results, training, practices (issue 18)
    "results": "Результаты ВПР/ОГЭ/ЕГЭ: загрузка и «кто вышел из зоны риска»",
    "practices": "Банк практик: по факторам риска и поиск",
    "training": "Курсовая подготовка педагогов (XLSX)",
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
# Sent by the next process when the last one saved an action and stopped before its answer.
REPLY_AFTER_RESTART = (
    "Бот перезапускался. Ваше последнее действие сохранено. Если нужного ответа нет, "
    "откройте раздел заново: /help"
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


# -- buttons many features share

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
BUTTON_PREV = "‹"
BUTTON_ALL = "Все"
BUTTON_NEXT = "Далее ▶"  # the one «next» button: every list turns pages with it
BUTTON_PREVIOUS = "◀ Назад"


# -- the inline month calendar (bot/handlers/calendar.py)

CALENDAR_WEEKDAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
CALENDAR_MONTHS = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
]


def clip(value: str | None, limit: int) -> str:
    """Escaped text, shortened with «…» past `limit` characters; «—» when empty."""
    if not value:
        return "—"
    return e(value) if len(value) <= limit else e(value[: limit - 1].rstrip()) + "…"


def _fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut a long card after a line so it stays one Telegram message (`telegram_html.fit`)."""
    return fit(text, limit)


# ================================================================ Mini App (issue 17)

BUTTON_OPEN_DASHBOARD = "Открыть панель"
MENU_BUTTON_DASHBOARD = "Панель"

# ---------------------------------------------------------------- heavy work off the lane (issue 15)

FILE_PROCESSING = "Обрабатываю файл…"
FILE_BUILDING = "Готовлю файл…"  # a report or an export taking more than a second
FILE_NAME_FALLBACK = "файл"  # a document Telegram sent without a file name

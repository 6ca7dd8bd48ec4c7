"""Every word the bot says, in Russian. Handlers name messages; user input is escaped here.

Sections follow the features. Functions take plain values and return ready HTML.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.models import Role

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
    #
    #
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
    "audit": "Журнал изменений",
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

ERRORS: dict[str, str] = {
    "access_denied": "Нет доступа.",
    "not_found": "Не найдено.",
    "school_not_found": "Школа не найдена.",
    "school_out_of_scope": "Эта школа вне вашей зоны доступа.",
    "scope_not_found": "Не найдено, к чему привязать приглашение.",
    "invite_unknown": "Приглашение не найдено. Проверьте ссылку или попросите новую.",
    "invite_used": "Это приглашение уже использовано. Попросите у координатора новое.",
    "invite_expired": "Срок действия приглашения истёк. Попросите у координатора новое.",
    "invite_revoked": "Приглашение отозвано. Обратитесь к координатору.",
    "invite_for_other_person": "Это приглашение выписано другому человеку.",
    "invite_person_taken": "Этот участник уже подключён с другого аккаунта Telegram.",
    "invite_role_not_allowed": "Вы не можете приглашать участников с этой ролью.",
    "invite_scope_not_allowed": "Вы можете приглашать только в своём муниципалитете.",
    "invite_scope_missing": "Не указано, к чему относится роль (регион, муниципалитет или школа).",
    # -- visits
    #
    #
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

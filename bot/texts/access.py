"""Invitations and the audit log."""

from __future__ import annotations

from bot.models import Role
from bot.texts.common import ROLE_NAMES, e, fmt_datetime

# ---------------------------------------------------------------- invites

INVITE_CHOOSE_ROLE = "Кого пригласить?"
INVITE_CHOOSE_SCOPE = "Выберите, к чему относится роль:"
INVITE_NO_SCOPES = "Нет доступных вариантов для этой роли."
BUTTON_INVITE_REVOKE = "Отозвать приглашение"
BUTTON_INVITE_PENDING = "Выданные приглашения"
INVITE_NONE_PENDING = "Нет приглашений, которые ждут ответа."
# The name of a person created by a Telegram account that has none, or by the first admin.
PERSON_NO_NAME = "Без имени"
PERSON_ADMIN = "Администратор"


def invite_scope_no_school(municipality: str) -> str:
    """A button: a curator invited to a municipality before any school is theirs."""
    return f"{municipality} (без школы)"


def forgotten_person(person_id: int) -> str:
    """The name kept in place of a person whose data was erased (bot/services/access/forget_person.py)."""
    return f"Участник удалён (№ {person_id})"


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

"""Cell values as people type them: flags, time zones, roles, a school's status."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Role, SchoolStatus


class BadValue(ValueError):
    """The reason, in Russian, for the refusal of the row."""


_YES = {"да", "+", "1", "истина", "true", "✓", "✔", "v", "есть"}
_NO = {"нет", "-", "–", "—", "0", "ложь", "false", ""}


def flag(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise BadValue(f"«{column}»: значение «{text[:30]}» — ожидается да/нет (+/-, 1/0) или пусто")


def flag_text(value: bool) -> str:
    return "да" if value else "нет"


# МСК±N as Russian documents write it → a zone that keeps that offset all year.
_MSK_ZONES = {
    -1: "Europe/Kaliningrad",
    0: "Europe/Moscow",
    1: "Europe/Samara",
    2: "Asia/Yekaterinburg",
    3: "Asia/Omsk",
    4: "Asia/Krasnoyarsk",
    5: "Asia/Irkutsk",
    6: "Asia/Yakutsk",
    7: "Asia/Vladivostok",
    8: "Asia/Magadan",
    9: "Asia/Kamchatka",
}
_MSK = re.compile(r"^(?:мск|msk)\s*(?:([+-])\s*(\d{1,2}))?$")


def time_zone(text: str) -> str:
    """An IANA name («Asia/Yekaterinburg») or «МСК+2»; the IANA name is stored."""
    value = text.strip()
    match = _MSK.match(value.lower())
    if match:
        offset = int(match.group(2) or 0) * (-1 if match.group(1) == "-" else 1)
        if offset in _MSK_ZONES:
            return _MSK_ZONES[offset]
        raise BadValue(f"часового пояса «{value[:40]}» нет в России (МСК−1 … МСК+9)")
    if not re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+\-]+){1,2}", value):
        raise BadValue(
            f"часовой пояс «{value[:40]}» не распознан — пишите как Asia/Yekaterinburg или МСК+2"
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadValue(f"часового пояса «{value[:40]}» не существует") from None
    return value


_ROLE_WORDS: list[tuple[str, Role]] = [
    (r"регион", Role.REGIONAL_COORDINATOR),
    (r"муницип|координатор", Role.MUNICIPAL_COORDINATOR),
    (r"куратор", Role.CURATOR),
    (r"школ|директор|управленческ|представител|\bоо\b", Role.SCHOOL_STAFF),
    (r"админ", Role.ADMIN),
]
ROLE_WORDS = {
    Role.REGIONAL_COORDINATOR: "региональный координатор",
    Role.MUNICIPAL_COORDINATOR: "муниципальный координатор",
    Role.CURATOR: "куратор",
    Role.SCHOOL_STAFF: "школа",
    Role.ADMIN: "администратор",
}


def role(text: str) -> Role:
    value = text.strip().lower().replace("ё", "е")
    for pattern, found in _ROLE_WORDS:
        if re.search(pattern, value):
            return found
    raise BadValue(
        f"роль «{text[:40]}» не распознана — пишите «куратор», «муниципальный координатор», "
        "«региональный координатор» или «школа»"
    )


_IN_PROJECT = {"", "в проекте", "участвует", "да", "+", "активна", "1"}
_NOT_IN_PROJECT = {"не в проекте", "не участвует", "нет", "-", "0"}
_EXITED = {"выбыла", "вышла", "выбыл", "исключена", "вышла из проекта"}


def status(text: str) -> tuple[SchoolStatus, bool]:
    """(status, in_project): «выбыла» left the project; «не в проекте» was never in it."""
    value = text.strip().lower().replace("ё", "е")
    if value in _IN_PROJECT:
        return SchoolStatus.ACTIVE, True
    if value in _NOT_IN_PROJECT:
        return SchoolStatus.ACTIVE, False
    if value in _EXITED or value.startswith(("выбыл", "вышл")):
        return SchoolStatus.EXITED, False
    raise BadValue(f"статус «{text[:30]}» — ожидается «в проекте», «выбыла» или «не в проекте»")


def status_text(value: SchoolStatus, in_project: bool) -> str:
    if value == SchoolStatus.EXITED:
        return "выбыла"
    return "в проекте" if in_project else "не в проекте"

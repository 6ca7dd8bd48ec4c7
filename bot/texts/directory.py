"""The directory: file import (/directory) and changes by taps (/people, school changes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import Role
from bot.texts.common import ROLE_NAMES, _fit, e

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.services.directory.directory_changes import PersonCard, SchoolChanges
    from bot.services.directory.importer import ImportReport


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
CHANGES_SCHOOL_EXITED = "✅ Отмечено: школа вышла из проекта."
CHANGES_SCHOOL_RETURNED = "✅ Школа снова в проекте."


def _mark(value: bool) -> str:
    return "✅" if value else "▫️"


def changes_school_menu(changes: SchoolChanges) -> str:
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


def changes_person_text(card: PersonCard) -> str:
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
    report: ImportReport, *, html: bool = True, max_refusals: int | None = 12
) -> str:
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


def directory_applied(report: ImportReport) -> str:
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


def directory_changed_meanwhile(report: ImportReport) -> str:
    return _fit(DIRECTORY_CHANGED_MEANWHILE + "\n\n" + directory_report(report, max_refusals=8))


# -- why a row of a directory file is refused (bot/services/directory/importer.py). Plain
# text: directory_report() escapes each line.

DIRECTORY_REFUSALS = {
    "municipality_out_of_reach": "муниципалитет «{name}» вне вашей области — не изменён",
    "region_missing": "не указан регион (столбец «Регион»)",
    "region_unknown": "неизвестный регион «{name}»",
    "municipality_missing": "не указан муниципалитет",
    "municipality_unknown": "неизвестный муниципалитет «{name}» — добавьте его на лист «Муниципалитеты»",
    "municipality_ambiguous": "муниципалитет «{name}» есть в нескольких регионах",
    "school_missing": "не указана школа",
    "school_unknown_refused": "неизвестная школа «{name}» — её нет на листе «Школы» или её строка там отклонена",
    "school_unknown": "неизвестная школа «{name}» — её нет на листе «Школы»",
    "school_ambiguous": "школа «{name}» неоднозначна: {names} — укажите муниципалитет",
    "timezone_missing": "не указан часовой пояс",
    "municipality_repeated": "муниципалитет «{name}» уже есть в строке {row}",
    "municipality_new_denied": "новый муниципалитет «{name}»: добавить его может только координатор региона",
    "region_new_denied": "неизвестный регион «{name}» — новый регион добавляет администратор",
    "region_too_long": "слишком длинное название региона",
    "school_repeated": "школа «{name}» повторяется — она уже в строке {row}",
    "admin_by_file": "роль администратора файлом не выдаётся (python -m bot invite --role admin)",
    "person_repeated": "«{name}» уже в строке {row} с должностью «{position}» — это один человек? Уточните ФИО или должность",
    "person_other_school_row": "«{name}» уже представитель другой школы (строка {row}) — две роли не совместимы",
    "person_other_school": "«{name}» уже представитель другой школы — две роли не совместимы",
    "region_out_of_reach": "регион «{name}» вне вашей области",
    "person_ambiguous": "в базе несколько людей «{name}» — уточните должность",
    "role_denied": "роль «{role}» вы назначить не можете",
    "year_unreadable": "учебный год «{year}» не распознан — пишите 2026/27",
    "curator_is_staff": "«{name}» — представитель школы {school} и не может её курировать",
    "assignment_repeated": "это закрепление уже в строке {row}",
    "curator_no_role": "у «{name}» на листе «Люди» нет роли «куратор»",
    "curator_unknown": "куратор «{name}» не найден — добавьте его на лист «Люди» с ролью «куратор»",
    "column_empty": "не заполнен столбец «{column}»",
    "column_formula": "«{column}»: формула вместо значения — вставьте значения",
    "column_too_long": "«{column}»: слишком длинный текст ({length} символов)",
}


def directory_refusal(code: str, **params: object) -> str:
    return DIRECTORY_REFUSALS[code].format(**params)


def directory_refusal_row(row: int) -> str:
    """After the sheet's title: «Школы, строка 5: …»."""
    return f", строка {row}"

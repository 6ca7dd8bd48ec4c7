"""The school year: recurring items, the rollover, carrying over or closing last year's items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts.common import _fit, e

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.services.roadmaps.rollover import Rollover


# ================================================================ school year


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


def rollover_lines(result: Rollover) -> list[str]:
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


def rollover_report(result: Rollover) -> str:
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

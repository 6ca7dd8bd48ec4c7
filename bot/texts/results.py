"""Assessment results, the practice bank and teacher training (issue 18)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import callbacks
from bot.texts.common import _fit, e, fmt_date

if TYPE_CHECKING:  # what the functions below render; services import this catalog
    from bot.services.results.practices import PracticeView
    from bot.services.results.results import Refusal as ResultRefusal
    from bot.services.results.results import ResultRow, ResultsReport, RiskMove, SchoolResults
    from bot.services.results.training import CoursesReport, TrainingSummary


# ================================================================ results, training, practices (issue 18)

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


def results_one_refused(refusal: ResultRefusal) -> str:
    template = RESULTS_REFUSALS_TYPED.get(refusal.code) or RESULTS_REFUSALS[refusal.code]
    return "Не сохранено: " + template.format(detail=e(refusal.detail)) + ". Попробуйте ещё раз."


def results_one_saved(school: str, line: ResultRow, new: int) -> str:
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


def results_preview(report: ResultsReport, limit: int = 12) -> str:
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


def results_applied(report: ResultsReport) -> str:
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


def results_card_lines(results: SchoolResults | None) -> list[str]:
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


def results_left_risk(moves: list[RiskMove], year: int, threshold: float) -> str:
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


def practices_search_heading(query: str) -> str:
    """Plain text: practices_list() escapes its heading."""
    return f"Поиск: {query[:60]}"


def practices_factor_heading(factor: int) -> str:
    return f"Фактор риска {factor}"


def practice_default_title(school: str) -> str:
    """Plain text: the title of a practice saved from a visit that had no purpose."""
    return f"Практика {school}"


def practice_too_long(length: int, limit: int) -> str:
    return f"Слишком длинно: {length} знаков, можно до {limit}. Сократите и пришлите снова."


PRACTICE_SAVED = "⭐ Практика «{title}» сохранена в банк практик региона."


def practice_button(visit_id: int) -> tuple[str, str]:
    return (BUTTON_TO_PRACTICES, callbacks.PracticeFromVisit(visit_id).pack())


def practice_saved(title: str) -> str:
    return PRACTICE_SAVED.format(title=e(title[:100]))


def practices_list(views: list[PracticeView], heading: str) -> str:
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


def training_card_lines(summary: TrainingSummary | None) -> list[str]:
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


def training_preview(report: CoursesReport, limit: int = 12) -> str:
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

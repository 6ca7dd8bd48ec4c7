"""Messages for the codes services raise (`DomainError(code)` → `error(code)`)."""

from __future__ import annotations

import logging

from bot.texts.common import INTERNAL_ERROR, e

_log = logging.getLogger(__name__)

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
    # -- directory changes (issue 13.2)
    "school_already_exited": "Школа уже отмечена как вышедшая из проекта.",
    "school_already_in_project": "Школа и так в проекте.",
    "curator_not_assigned": "Этот куратор уже не закреплён за школой.",
    "curator_not_candidate": (
        "Выберите куратора из списка: у человека нет роли куратора в этом муниципалитете "
        "или он уже курирует школу."
    ),
    "role_already_revoked": "Эта роль уже снята.",
    "role_own": "Свою роль снять нельзя — попросите другого координатора.",
    # -- results and practices (issue 18)
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
    # -- teacher training (issue 18)
    "training_no_header": (
        "Не нашёл в таблице столбцов «Наименование программы» и «Общеобразовательные "
        "учреждения» — нужна таблица курсовой подготовки, как в плане мероприятий."
    ),
    "training_bad_staff": "Численность педагогов — целое число от 1 до {limit}.",
    # -- heavy work off the lane (issue 15)
    "file_too_heavy": (
        "Файл обрабатывается слишком долго. Разбейте его на части поменьше "
        "или уберите лишние листы и столбцы и отправьте снова."
    ),
    "file_build_too_long": (
        "Файл собирается слишком долго. Выберите область поменьше — одну школу или "
        "один муниципалитет — и попробуйте снова."
    ),
    "import_too_wide": (
        "В строке файла слишком много столбцов или текста. Нужны не больше {limit} "
        "столбцов — сохраните таблицу заново по шаблону (/template)."
    ),
    # -- follow-ups and review threads (issue 18.1–2)
    "followup_not_found": "Договорённость не найдена.",
    "followup_not_yours": "Эту договорённость отмечают школа и её куратор.",
    "followup_already_done": "Эта договорённость уже отмечена как выполненная.",
    "thread_not_yours": "Писать по этому отчёту могут школа и её куратор.",
    "thread_file_kind": "Приложить можно фото или документ.",
    "roadmap_report_not_holdable": "На паузу ставится отчёт, который ждёт проверки или возвращён.",
    # -- carry over or close (issue 13)
    "carry_over_denied": (
        "Переносить и закрывать мероприятия могут школа, её куратор и координаторы."
    ),
    "carry_over_too_early": "Учебный год {year} ещё не начался: переносить пока нечего.",
    "item_already_settled": "Мероприятие уже не в работе: {status}.",
}


def error(code: str, **params: object) -> str:
    """The message for a code a service raised.

    A code without a message is a defect, not a refusal: it is logged as an ERROR (the tests'
    error log and the hostile-input tests fail on it) and the person gets the generic
    «Что-то пошло не так» rather than a made-up «Нет доступа.». It does not raise: this runs
    while answering a refusal, and a crash there would lose the answer altogether.
    tests/test_texts_catalog.py checks every code raised in bot/ has a message.
    """
    template = ERRORS.get(code)
    if template is None:
        _log.error("no catalog message for error code %r", code)
        return INTERNAL_ERROR
    return template.format(**{key: e(value) for key, value in params.items()})

"""Files out: words inside the report and the export, and the export's progress."""

from __future__ import annotations

# ================================================================ files out (issue 14: report, export)

YES_NO = {True: "да", False: "нет"}
REVIEW_STATE_LABELS = {
    "pending": "на проверке",
    "accepted": "принято",
    "returned": "возвращено",
    "on_hold": "на паузе",  # the export and the thread name it so
}
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
# An event's sign-ups as XLSX for the organiser (bot/reports/event_export.py).
REGISTRATIONS_SHEET = "Участники"
REGISTRATIONS_HEADERS = ["№", "ФИО", "Школа", "Запись", "Присутствие"]
# An attachment named in the report: «фото «protokol.jpg»».
ATTACHMENT_PHOTO = "фото"
ATTACHMENT_DOCUMENT = "файл"
ATTACHMENT_OTHER = "вложение"
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

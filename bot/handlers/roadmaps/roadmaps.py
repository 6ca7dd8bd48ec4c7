"""Roadmaps: import, progress and reports, review, risk profile."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler

from bot.handlers.roadmaps import (
    carry_over,
    review_threads,
    risk_profile,
    roadmap_import,
    roadmap_item_edit,
    roadmap_progress,
    roadmap_review,
)


def register(application: Application) -> None:
    application.add_handler(roadmap_import.import_conversation())
    application.add_handler(roadmap_import.new_item_conversation())
    application.add_handler(roadmap_progress.report_conversation())
    application.add_handler(roadmap_review.return_conversation())
    application.add_handler(roadmap_item_edit.edit_conversation())
    application.add_handler(CommandHandler("template", roadmap_import.send_template))
    for handler in [
        *roadmap_progress.handlers(),
        *roadmap_review.handlers(),
        *review_threads.handlers(),  # review threads and «на паузе» (issue 18.2)
        *roadmap_item_edit.handlers(),
        *risk_profile.handlers(),
        *carry_over.handlers(),
    ]:
        application.add_handler(handler)

"""Events: creation, the list and card, sign-ups, management, results and feedback."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.events import event_create, event_views


def register(application: Application) -> None:
    application.add_handler(event_create.conversation())
    application.add_handler(event_views.small_conversation())
    for handler in event_views.handlers():
        application.add_handler(handler)

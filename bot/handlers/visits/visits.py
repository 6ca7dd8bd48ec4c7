"""Visits: the /visit conversation and the /visits history."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.visits import follow_ups, visit_flow, visit_history


def register(application: Application) -> None:
    application.add_handler(visit_flow.conversation())
    visit_history.register(application)
    for handler in follow_ups.handlers():  # agreed next steps marked done (issue 18.1)
        application.add_handler(handler)

"""City events: creating, viewing, sign-up, attendance, results."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.events import events


def register(application: Application) -> None:
    events.register(application)

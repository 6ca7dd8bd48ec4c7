"""Reminder settings, snooze and the digest on demand."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.notifications import notifications


def register(application: Application) -> None:
    notifications.register(application)

"""Who may use the bot: invites and the audit log, the new school year."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.access import admin, invites


def register(application: Application) -> None:
    invites.register(application)
    admin.register(application)

"""Curators' visits: the /visit form, lists and history, agreed next steps."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.visits import visits


def register(application: Application) -> None:
    visits.register(application)

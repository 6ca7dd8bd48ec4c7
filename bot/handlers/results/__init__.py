"""School results, teacher training and the practice bank."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.results import practices, results, training


def register(application: Application) -> None:
    results.register(application)
    practices.register(application)
    training.register(application)

"""Handlers of this feature; registered from bot/app.py."""

from __future__ import annotations

from telegram.ext import Application


def register(application: Application) -> None:
    """Nothing yet."""

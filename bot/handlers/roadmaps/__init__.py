"""Roadmaps: import, items, progress reports, review, risks, the year's end."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.roadmaps import roadmaps


def register(application: Application) -> None:
    roadmaps.register(application)

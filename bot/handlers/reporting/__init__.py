"""Summaries, school cards, overdue lists, the half-year report and exports."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.reporting import reports


def register(application: Application) -> None:
    reports.register(application)

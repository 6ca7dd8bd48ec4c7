"""The region's directory: the XLSX round trip, changes by taps (/people, a school's card)."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers.directory import directory, directory_changes


def register(application: Application) -> None:
    directory.register(application)
    directory_changes.register(application)

"""Administration: /audit shows an admin the latest changes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.runtime import BotContext
from bot.services import audit_log


@guarded("audit")
async def show_audit(update: Update, context: BotContext) -> None:
    """The 20 most recent audit records, newest first."""
    lines = await audit_log.recent(context.session, limit=20)
    await answer(update, texts.audit_lines(lines, context.runtime.settings.default_timezone))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show_audit))

"""/digest on demand, /settings for mutes, and the snooze buttons under reminders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import acknowledge, answer
from bot.runtime import BotContext
from bot.services import notification_settings
from bot.services.digest import digest_for
from bot.services.recipients import municipality_timezone
from bot.services.reminders import ReminderSettings


@guarded("digest")
async def show_digest(update: Update, context: BotContext) -> None:
    """The same digest as on Mondays, now."""
    timezone = await municipality_timezone(context.session, context.actor.municipality_id or 0)
    # The local date, not UTC's: just after local midnight on Monday it is already the new week.
    digest = await digest_for(context.session, context.actor, context.now())
    await answer(update, texts.digest_text(digest, timezone))


async def _settings(update: Update, context: BotContext, edit: bool) -> None:
    muted = await notification_settings.muted_kinds(context.session, context.actor)
    buttons = [
        [(texts.settings_button(kind, kind in muted), f"ntf:m:{kind}")]
        for kind in notification_settings.KINDS
    ]
    await answer(update, texts.SETTINGS_HEADER, buttons, edit=edit)


@guarded("settings")
async def show_settings(update: Update, context: BotContext) -> None:
    await _settings(update, context, edit=False)


@guarded("settings")
async def toggle(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    kind = (update.callback_query.data or "").rsplit(":", 1)[1]
    await notification_settings.toggle_mute(context.session, context.actor, kind)
    await context.commit()
    await _settings(update, context, edit=True)


@guarded("settings")
async def snooze(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    _, _, notification_id, days = (update.callback_query.data or "").split(":")
    until = await notification_settings.snooze(
        context.session,
        context.actor,
        int(notification_id),
        int(days),
        context.now(),
        ReminderSettings.of(context.runtime.settings),
    )
    await context.commit()
    await acknowledge(update, texts.snoozed_until(until))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("digest", show_digest))
    application.add_handler(CommandHandler("settings", show_settings))
    application.add_handler(CallbackQueryHandler(toggle, pattern=r"^ntf:m:[a-z]+$"))
    application.add_handler(CallbackQueryHandler(snooze, pattern=r"^ntf:sz:\d{1,9}:(1|3|7)$"))

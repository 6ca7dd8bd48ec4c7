"""/digest on demand, /settings for mutes, and the snooze buttons under reminders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import acknowledge, answer
from bot.runtime import BotContext
from bot.services.notifications import notification_settings
from bot.services.notifications.digest import digest_for
from bot.services.notifications.recipients import municipality_timezone
from bot.services.notifications.reminders import ReminderSettings


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
        [(texts.settings_button(kind, kind in muted), cb.MuteToggle(kind).pack())]
        for kind in notification_settings.KINDS
    ]
    await answer(update, texts.SETTINGS_HEADER, buttons, edit=edit)


@guarded("settings")
async def show_settings(update: Update, context: BotContext) -> None:
    await _settings(update, context, edit=False)


@guarded("settings")
async def toggle(update: Update, context: BotContext) -> None:
    kind = pressed(update, cb.MuteToggle).kind
    await notification_settings.toggle_mute(context.session, context.actor, kind)
    await _settings(update, context, edit=True)


@guarded("settings")
async def snooze(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.Snooze)
    until = await notification_settings.snooze(
        context.session,
        context.actor,
        data.notification_id,
        data.days,
        context.now(),
        ReminderSettings.of(context.runtime.settings),
    )
    await acknowledge(update, texts.snoozed_until(until))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("digest", show_digest))
    application.add_handler(CommandHandler("settings", show_settings))
    application.add_handler(on(cb.MuteToggle, toggle))
    application.add_handler(on(cb.Snooze, snooze))
